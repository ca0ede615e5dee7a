/**
 * The app: both twins in the primary region and, for disaster recovery, their standby copies in
 * `drRegion` (the same stack classes), checked by cdk-nag's AwsSolutions pack. Every finding is
 * either fixed or acknowledged next to the resource with its reason (`Validations.of(x).acknowledge`).
 *
 * Context `stacks` = `all` (default) | `serverless` | `kubernetes` | `pipeline` picks which twins exist
 * (`pipeline`: PipelineStack alone, which `all` includes), so that the Kubernetes twin deploys
 * without the Lambda zips having been built; `drRegion=none` leaves
 * the standby stacks out, `domainName=none` the custom domains, health checks and failover records.
 */
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { KubernetesFailoverStack } from './kubernetes-failover-stack';
import { KubernetesStack } from './kubernetes-stack';
import { PipelineStack } from './pipeline-stack';
import { ServerlessStack } from './serverless-stack';
import { drSettings } from './settings';

export interface TwinstackApp {
  readonly app: App;
  readonly serverless?: ServerlessStack;
  readonly serverlessStandby?: ServerlessStack;
  readonly kubernetes?: KubernetesStack;
  readonly kubernetesStandby?: KubernetesStack;
  readonly kubernetesFailover?: KubernetesFailoverStack;
  readonly pipeline?: PipelineStack;
}

/** Stack names the deploy scripts use. */
export const STACK_NAMES = {
  serverless: 'ServerlessStack',
  serverlessStandby: 'ServerlessStandbyStack',
  kubernetes: 'KubernetesStack',
  kubernetesStandby: 'KubernetesStandbyStack',
  kubernetesFailover: 'KubernetesFailoverStack',
  pipeline: 'PipelineStack',
} as const;

export function createApp(props: AppProps = {}): TwinstackApp {
  const app = new App(props);
  const stacks = String(app.node.tryGetContext('stacks') ?? 'all');
  if (!['all', 'serverless', 'kubernetes', 'pipeline'].includes(stacks)) {
    throw new Error(`context stacks must be all, serverless, kubernetes or pipeline, got ${JSON.stringify(stacks)}`);
  }
  const dr = drSettings(app.node);
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  const primary = { account, region: dr.primaryRegion };
  const standby = dr.standbyRegion ? { account, region: dr.standbyRegion } : undefined;

  let built: TwinstackApp = { app };
  if (stacks === 'all' || stacks === 'serverless') {
    built = {
      ...built,
      serverless: new ServerlessStack(app, STACK_NAMES.serverless, { env: primary, dr, role: 'primary' }),
      serverlessStandby: standby
        ? new ServerlessStack(app, STACK_NAMES.serverlessStandby, { env: standby, dr, role: 'standby' })
        : undefined,
    };
  }
  if (stacks === 'all' || stacks === 'kubernetes') {
    built = {
      ...built,
      kubernetes: new KubernetesStack(app, STACK_NAMES.kubernetes, { env: primary, dr, role: 'primary' }),
      kubernetesStandby: standby
        ? new KubernetesStack(app, STACK_NAMES.kubernetesStandby, { env: standby, dr, role: 'standby' })
        : undefined,
      kubernetesFailover: standby && dr.domainName ? new KubernetesFailoverStack(app, STACK_NAMES.kubernetesFailover, { env: primary, dr }) : undefined,
    };
  }
  if (stacks === 'all' || stacks === 'pipeline') {
    built = { ...built, pipeline: new PipelineStack(app, STACK_NAMES.pipeline, { env: primary }) };
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return built;
}
