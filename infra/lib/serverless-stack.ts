/**
 * The serverless twin: `twinstack-lambda` (the cargo-lambda zip, provided.al2023) behind API
 * Gateway, on the DynamoDB table that `crates/store-dynamodb/table.json` defines.
 */
import * as fs from 'node:fs';
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { type ApiMetricSource, serverlessDashboard } from './dashboard';
import { type ServerlessSettings, serverlessSettings } from './settings';
import { type KeyType, type TableDefinition, loadTableDefinition } from './table-definition';

/**
 * What the function does to the table at run time, and nothing more: reads (GetItem, BatchGetItem
 * for the catalogue, Query for order listings) and the writes inside UpdateItem and
 * TransactWriteItems (whose Put/Update/Delete parts are authorised as PutItem/UpdateItem/DeleteItem).
 * Creating, scanning and bulk-loading tables is the seeder's business, run with other credentials.
 */
export const FUNCTION_TABLE_ACTIONS = [
  'dynamodb:BatchGetItem',
  'dynamodb:DeleteItem',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'dynamodb:UpdateItem',
];

/** `REQUEST_TIMEOUT_MS` on the function; its own timeout sits above it, API Gateway's (29 s) above that. */
export const REQUEST_TIMEOUT_MS = 10_000;
export const FUNCTION_TIMEOUT = Duration.seconds(15);
export const LOG_RETENTION = logs.RetentionDays.ONE_MONTH;
/** p99 latency (ms) at the API above which the latency alarm fires (context `latencyP99AlarmMs`). */
export const DEFAULT_LATENCY_P99_ALARM_MS = 1000;

export interface ServerlessStackProps extends StackProps {
  /** Defaults to the CDK context (see `settings.ts`). */
  readonly settings?: ServerlessSettings;
  /** Defaults to `crates/store-dynamodb/table.json`. */
  readonly table?: TableDefinition;
}

export function missingZipMessage(settings: ServerlessSettings): string {
  const build =
    settings.architecture === 'arm64'
      ? 'cargo lambda build --release --arm64 --output-format zip --bin twinstack-lambda'
      : 'cargo lambda build --release --output-format zip --bin twinstack-lambda';
  return (
    `no Lambda zip at ${settings.zipPath}: run \`${build}\` at the repository root, ` +
    'or pass -c lambdaZip=PATH -c lambdaArchitecture=arm64|x86_64 (or -c stacks=kubernetes to leave ServerlessStack out)'
  );
}

function attributeType(type: KeyType): dynamodb.AttributeType {
  switch (type) {
    case 'S':
      return dynamodb.AttributeType.STRING;
    case 'N':
      return dynamodb.AttributeType.NUMBER;
    case 'B':
      return dynamodb.AttributeType.BINARY;
  }
}

