/**
 * The pipeline's concurrency and retry policy: `deploy/pipeline/settings.json`, the one file that the
 * PipelineStack's state machine, the Helm chart's WorkflowTemplate and the local driver all read.
 * Parsed and checked here, so a typo fails the synth instead of deploying another policy.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Node } from 'constructs';
import { REPO_ROOT } from './settings';

export const PIPELINE_SETTINGS_FILE = path.join(REPO_ROOT, 'deploy', 'pipeline', 'settings.json');

/** Where `cargo lambda build --release --arm64 --output-format zip --bin twinstack-pipeline-lambda` writes the function. */
export const DEFAULT_PIPELINE_LAMBDA_ZIP = 'target/lambda/twinstack-pipeline-lambda/bootstrap.zip';
/** Memory of the chunk and reduce function (and so its CPU share); `twinstack cost --pipeline` prices this size. */
export const DEFAULT_PIPELINE_LAMBDA_MEMORY_MB = 1024;

export interface RetryPolicy {
  /** Retries after the first attempt (ASL `MaxAttempts`, Argo `retryStrategy.limit`). */
  readonly maxAttempts: number;
  /** Wait before the first retry. */
  readonly intervalSeconds: number;
  /** Each later wait is the one before times this. */
  readonly backoffRate: number;
}

export interface PipelineSettings {
  /** Distributed Map `MaxConcurrency`: chunks processed at once on Lambda. */
  readonly maxConcurrency: number;
  /** Argo Workflows `parallelism`: chunk pods at once on the cluster. */
  readonly parallelism: number;
  readonly retry: RetryPolicy;
  /** Share of chunks (percent) that may fail while the run still reduces and loads the rest. */
  readonly toleratedFailurePercentage: number;
}

function field(source: Record<string, unknown>, key: string, where: string, min: number, max: number, integer: boolean): number {
  const value = source[key];
  if (typeof value !== 'number' || (integer && !Number.isInteger(value)) || value < min || value > max) {
    throw new Error(`${where}: ${key} must be ${integer ? 'a whole number' : 'a number'} in ${min}..${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function object(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${where} must be a JSON object`);
  return value as Record<string, unknown>;
}

function exactKeys(source: Record<string, unknown>, keys: string[], where: string): void {
  const unknown = Object.keys(source).filter((key) => !keys.includes(key));
  if (unknown.length > 0) throw new Error(`${where}: unknown key(s) ${unknown.join(', ')} (expected ${keys.join(', ')})`);
}

/** Limits are the services' own: Distributed Map runs at most 10,000 children at once, ASL retries at most 99999999 times. */
export function parsePipelineSettings(text: string, where = PIPELINE_SETTINGS_FILE): PipelineSettings {
  const root = object(JSON.parse(text), where);
  exactKeys(root, ['maxConcurrency', 'parallelism', 'retry', 'toleratedFailurePercentage'], where);
  const retry = object(root.retry, `${where}: retry`);
  exactKeys(retry, ['maxAttempts', 'intervalSeconds', 'backoffRate'], `${where}: retry`);
  return {
    maxConcurrency: field(root, 'maxConcurrency', where, 1, 10_000, true),
    parallelism: field(root, 'parallelism', where, 1, 10_000, true),
    retry: {
      maxAttempts: field(retry, 'maxAttempts', `${where}: retry`, 0, 99_999_999, true),
      intervalSeconds: field(retry, 'intervalSeconds', `${where}: retry`, 1, 99_999_999, true),
      backoffRate: field(retry, 'backoffRate', `${where}: retry`, 1, 1_000, false),
    },
    toleratedFailurePercentage: field(root, 'toleratedFailurePercentage', where, 0, 100, false),
  };
}

export function loadPipelineSettings(file = PIPELINE_SETTINGS_FILE): PipelineSettings {
  return parsePipelineSettings(fs.readFileSync(file, 'utf8'), file);
}

export interface PipelineStackSettings {
  readonly policy: PipelineSettings;
  /** `pipelineLambdaZip`: the cargo-lambda zip of twinstack-pipeline-lambda (relative to the repo root). */
  readonly zipPath: string;
  /** `pipelineLambdaMemoryMb`: 128–10240. */
  readonly memoryMb: number;
}

export function pipelineStackSettings(node: Node): PipelineStackSettings {
  const zip = node.tryGetContext('pipelineLambdaZip');
  const memory = node.tryGetContext('pipelineLambdaMemoryMb');
  const memoryMb = memory === undefined || memory === '' ? DEFAULT_PIPELINE_LAMBDA_MEMORY_MB : Number(String(memory));
  if (!Number.isInteger(memoryMb) || memoryMb < 128 || memoryMb > 10240) {
    throw new Error(`context pipelineLambdaMemoryMb must be a whole number in 128..10240, got ${JSON.stringify(memory)}`);
  }
  return {
    policy: loadPipelineSettings(),
    zipPath: path.resolve(REPO_ROOT, typeof zip === 'string' && zip !== '' ? zip : DEFAULT_PIPELINE_LAMBDA_ZIP),
    memoryMb,
  };
}
