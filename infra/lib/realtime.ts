/**
 * The serverless real-time twin: an API Gateway WebSocket API whose routes (`$connect`,
 * `$disconnect`, `subscribe`, `unsubscribe`, `ping`, `$default`) all invoke
 * `twinstack-realtime-lambda`, which also consumes the table's DynamoDB stream and fans order
 * events out through the stage's `@connections` API. See `crates/realtime-lambda/README.md`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CfnOutput, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ServerlessSettings } from './settings';

/** The stage clients connect to: `wss://{api-id}.execute-api.{region}.amazonaws.com/live`. */
export const REALTIME_STAGE = 'live';
/** Routes selected by `$request.body.action`; each returns the function's acknowledgement. */
export const REALTIME_MESSAGE_ROUTES = ['subscribe', 'unsubscribe', 'ping'];
export const REALTIME_BINARY = 'twinstack-realtime-lambda';

/**
 * The table actions the function uses: GetItem (the user a subscription names), Query
 * (a connection's subscriptions, a user's subscribers), PutItem/DeleteItem, and the parts of its
 * TransactWriteItems (Put/Update/Delete, authorised as PutItem/UpdateItem/DeleteItem).
 */
export const REALTIME_TABLE_ACTIONS = [
  'dynamodb:DeleteItem',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'dynamodb:UpdateItem',
];

/** The stream's event source mapping. */
export const STREAM_BATCH_SIZE = 100;
export const STREAM_RETRY_ATTEMPTS = 5;

/** cargo-lambda writes one directory per binary: the realtime zip sits next to the API's. */
export function realtimeZipPath(apiZipPath: string): string {
  return path.join(path.dirname(path.dirname(apiZipPath)), REALTIME_BINARY, 'bootstrap.zip');
}

export interface RealtimeApiProps {
  /** The single table, with its stream (`table.json`'s `streamViewType`). */
  readonly table: dynamodb.ITableV2;
  readonly settings: ServerlessSettings;
  readonly logRetention: logs.RetentionDays;
}

export class RealtimeApi extends Construct {
  readonly api: apigwv2.WebSocketApi;
  readonly stage: apigwv2.WebSocketStage;
  readonly function: lambda.Function;
  /** Stream records given up on after the retries land here (the mapping's on-failure destination). */
  readonly deadLetters: sqs.Queue;

