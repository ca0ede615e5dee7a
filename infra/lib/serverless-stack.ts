/**
 * The serverless twin: `twinstack-lambda` (the cargo-lambda zip, provided.al2023) behind API
 * Gateway, on the DynamoDB table that `crates/store-dynamodb/table.json` defines.
 *
 * Disaster recovery: the table is a global table (`AWS::DynamoDB::GlobalTable`) with a replica in
 * the standby region, where the same class (`role: 'standby'`) deploys the function and API on that
 * replica. Each region serves `serverless.<domainName>` through an API Gateway custom domain, and
 * its Route 53 failover record (PRIMARY here, SECONDARY there) answers while the health check on
 * its own `/api/health` passes.
 */
import * as fs from 'node:fs';
import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { type ApiMetricSource, serverlessDashboard } from './dashboard';
import { RealtimeApi } from './realtime';
import { HEALTH_PATH, failover, healthCheck, hostedZone } from './failover';
import { type DrSettings, type ServerlessSettings, drSettings, serverlessSettings } from './settings';
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

/** The serverless twin's failover name: `serverless.<domainName>`. */
export const SERVERLESS_RECORD = 'serverless';
/** The REST API's stage; its path prefix is part of the health check's path. */
export const REST_STAGE = 'prod';

export interface ServerlessStackProps extends StackProps {
  /** Defaults to the CDK context (see `settings.ts`). */
  readonly settings?: ServerlessSettings;
  /** Defaults to the CDK context (see `settings.ts`). */
  readonly dr?: DrSettings;
  /** `primary` (default: owns the global table) or `standby` (serves the table's replica in `dr.standbyRegion`). */
  readonly role?: 'primary' | 'standby';
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
  readonly table: dynamodb.ITableV2;
  readonly function: lambda.Function;
  readonly apiUrl: string;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;
  /** Undefined with `-c domainName=none`. */
  readonly healthCheck?: route53.HealthCheck;
  /** The real-time feed; the primary region's only (it consumes that table's stream). */
  readonly realtime?: RealtimeApi;

  constructor(scope: Construct, id: string, props: ServerlessStackProps = {}) {
    super(scope, id, {
      description: `twinstack serverless twin${props.role === 'standby' ? ' (disaster-recovery standby)' : ''}: Lambda (Rust, provided.al2023) + API Gateway + DynamoDB`,
      ...props,
    });
    const settings = props.settings ?? serverlessSettings(this.node);
    const dr = props.dr ?? drSettings(this.node);
    const regionRole = props.role ?? 'primary';
    const definition = props.table ?? loadTableDefinition();

    this.table =
      regionRole === 'primary'
        ? new dynamodb.TableV2(this, 'Table', {
            tableName: definition.tableName,
            partitionKey: { name: definition.partitionKey.name, type: attributeType(definition.partitionKey.type) },
            sortKey: { name: definition.sortKey.name, type: attributeType(definition.sortKey.type) },
            billing: dynamodb.Billing.onDemand(),
            timeToLiveAttribute: definition.timeToLiveAttribute,
            dynamoStream: dynamodb.StreamViewType[definition.streamViewType],
            pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: definition.pointInTimeRecovery },
            // Replicated writes (active-active): the standby region's function works on this replica.
            replicas: dr.standbyRegion ? [{ region: dr.standbyRegion }] : [],
            // The data outlives the stack; teardown.sh --purge deletes it explicitly.
            removalPolicy: RemovalPolicy.RETAIN,
          })
        : dynamodb.TableV2.fromTableName(this, 'Table', definition.tableName);

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
      // Caps what a flood can cost and keeps the rest of the account's concurrency for others.
      reservedConcurrentExecutions: settings.reservedConcurrency > 0 ? settings.reservedConcurrency : undefined,
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

    if (regionRole === 'primary') {
      this.realtime = new RealtimeApi(this, 'Realtime', { table: this.table, settings, logRetention: LOG_RETENTION });
    }

    const api = settings.httpApi ? this.httpApi(settings) : this.restApi(settings);
    this.apiUrl = api.url;
    const domainName = dr.domainName;
    this.healthCheck = domainName ? this.failoverRecord({ ...dr, domainName }, regionRole, api) : undefined;

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

