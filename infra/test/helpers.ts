/** Shared by the tests: the app as `cdk synth` builds it (cdk.json's feature flags included). */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createApp } from '../lib/app';
import type { KubernetesFailoverStack } from '../lib/kubernetes-failover-stack';
import type { KubernetesStack } from '../lib/kubernetes-stack';
import type { PipelineStack } from '../lib/pipeline-stack';
import type { ServerlessStack } from '../lib/serverless-stack';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const cdkJson = require('../cdk.json') as { context: Record<string, unknown> };

/** Every temp dir this test process makes, removed when it exits. */
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'twinstack-cdk-test-'));
process.on('exit', () => fs.rmSync(scratch, { recursive: true, force: true }));

/**
 * A stand-in for the cargo-lambda zip, in a temp dir, for assertions on the template (which do
 * not look inside the zip). `cdk synth` in CI uses the real zip (deploy/scripts/validate-deployables.sh).
 */
export function fixtureZip(): string {
  // cargo-lambda's layout, one directory per binary: the real-time function's zip sits beside it.
  for (const binary of ['twinstack-lambda', 'twinstack-realtime-lambda']) {
    const zip = path.join(scratch, 'lambda', binary, 'bootstrap.zip');
    if (!fs.existsSync(zip)) {
      fs.mkdirSync(path.dirname(zip), { recursive: true });
      fs.writeFileSync(zip, 'not a real function: template assertions only');
    }
  }
  return path.join(scratch, 'lambda', 'twinstack-lambda', 'bootstrap.zip');
}

export interface BuiltApp {
  readonly app: ReturnType<typeof createApp>['app'];
  readonly serverless: ServerlessStack;
  readonly serverlessStandby: ServerlessStack;
  readonly kubernetes: KubernetesStack;
  readonly kubernetesStandby: KubernetesStack;
  readonly kubernetesFailover: KubernetesFailoverStack;
  readonly pipeline: PipelineStack;
  readonly outdir: string;
}

/** The app with cdk.json's context plus `context` (every stack, standbys included); its assembly goes to a temp dir. */
export function buildApp(context: Record<string, unknown> = {}): BuiltApp {
  const outdir = fs.mkdtempSync(path.join(scratch, 'out-'));
  const built = createApp({ outdir, context: { ...cdkJson.context, ...context } });
  const { serverless, serverlessStandby, kubernetes, kubernetesStandby, kubernetesFailover, pipeline } = built;
  if (!serverless || !serverlessStandby || !kubernetes || !kubernetesStandby || !kubernetesFailover || !pipeline) {
    throw new Error('buildApp builds every stack');
  }
  return { app: built.app, serverless, serverlessStandby, kubernetes, kubernetesStandby, kubernetesFailover, pipeline, outdir };
}

/** `buildApp` with the fixture zip for both functions unless the context names one. */
export function buildAppWithZip(context: Record<string, unknown> = {}): BuiltApp {
  return buildApp({ lambdaZip: fixtureZip(), pipelineLambdaZip: fixtureZip(), ...context });
}

export { cdkJson };