export class ServerlessStack extends Stack {
  readonly table: dynamodb.Table;
  readonly function: lambda.Function;
  readonly apiUrl: string;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ServerlessStackProps = {}) {
    super(scope, id, {
      description: 'twinstack serverless twin: Lambda (Rust, provided.al2023) + API Gateway + DynamoDB',
      ...props,
    });
    const settings = props.settings ?? serverlessSettings(this.node);
    const definition = props.table ?? loadTableDefinition();

    this.table = new dynamodb.Table(this, 'Table', {
      tableName: definition.tableName,
      partitionKey: { name: definition.partitionKey.name, type: attributeType(definition.partitionKey.type) },
      sortKey: { name: definition.sortKey.name, type: attributeType(definition.sortKey.type) },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: definition.timeToLiveAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: definition.pointInTimeRecovery },
      // The data outlives the stack; teardown.sh --purge deletes it explicitly.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const logGroup = new logs.LogGroup(this, 'FunctionLogs', {
      retention: LOG_RETENTION,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // An explicit role: the default one carries the AWS-managed AWSLambdaBasicExecutionRole, which
    // may write to every log group in the account.
    const role = new iam.Role(this, 'FunctionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'twinstack-lambda: its own log group, X-Ray, and the table actions it uses',
    });
    logGroup.grantWrite(role);
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'TableActionsTheFunctionUses',
        actions: FUNCTION_TABLE_ACTIONS,
        resources: [this.table.tableArn],
      }),
    );

    this.function = new lambda.Function(this, 'Function', {
      description: 'twinstack-lambda: the twinstack API on DynamoDB',
      runtime: lambda.Runtime.PROVIDED_AL2023,
      handler: 'bootstrap',
      code: this.functionCode(settings),
      architecture: settings.architecture === 'arm64' ? lambda.Architecture.ARM_64 : lambda.Architecture.X86_64,
      memorySize: settings.memoryMb,
      timeout: FUNCTION_TIMEOUT,
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      role,
      environment: {
        TABLE_NAME: this.table.tableName,
        REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
        RUST_LOG: 'warn,twinstack::request=info',
      },
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions, so their resource is "*" (added by the Function construct).',
    });

    const api = settings.httpApi ? this.httpApi() : this.restApi();
    this.apiUrl = api.url;

    this.addAlarms(api.latency, api.serverErrors, settings);
    this.dashboard = serverlessDashboard(this, 'Dashboard', {
      dashboardName: settings.dashboardName,
      function: this.function,
      table: this.table,
      api: api.metrics,
      apiKind: settings.httpApi ? 'HTTP' : 'REST',
    });

    new CfnOutput(this, 'ApiUrl', { value: this.apiUrl, description: 'Base URL; the API is under /api' });
    new CfnOutput(this, 'ApiKind', { value: settings.httpApi ? 'http' : 'rest' });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'FunctionName', { value: this.function.functionName });
    new CfnOutput(this, 'LambdaArchitecture', { value: settings.architecture });
    new CfnOutput(this, 'DashboardName', { value: settings.dashboardName, description: 'CloudWatch dashboard of the serverless twin' });
  }

  /** The zip as cargo-lambda wrote it; without it there is nothing to deploy, so say how to build it. */
  private functionCode(settings: ServerlessSettings): lambda.Code {
    if (!fs.existsSync(settings.zipPath)) {
      throw new Error(missingZipMessage(settings));
    }
    return lambda.Code.fromAsset(settings.zipPath);
  }

  private accessLogGroup(): logs.LogGroup {
    return new logs.LogGroup(this, 'ApiAccessLogs', {
      retention: LOG_RETENTION,
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }

  /** REST API, proxy integration (as in the article). The function strips the stage from the path. */
  private restApi(): ApiParts {
    const api = new apigateway.LambdaRestApi(this, 'Api', {
      handler: this.function,
      proxy: true,
      description: 'twinstack serverless twin (REST API, Lambda proxy)',
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      // Execution logging needs the account-level API Gateway role.
      cloudWatchRole: true,
      deployOptions: {
        stageName: 'prod',
        tracingEnabled: true,
        metricsEnabled: true,
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogGroup()),
        accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields(),
      },
    });
    const acknowledgements = [
      {
        id: 'AwsSolutions-APIG2',
        reason:
          'Proxy integration: the application validates every request itself and answers 400/422 in the same error envelope as the Kubernetes twin; a gateway validator would make the twins differ.',
      },
      {
        id: 'AwsSolutions-APIG3',
        reason:
          'No WAF on the benchmark API, as on the Kubernetes twin (whose ingress has none either); attach a WAFv2 web ACL to the stage for production traffic.',
      },
      {
        id: 'AwsSolutions-APIG4',
        reason: 'The twinstack API is public by design on both twins; authorisation is out of its scope.',
      },
      {
        id: 'AwsSolutions-COG4',
        reason: 'The twinstack API is public by design on both twins; there is no Cognito user pool to authorise against.',
      },
    ];
    Validations.of(api).acknowledge(...acknowledgements);
    const cloudWatchRole = api.node.tryFindChild('CloudWatchRole');
    if (cloudWatchRole) {
      Validations.of(cloudWatchRole).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          "API Gateway's account-level logging role: AmazonAPIGatewayPushToCloudWatchLogs is the policy AWS documents for it, and API Gateway writes to log groups it names itself.",
      });
    }
    return {
      url: api.url,
      metrics: api,
      latency: api.metricLatency({ statistic: 'p99', period: Duration.minutes(5) }),
      serverErrors: api.metricServerError({ statistic: 'Sum', period: Duration.minutes(5) }),
    };
  }

  /** HTTP API (v2), `$default` stage and route: cheaper and faster than REST, fewer features. */
  private httpApi(): ApiParts {
    const api = new apigwv2.HttpApi(this, 'HttpApi', {
      description: 'twinstack serverless twin (HTTP API)',
      defaultIntegration: new HttpLambdaIntegration('Function', this.function),
      createDefaultStage: false,
    });
    const stage = api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      detailedMetricsEnabled: true,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogGroup()),
        format: apigateway.AccessLogFormat.jsonWithStandardFields(),
      },
    });
    Validations.of(api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: 'The twinstack API is public by design on both twins; authorisation is out of its scope.',
    });
    return {
      url: `${stage.url}`,
      metrics: api,
      latency: api.metricLatency({ statistic: 'p99', period: Duration.minutes(5) }),
      serverErrors: api.metricServerError({ statistic: 'Sum', period: Duration.minutes(5) }),
    };
  }

  private addAlarms(latency: cloudwatch.IMetric, serverErrors: cloudwatch.IMetric, settings: ServerlessSettings): void {
    const latencyMs = Number(this.node.tryGetContext('latencyP99AlarmMs') ?? DEFAULT_LATENCY_P99_ALARM_MS);
    const period = Duration.minutes(5);
    const specs: Array<[string, cloudwatch.IMetric, number, string]> = [
      [
        'FunctionErrors',
        this.function.metricErrors({ statistic: 'Sum', period }),
        1,
        'twinstack-lambda failed invocations (crashes, timeouts), not 5xx answers',
      ],
      ['ApiServerErrors', serverErrors, 5, '5xx answers seen by clients of the API'],
      ['FunctionThrottles', this.function.metricThrottles({ statistic: 'Sum', period }), 1, 'throttled invocations'],
      ['ApiLatencyP99', latency, latencyMs, `p99 latency at the API above ${latencyMs} ms`],
    ];
    const topic = settings.alarmTopicArn ? sns.Topic.fromTopicArn(this, 'AlarmTopic', settings.alarmTopicArn) : undefined;
    for (const [id, metric, threshold, description] of specs) {
      const alarm = new cloudwatch.Alarm(this, id, {
        metric,
        threshold,
        evaluationPeriods: id === 'ApiLatencyP99' ? 3 : 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      if (topic) alarm.addAlarmAction(new cloudwatchActions.SnsAction(topic));
      this.alarms.push(alarm);
    }
  }
}

interface ApiParts {
  readonly url: string;
  readonly metrics: ApiMetricSource;
  readonly latency: cloudwatch.IMetric;
  readonly serverErrors: cloudwatch.IMetric;
}
