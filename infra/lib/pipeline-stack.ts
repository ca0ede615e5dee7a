/**
 * The data-processing workload on the serverless side: `twinstack-pipeline-lambda` (the cargo-lambda
 * zip, provided.al2023) driven by a Step Functions state machine.
 *
 *   Chunks (Distributed Map, S3 ItemReader listing `<input>/chunk-`, the chunk objects
 *     `twinstack pipeline generate` writes): one child execution per chunk invokes the function with
 *     a chunk event, which runs extract → validate → transform → aggregate and writes the chunk's
 *     partial under `<output>/partials/` (its rejects under `<output>/rejects/`). Lambda service errors and
 *     throttling, and a failed stage, are retried with backoff; a chunk still failing ends its child
 *     in `ChunkFailed`, whose cause names the chunk, and the ResultWriter's FAILED file keeps its input.
 *     Up to `toleratedFailurePercentage` of the chunks may fail before the whole run fails.
 *   Reduce: the function with a reduce event merges the partials and loads the result into the
 *     serverless twin's table (`crates/store-dynamodb/table.json`; ServerlessStack owns it), as items
 *     of their own (`PK = PIPELINE#…`, crates/pipeline-stores).
 *
 * Execution input: `{"input": "runs/R/input", "output": "runs/R/output"}`, two prefixes in the bucket.
 * Concurrency and retries come from `deploy/pipeline/settings.json` (see pipeline-settings.ts).
 */
import * as fs from 'node:fs';
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { acknowledgePolicyWildcards, acknowledgeWildcards } from './nag';
import { type PipelineSettings, type PipelineStackSettings, pipelineStackSettings } from './pipeline-settings';
import { type LambdaArchitecture, serverlessSettings } from './settings';
import { loadTableDefinition } from './table-definition';

/** What Step Functions raises when Lambda itself fails or throttles (not the function's own errors). */
export const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

/** The reduce step upserts the aggregates: single and batched puts, nothing else. */
export const PIPELINE_TABLE_ACTIONS = ['dynamodb:BatchWriteItem', 'dynamodb:PutItem'];

/** How every chunk object's name starts (twinstack_pipeline::chunk_key: `chunk-00042.ndjson`). */
export const CHUNK_KEY_PREFIX = 'chunk-';
/** Where the Distributed Map's ResultWriter puts each map run's manifest and result files. */
export const MAP_RESULTS_PREFIX = 'map-runs/';
export const PIPELINE_FUNCTION_NAME = 'twinstack-pipeline-lambda';
/** A 10,000-record chunk takes well under a second; the reduce of 100 partials and its load, seconds. */
export const PIPELINE_FUNCTION_TIMEOUT = Duration.minutes(5);
export const PIPELINE_LOG_RETENTION = logs.RetentionDays.ONE_MONTH;

export interface PipelineStackProps extends StackProps {
  /** Defaults to the CDK context and deploy/pipeline/settings.json (see pipeline-settings.ts). */
  readonly settings?: PipelineStackSettings;
  /** `lambdaArchitecture` of the CDK context unless given. */
  readonly architecture?: LambdaArchitecture;
}

export function missingPipelineZipMessage(zipPath: string, architecture: LambdaArchitecture): string {
  const arch = architecture === 'arm64' ? ' --arm64' : '';
  return (
    `no Lambda zip at ${zipPath}: run \`cargo lambda build --release${arch} --output-format zip --bin ${PIPELINE_FUNCTION_NAME}\` ` +
    'at the repository root, or pass -c pipelineLambdaZip=PATH (or -c stacks=serverless|kubernetes to leave PipelineStack out)'
  );
}

/** The retry policy of the settings file, on the given errors. */
function retryProps(policy: PipelineSettings, errors: string[]): sfn.RetryProps {
  return {
    errors,
    maxAttempts: policy.retry.maxAttempts,
    interval: Duration.seconds(policy.retry.intervalSeconds),
    backoffRate: policy.retry.backoffRate,
  };
}

/**
 * Lambda service errors and throttling first, then a failed stage (the function's own error, e.g.
 * an unreadable chunk; its errorType is ChunkFailed, ReduceFailed or BadEvent, see
 * crates/pipeline-lambda/src/function.rs, all matched by States.TaskFailed): each retrier counts
 * its own attempts, both follow the settings file.
 */
function addRetries(task: tasks.LambdaInvoke, policy: PipelineSettings): void {
  task.addRetry(retryProps(policy, LAMBDA_SERVICE_ERRORS));
  task.addRetry(retryProps(policy, [sfn.Errors.TASKS_FAILED]));
}

export class PipelineStack extends Stack {
  readonly bucket: s3.Bucket;
  readonly table: dynamodb.ITableV2;
  readonly function: lambda.Function;
  readonly stateMachine: sfn.StateMachine;
  readonly chunks: sfn.DistributedMap;