  /**
   * `serverless.<domainName>` served by this region's API through a custom domain (a regional
   * certificate validated in the hosted zone), and this region's failover record for it, which
   * Route 53 answers with while the health check on this API's own `/api/health` passes.
   */
  private failoverRecord(dr: DrSettings & { domainName: string }, role: 'primary' | 'standby', api: ApiParts): route53.HealthCheck {
    const zone = hostedZone(this, dr);
    const domainName = `${SERVERLESS_RECORD}.${dr.domainName}`;
    const certificate = new acm.Certificate(this, 'Certificate', {
      domainName,
      validation: acm.CertificateValidation.fromDns(zone),
    });
    const target = api.customDomain(domainName, certificate);
    const check = healthCheck(this, 'Health', { fqdn: api.executeApiHost, path: api.healthPath, protocol: 'HTTPS' });
    const failoverRole = role === 'primary' ? 'PRIMARY' : 'SECONDARY';
    new route53.ARecord(this, 'Failover', {
      zone,
      recordName: domainName,
      target,
      setIdentifier: `serverless-${role}-${this.region}`,
      failover: failover(failoverRole),
      healthCheck: check,
    });
    new CfnOutput(this, 'FailoverUrl', { value: `https://${domainName}`, description: `${failoverRole} record; health check on ${api.healthPath}` });
    new CfnOutput(this, 'HealthCheckId', { value: check.healthCheckId });
    return check;
  }

  /** REST API, proxy integration (as in the article). The function strips the stage from the path. */
  private restApi(settings: ServerlessSettings): ApiParts {
    const api = new apigateway.LambdaRestApi(this, 'Api', {
      handler: this.function,
      proxy: true,
      description: 'twinstack serverless twin (REST API, Lambda proxy)',
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      // Execution logging needs the account-level API Gateway role.
      cloudWatchRole: true,
      deployOptions: {
        stageName: REST_STAGE,
        // Every method of the stage: beyond these rates API Gateway answers 429 before the function runs.
        throttlingRateLimit: settings.throttleRate,
        throttlingBurstLimit: settings.throttleBurst,
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
      executeApiHost: `${api.restApiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}`,
      healthPath: `/${REST_STAGE}${HEALTH_PATH}`,
      customDomain: (domainName, certificate) => {
        const domain = new apigateway.DomainName(this, 'Domain', {
          domainName,
          certificate,
          endpointType: apigateway.EndpointType.REGIONAL,
          securityPolicy: apigateway.SecurityPolicy.TLS_1_2,
        });
        domain.addBasePathMapping(api, { stage: api.deploymentStage });
        return failoverAlias(domain.domainNameAliasDomainName, domain.domainNameAliasHostedZoneId);
      },
    };
  }

  /** HTTP API (v2), `$default` stage and route: cheaper and faster than REST, fewer features. */
  private httpApi(settings: ServerlessSettings): ApiParts {
    const api = new apigwv2.HttpApi(this, 'HttpApi', {
      description: 'twinstack serverless twin (HTTP API)',
      defaultIntegration: new HttpLambdaIntegration('Function', this.function),
      createDefaultStage: false,
    });
    const stage = api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      detailedMetricsEnabled: true,
      // Beyond these rates API Gateway answers 429 before the function runs.
      throttle: { rateLimit: settings.throttleRate, burstLimit: settings.throttleBurst },
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
      executeApiHost: `${api.apiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}`,
      healthPath: HEALTH_PATH,
      customDomain: (domainName, certificate) => {
        const domain = new apigwv2.DomainName(this, 'Domain', { domainName, certificate });
        new apigwv2.ApiMapping(this, 'DomainMapping', { api, domainName: domain, stage });
        return failoverAlias(domain.regionalDomainName, domain.regionalHostedZoneId);
      },
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

/**
 * An alias to an API Gateway regional domain that also follows its target's health: Route 53
 * requires EvaluateTargetHealth on failover aliases (the health check decides beside it).
 */
function failoverAlias(dnsName: string, hostedZoneId: string): route53.RecordTarget {
  return route53.RecordTarget.fromAlias({ bind: () => ({ dnsName, hostedZoneId, evaluateTargetHealth: true }) });
}

interface ApiParts {
  readonly url: string;
  readonly metrics: ApiMetricSource;
  readonly latency: cloudwatch.IMetric;
  readonly serverErrors: cloudwatch.IMetric;
  /** The API's own regional host (`{id}.execute-api.{region}.amazonaws.com`), which the health check calls. */
  readonly executeApiHost: string;
  /** `/api/health` on that host (behind the stage's prefix on a REST API). */
  readonly healthPath: string;
  /** Serves the API under `domainName` too; returns what the record aliases. */
  readonly customDomain: (domainName: string, certificate: acm.ICertificate) => route53.RecordTarget;
}
