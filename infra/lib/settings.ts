/**
 * Everything the stacks take from CDK context (`cdk synth -c key=value`, or `context` in cdk.json),
 * parsed once and checked, so a typo fails the synth instead of deploying something else.
 */
import * as path from 'node:path';
import type { Node } from 'constructs';

/** The repository root: the Lambda zip path and the table definition are relative to it. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/**
 * Where `cargo lambda build --release --arm64 --output-format zip` writes the function
 * (`--lambda-dir` defaults to `target/lambda`, then one directory per binary).
 */
export const DEFAULT_LAMBDA_ZIP = 'target/lambda/twinstack-lambda/bootstrap.zip';
export const DEFAULT_LAMBDA_ARCHITECTURE = 'arm64';
export const DEFAULT_LAMBDA_MEMORY_MB = 128;
/** The ServerlessStack's CloudWatch dashboard (names are unique per account and Region). */
export const DEFAULT_DASHBOARD_NAME = 'twinstack-serverless';

export type LambdaArchitecture = 'arm64' | 'x86_64';

export interface ServerlessSettings {
  /** `lambdaArchitecture`: `arm64` (default, Graviton) or `x86_64` (what CI can build here). */
  readonly architecture: LambdaArchitecture;
  /** `lambdaZip`: absolute path of the cargo-lambda zip (relative values are against the repo root). */
  readonly zipPath: string;
  /** `lambdaMemoryMb`: the function's memory (and so its CPU share); 128–10240. */
  readonly memoryMb: number;
  /** `httpApi`: `true` fronts the function with an HTTP API (v2) instead of the REST API proxy. */
  readonly httpApi: boolean;
  /** `alarmTopicArn`: optional SNS topic the alarms notify. */
  readonly alarmTopicArn?: string;
  /** `dashboardName`: the CloudWatch dashboard's name (letters, digits, `-` and `_`). */
  readonly dashboardName: string;
}

export interface KubernetesSettings {
  /** `namespace`: where the Helm chart is installed (the IRSA trust names it). */
  readonly namespace: string;
  /** `serviceAccount`: the chart's ServiceAccount name (`fullnameOverride` of the release). */
  readonly serviceAccount: string;
  /** `eksPublicAccessCidrs`: comma-separated CIDRs allowed to reach the public API endpoint. */
  readonly publicAccessCidrs: string[];
  /** `rdsMultiAz`: a standby in a second AZ (default false, as in the benchmark). */
  readonly rdsMultiAz: boolean;
  /** `rdsDeletionProtection`: default true; teardown.sh turns it off before destroying. */
  readonly rdsDeletionProtection: boolean;
  /**
   * `clusterAdminArn`: an IAM role or user given cluster-admin through an EKS access entry
   * (deploy-kubernetes.sh passes the caller's, so that its kubectl and helm get in).
   */
  readonly clusterAdminArn?: string;
}

function raw(node: Node, key: string): unknown {
  return node.tryGetContext(key);
}

function text(node: Node, key: string, fallback: string): string {
  const value = raw(node, key);
  if (value === undefined || value === null || value === '') return fallback;
  if (typeof value !== 'string') throw new Error(`context ${key} must be a string, got ${JSON.stringify(value)}`);
  return value;
}

/** Context values from the command line are strings: accept `true`/`false` as well as booleans. */
function flag(node: Node, key: string, fallback: boolean): boolean {
  const value = raw(node, key);
  if (value === undefined || value === null || value === '') return fallback;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new Error(`context ${key} must be true or false, got ${JSON.stringify(value)}`);
}

function integer(node: Node, key: string, fallback: number, min: number, max: number): number {
  const value = raw(node, key);
  if (value === undefined || value === null || value === '') return fallback;
  const parsed = typeof value === 'number' ? value : Number(String(value));
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new Error(`context ${key} must be a whole number in ${min}..${max}, got ${JSON.stringify(value)}`);
  }
  return parsed;
}

export function serverlessSettings(node: Node): ServerlessSettings {
  const architecture = text(node, 'lambdaArchitecture', DEFAULT_LAMBDA_ARCHITECTURE);
  if (architecture !== 'arm64' && architecture !== 'x86_64') {
    throw new Error(`context lambdaArchitecture must be arm64 or x86_64, got ${JSON.stringify(architecture)}`);
  }
  const zip = text(node, 'lambdaZip', DEFAULT_LAMBDA_ZIP);
  const alarmTopicArn = text(node, 'alarmTopicArn', '');
  const dashboardName = text(node, 'dashboardName', DEFAULT_DASHBOARD_NAME);
  if (!/^[A-Za-z0-9_-]{1,255}$/.test(dashboardName)) {
    throw new Error(`context dashboardName may hold only letters, digits, - and _ (at most 255), got ${JSON.stringify(dashboardName)}`);
  }
  return {
    architecture,
    zipPath: path.resolve(REPO_ROOT, zip),
    memoryMb: integer(node, 'lambdaMemoryMb', DEFAULT_LAMBDA_MEMORY_MB, 128, 10240),
    httpApi: flag(node, 'httpApi', false),
    alarmTopicArn: alarmTopicArn === '' ? undefined : alarmTopicArn,
    dashboardName,
  };
}

export function kubernetesSettings(node: Node): KubernetesSettings {
  const cidrs = text(node, 'eksPublicAccessCidrs', '')
    .split(',')
    .map((cidr) => cidr.trim())
    .filter((cidr) => cidr !== '');
  return {
    namespace: text(node, 'namespace', 'twinstack'),
    serviceAccount: text(node, 'serviceAccount', 'twinstack'),
    publicAccessCidrs: cidrs,
    rdsMultiAz: flag(node, 'rdsMultiAz', false),
    rdsDeletionProtection: flag(node, 'rdsDeletionProtection', true),
    clusterAdminArn: text(node, 'clusterAdminArn', '') || undefined,
  };
}