  constructor(scope: Construct, id: string, props: PipelineStackProps = {}) {
    super(scope, id, {
      description: 'twinstack pipeline, serverless: Step Functions Distributed Map + Lambda (Rust) over S3, loading DynamoDB',
      ...props,
    });
    const settings = props.settings ?? pipelineStackSettings(this.node);
    const architecture = props.architecture ?? serverlessSettings(this.node).architecture;
    const policy = settings.policy;

    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.bucket = new s3.Bucket(this, 'Data', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'data/',
      // The input outlives the stack (it is regenerated deterministically, but may be large).
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.table = dynamodb.TableV2.fromTableName(this, 'Table', loadTableDefinition().tableName);

    this.function = this.pipelineFunction(settings, architecture);

    const chunkTask = new tasks.LambdaInvoke(this, 'ProcessChunk', {
      lambdaFunction: this.function,
      // The event is the map item as ItemSelector shaped it, and the result is the function's own.
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
    });
    addRetries(chunkTask, policy);
    const chunkFailed = new sfn.Fail(this, 'ChunkFailed', {
      error: 'ChunkFailed',
      causePath: sfn.JsonPath.format('chunk {} failed: {}', sfn.JsonPath.stringAt('$.item.Key'), sfn.JsonPath.stringAt('$.failure.Cause')),
    });
    chunkTask.addCatch(chunkFailed, { errors: [sfn.Errors.ALL], resultPath: '$.failure' });

    this.chunks = new sfn.DistributedMap(this, 'Chunks', {
      // The chunks only: the input's manifest.json sits beside them.
      itemReader: new sfn.S3ObjectsItemReader({ bucket: this.bucket, prefix: sfn.JsonPath.format(`{}/${CHUNK_KEY_PREFIX}`, sfn.JsonPath.stringAt('$.input')) }),
      // The chunk event twinstack-pipeline-lambda reads: deploy/pipeline/events/chunk.json.
      itemSelector: {
        kind: 'chunk',
        bucket: this.bucket.bucketName,
        item: sfn.JsonPath.objectAt('$$.Map.Item.Value'),
        input: sfn.JsonPath.stringAt('$.input'),
        output: sfn.JsonPath.stringAt('$.output'),
      },
      mapExecutionType: sfn.StateMachineType.STANDARD,
      maxConcurrency: policy.maxConcurrency,
      toleratedFailurePercentage: policy.toleratedFailurePercentage,
      resultWriterV2: new sfn.ResultWriterV2({ bucket: this.bucket, prefix: MAP_RESULTS_PREFIX }),
      resultPath: '$.mapRun',
    });
    this.chunks.itemProcessor(chunkTask);

    const reduceTask = new tasks.LambdaInvoke(this, 'ReduceAndLoad', {
      lambdaFunction: this.function,
      // The reduce event: deploy/pipeline/events/reduce.json.
      payload: sfn.TaskInput.fromObject({
        kind: 'reduce',
        bucket: this.bucket.bucketName,
        output: sfn.JsonPath.stringAt('$.output'),
        manifest: sfn.JsonPath.objectAt('$.mapRun.ResultWriterDetails'),
      }),
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
    });
    addRetries(reduceTask, policy);

    const logGroup = new logs.LogGroup(this, 'StateMachineLogs', {
      retention: PIPELINE_LOG_RETENTION,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      comment: 'twinstack pipeline: chunks in parallel (Distributed Map), then reduce and load',
      definitionBody: sfn.DefinitionBody.fromChainable(this.chunks.next(reduceTask)),
      stateMachineType: sfn.StateMachineType.STANDARD,
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    acknowledgeWildcards(
      this.stateMachine.role as iam.Role,
      'Granted by the Step Functions constructs: invoking the function and its versions (ARN:*), writing map results under the bucket (ARN/*), and X-Ray and log-delivery actions that support no resource-level permissions.',
    );
    acknowledgePolicyWildcards(
      this.stateMachine.node.findChild('DistributedMapPolicy') as iam.Policy,
      "A Distributed Map starts, describes and stops its own child executions, whose names Step Functions generates: the wildcard stays inside this state machine's executions.",
    );

    new CfnOutput(this, 'BucketName', { value: this.bucket.bucketName, description: 'Chunks, partials and map results' });
    new CfnOutput(this, 'StateMachineArn', { value: this.stateMachine.stateMachineArn });
    new CfnOutput(this, 'PipelineFunctionName', { value: this.function.functionName });
    new CfnOutput(this, 'TableName', { value: this.table.tableName, description: 'where the reduce loads the aggregates' });
  }

  private pipelineFunction(settings: PipelineStackSettings, architecture: LambdaArchitecture): lambda.Function {
    if (!fs.existsSync(settings.zipPath)) throw new Error(missingPipelineZipMessage(settings.zipPath, architecture));
    const logGroup = new logs.LogGroup(this, 'FunctionLogs', {
      retention: PIPELINE_LOG_RETENTION,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // An explicit role: the default one carries AWSLambdaBasicExecutionRole (every log group in the account).
    const role = new iam.Role(this, 'FunctionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${PIPELINE_FUNCTION_NAME}: its log group, X-Ray, the pipeline bucket and the aggregates it loads`,
    });
    logGroup.grantWrite(role);
    this.bucket.grantRead(role);
    this.bucket.grantPut(role);
    role.addToPolicy(
      new iam.PolicyStatement({ sid: 'UpsertAggregates', actions: PIPELINE_TABLE_ACTIONS, resources: [this.table.tableArn] }),
    );
    const fn = new lambda.Function(this, 'Function', {
      functionName: PIPELINE_FUNCTION_NAME,
      description: `${PIPELINE_FUNCTION_NAME}: one chunk through stages 1-4, or the reduce and load`,
      runtime: lambda.Runtime.PROVIDED_AL2023,
      handler: 'bootstrap',
      code: lambda.Code.fromAsset(settings.zipPath),
      architecture: architecture === 'arm64' ? lambda.Architecture.ARM_64 : lambda.Architecture.X86_64,
      memorySize: settings.memoryMb,
      timeout: PIPELINE_FUNCTION_TIMEOUT,
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      role,
      environment: { TABLE_NAME: this.table.tableName, PIPELINE_BUCKET: this.bucket.bucketName, RUST_LOG: 'info' },
    });
    acknowledgeWildcards(
      role,
      'Reading chunks, partials and map manifests and writing partials anywhere under the pipeline bucket (its object ARN/*, with the s3:GetObject*/List* actions grantRead names); X-Ray tracing actions support no resource-level permissions.',
    );
    return fn;
  }
}