  constructor(scope: Construct, id: string, props: RealtimeApiProps) {
    super(scope, id);
    const { table, settings } = props;
    const zip = realtimeZipPath(settings.zipPath);
    if (!fs.existsSync(zip)) {
      throw new Error(
        `no Lambda zip at ${zip}: run \`cargo lambda build --release${settings.architecture === 'arm64' ? ' --arm64' : ''} ` +
          `--output-format zip --bin ${REALTIME_BINARY}\` with the same --lambda-dir as twinstack-lambda's zip`,
      );
    }

    const logGroup = new logs.LogGroup(this, 'FunctionLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(this, 'FunctionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${REALTIME_BINARY}: its own log group, this API's @connections, the table and its stream`,
    });
    logGroup.grantWrite(role);
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'TableActionsTheFunctionUses',
        actions: REALTIME_TABLE_ACTIONS,
        resources: [table.tableArn],
      }),
    );

    this.function = new lambda.Function(this, 'Function', {
      description: `${REALTIME_BINARY}: WebSocket routes and the table stream's fan-out`,
      runtime: lambda.Runtime.PROVIDED_AL2023,
      handler: 'bootstrap',
      code: lambda.Code.fromAsset(zip),
      architecture: settings.architecture === 'arm64' ? lambda.Architecture.ARM_64 : lambda.Architecture.X86_64,
      memorySize: settings.memoryMb,
      // A batch of 100 records, each posted to its subscribers: well under this.
      timeout: Duration.seconds(30),
      logGroup,
      role,
      environment: {
        TABLE_NAME: table.tableName,
        RUST_LOG: 'warn',
      },
    });

    const integration = new WebSocketLambdaIntegration('Integration', this.function);
    this.api = new apigwv2.WebSocketApi(this, 'Api', {
      description: 'twinstack real-time feed (serverless twin)',
      routeSelectionExpression: '$request.body.action',
      connectRouteOptions: { integration },
      disconnectRouteOptions: { integration },
      // No route response: the function posts `unknown_action` through @connections.
      defaultRouteOptions: { integration },
    });
    for (const route of REALTIME_MESSAGE_ROUTES) {
      this.api.addRoute(route, { integration, returnResponse: true });
    }
    this.stage = new apigwv2.WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: REALTIME_STAGE,
      autoDeploy: true,
      detailedMetricsEnabled: true,
      throttle: { rateLimit: settings.throttleRate, burstLimit: settings.throttleBurst },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(
          new logs.LogGroup(this, 'AccessLogs', { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY }),
        ),
        format: apigateway.AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            connectionId: '$context.connectionId',
            routeKey: '$context.routeKey',
            eventType: '$context.eventType',
            status: '$context.status',
            integrationLatency: '$context.integrationLatency',
          }),
        ),
      },
    });
    this.function.addEnvironment('CONNECTIONS_ENDPOINT', this.stage.callbackUrl);
    // PostToConnection on this API's stage only: the one management call the function makes.
    const connections = Stack.of(this).formatArn({
      service: 'execute-api',
      resource: this.api.apiId,
      resourceName: `${REALTIME_STAGE}/POST/@connections/*`,
    });
    role.addToPolicy(
      new iam.PolicyStatement({ sid: 'PostToThisApisConnections', actions: ['execute-api:ManageConnections'], resources: [connections] }),
    );

    this.deadLetters = new sqs.Queue(this, 'StreamDeadLetters', {
      retentionPeriod: Duration.days(14),
      enforceSSL: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
    });
    this.function.addEventSource(
      new DynamoEventSource(table, {
        startingPosition: lambda.StartingPosition.LATEST,
        batchSize: STREAM_BATCH_SIZE,
        // The handler reports the first record it could not deliver: Lambda retries from there,
        // so one failure never replays a whole batch, and a user's events stay in order.
        reportBatchItemFailures: true,
        bisectBatchOnError: true,
        retryAttempts: STREAM_RETRY_ATTEMPTS,
        // An order event older than this is news no subscriber needs any more.
        maxRecordAge: Duration.hours(1),
        onFailure: new SqsDlq(this.deadLetters),
      }),
    );

    Validations.of(this.deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: "This queue is the dead-letter destination itself (the stream mapping's on-failure destination); it needs no queue of its own.",
    });
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagArn(Stack.of(this), this.api)}/${REALTIME_STAGE}/POST/@connections/*]`,
      reason: "Connection ids are made by API Gateway at run time: the grant is PostToConnection on this API's one stage, any of its connections.",
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: 'The real-time feed is public by design on both twins, as the API it mirrors; authorisation is out of its scope.',
    });

    new CfnOutput(this, 'Url', { value: this.stage.url, description: 'WebSocket URL of the real-time feed' });
    new CfnOutput(this, 'CallbackUrl', { value: this.stage.callbackUrl, description: '@connections endpoint the function posts to' });
    new CfnOutput(this, 'StreamDeadLettersUrl', { value: this.deadLetters.queueUrl });
  }
}

/** The API's ARN prefix as cdk-nag writes it in a finding: tokens as `<AWS::…>` or `<LogicalId>`. */
function nagArn(stack: Stack, api: apigwv2.WebSocketApi): string {
  const literal = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value);
  const apiId = stack.getLogicalId(api.node.defaultChild as apigwv2.CfnApi);
  return `arn:${literal(stack.partition, 'Partition')}:execute-api:${literal(stack.region, 'Region')}:${literal(stack.account, 'AccountId')}:<${apiId}>`;
}
