/**
 * The app: both stacks, checked by cdk-nag's AwsSolutions pack. Every finding is either fixed or
 * acknowledged next to the resource with its reason (`Validations.of(x).acknowledge`).
 *
 * Context `stacks` = `all` (default) | `serverless` | `kubernetes` picks which stacks exist, so that
 * the Kubernetes twin deploys without the Lambda zip having been built.
 */
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { KubernetesStack } from './kubernetes-stack';
import { ServerlessStack } from './serverless-stack';

export interface TwinstackApp {
  readonly app: App;
  readonly serverless?: ServerlessStack;
  readonly kubernetes?: KubernetesStack;
}

export function createApp(props: AppProps = {}): TwinstackApp {
  const app = new App(props);
  const stacks = String(app.node.tryGetContext('stacks') ?? 'all');
  if (!['all', 'serverless', 'kubernetes'].includes(stacks)) {
    throw new Error(`context stacks must be all, serverless or kubernetes, got ${JSON.stringify(stacks)}`);
  }
  const env = {
    account: process.env.CDK_DEFAULT_ACCOUNT,
    region: process.env.CDK_DEFAULT_REGION,
  };
  const serverless = stacks !== 'kubernetes' ? new ServerlessStack(app, 'ServerlessStack', { env }) : undefined;
  const kubernetes = stacks !== 'serverless' ? new KubernetesStack(app, 'KubernetesStack', { env }) : undefined;
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, serverless, kubernetes };
}
