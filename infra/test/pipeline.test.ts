/**
 * PipelineStack: the state machine follows deploy/pipeline/settings.json, its definition is valid
 * Amazon States Language (asl-validator), and the bucket and function are locked down.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { stateMachineDefinitions } from '../lib/asl';
import { createApp } from '../lib/app';
import { LAMBDA_SERVICE_ERRORS, MAP_RESULTS_PREFIX, PIPELINE_FUNCTION_NAME, PIPELINE_TABLE_ACTIONS } from '../lib/pipeline-stack';
import { PIPELINE_SETTINGS_FILE, loadPipelineSettings, parsePipelineSettings } from '../lib/pipeline-settings';
import { REPO_ROOT } from '../lib/settings';
import { buildAppWithZip, cdkJson, fixtureZip } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator = require('asl-validator') as (definition: unknown) => { isValid: boolean; errorsText: () => string };

type State = Record<string, unknown> & { Type: string };

function pipelineTemplate(context: Record<string, unknown> = {}): Template {
  return Template.fromStack(buildAppWithZip(context).pipeline);
}

function definition(template: Template): { StartAt: string; States: Record<string, State> } {
  const definitions = Object.values(stateMachineDefinitions(template.toJSON() as never));
  assert.equal(definitions.length, 1);
  return definitions[0] as { StartAt: string; States: Record<string, State> };
}

/** The bucket the map lists (an example name in place of the bucket's Ref: lib/asl.ts). */
function bucketOf(map: State): string {
  return (map.ItemReader as { Parameters: { Bucket: string } }).Parameters.Bucket;
}

const settingsText = fs.readFileSync(PIPELINE_SETTINGS_FILE, 'utf8');

describe('the state machine follows deploy/pipeline/settings.json', () => {
  const settings = loadPipelineSettings();
  const asl = definition(pipelineTemplate());
  const map = asl.States[asl.StartAt];
  const processor = map.ItemProcessor as { StartAt: string; States: Record<string, State> };
  const chunkTask = processor.States[processor.StartAt];
  const expectedRetry = (errors: string[]) => ({
    ErrorEquals: errors,
    IntervalSeconds: settings.retry.intervalSeconds,
    MaxAttempts: settings.retry.maxAttempts,
    BackoffRate: settings.retry.backoffRate,
  });

  test('the Distributed Map runs MaxConcurrency chunks at once and tolerates ToleratedFailurePercentage failing', () => {
    assert.equal(map.Type, 'Map');
    assert.deepEqual((map.ItemProcessor as Record<string, unknown>).ProcessorConfig, { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
    assert.equal(map.MaxConcurrency, settings.maxConcurrency);
    assert.equal(map.ToleratedFailurePercentage, settings.toleratedFailurePercentage);
    assert.equal(JSON.parse(settingsText).maxConcurrency, map.MaxConcurrency);
  });

  test('each chunk is retried with backoff on Lambda service errors and throttling, then on a failed stage', () => {
    assert.deepEqual(chunkTask.Retry, [expectedRetry(LAMBDA_SERVICE_ERRORS), expectedRetry(['States.TaskFailed'])]);
    const reduce = asl.States[map.Next as string];
    assert.deepEqual(reduce.Retry, chunkTask.Retry);
  });

  test('a chunk that still fails is caught into a Fail state whose cause names the chunk', () => {
    assert.deepEqual(chunkTask.Catch, [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'ChunkFailed' }]);
    const failed = processor.States.ChunkFailed;
    assert.equal(failed.Type, 'Fail');
    assert.equal(failed.CausePath, "States.Format('chunk {} failed: {}', $.item.Key, $.failure.Cause)");
  });

  test('the map lists the chunk objects of the input, shapes the chunk event, and writes its results to S3', () => {
    assert.deepEqual(map.ItemReader, {
      Resource: 'arn:aws:states:::s3:listObjectsV2',
      Parameters: { Bucket: bucketOf(map), 'Prefix.$': "States.Format('{}/chunk-', $.input)" },
    });
    const bucket = bucketOf(map);
    assert.deepEqual(map.ItemSelector, { kind: 'chunk', bucket, 'item.$': '$$.Map.Item.Value', 'input.$': '$.input', 'output.$': '$.output' });
    assert.deepEqual(map.ResultWriter, { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: bucket, Prefix: MAP_RESULTS_PREFIX } });
    assert.equal(map.ResultPath, '$.mapRun');
  });

  test('then one reduce event carries the output prefix and the map run manifest', () => {
    const reduce = asl.States[map.Next as string];
    assert.equal(reduce.Type, 'Task');
    assert.equal(reduce.End, true);
    assert.deepEqual(reduce.Parameters, {
      kind: 'reduce',
      bucket: bucketOf(map),
      'output.$': '$.output',
      'manifest.$': '$.mapRun.ResultWriterDetails',
    });
  });
});

/** deploy/pipeline/events/: the documents twinstack-pipeline-lambda deserialises, as its tests read them. */
describe('the events agree with twinstack-pipeline-lambda', () => {
  const asl = definition(pipelineTemplate());
  const map = asl.States[asl.StartAt];
  const reduce = asl.States[map.Next as string];
  const fixture = (name: string) =>
    JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'deploy', 'pipeline', 'events', name), 'utf8'));
  /** The document a payload template produces has its keys without the `.$` that marks a path. */
  const producedKeys = (template: unknown) => Object.keys(template as object).map((key) => key.replace(/\.\$$/, '')).sort();

  test('the chunk event the crate deserialises is what the ItemSelector makes of an S3 ItemReader item', () => {
    const chunk = fixture('chunk.json');

    assert.deepEqual(Object.keys(chunk).sort(), producedKeys(map.ItemSelector));
    assert.equal(chunk.kind, (map.ItemSelector as Record<string, unknown>).kind);
    // s3:listObjectsV2 items, as the Distributed Map documentation lists them.
    assert.deepEqual(Object.keys(chunk.item).sort(), ['Etag', 'Key', 'LastModified', 'Size', 'StorageClass']);
  });

  test('the reduce event the crate deserialises is what the reduce task sends, manifest included', () => {
    const event = fixture('reduce.json');

    assert.deepEqual(Object.keys(event).sort(), producedKeys(reduce.Parameters));
    assert.equal(event.kind, (reduce.Parameters as Record<string, unknown>).kind);
    assert.deepEqual(Object.keys(event.manifest).sort(), ['Bucket', 'Key']);
  });
});

describe('the definition is valid Amazon States Language', () => {
  test('asl-validator accepts the synthesised definition', () => {
    const result = aslValidator(definition(pipelineTemplate()));
    assert.ok(result.isValid, result.errorsText());
  });

  test('asl-validator rejects it with a transition to a missing state', () => {
    const asl = definition(pipelineTemplate());
    asl.States[asl.StartAt].Next = 'NoSuchState';

    assert.equal(aslValidator(asl).isValid, false);
  });
});

describe('the settings file is checked', () => {
  test('an unknown key, a missing retry field and an out-of-range value each fail with their name', () => {
    const good = JSON.parse(settingsText);
    assert.throws(() => parsePipelineSettings(JSON.stringify({ ...good, maxConcurency: 5 }), 'f'), /unknown key\(s\) maxConcurency/);
    assert.throws(() => parsePipelineSettings(JSON.stringify({ ...good, retry: { maxAttempts: 2, intervalSeconds: 1 } }), 'f'), /retry: backoffRate must be a number/);
    assert.throws(() => parsePipelineSettings(JSON.stringify({ ...good, toleratedFailurePercentage: 101 }), 'f'), /toleratedFailurePercentage must be a number in 0..100/);
    assert.throws(() => parsePipelineSettings(JSON.stringify({ ...good, parallelism: 1.5 }), 'f'), /parallelism must be a whole number/);
  });
});

describe('resources', () => {
  const template = pipelineTemplate();

  test('the bucket blocks public access, encrypts, refuses plain HTTP and logs access', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'data/' }),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  test('the function is twinstack-pipeline-lambda: arm64, provided.al2023, traced, loading the twin\'s table', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: PIPELINE_FUNCTION_NAME,
      Architectures: ['arm64'],
      Runtime: 'provided.al2023',
      Handler: 'bootstrap',
      MemorySize: 1024,
      TracingConfig: { Mode: 'Active' },
      Environment: { Variables: Match.objectLike({ TABLE_NAME: 'twinstack' }) },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'UpsertAggregates', Action: PIPELINE_TABLE_ACTIONS })]) },
    });
  });

  test('the state machine is traced with X-Ray and logs every event', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL' }),
    });
  });

  test('-c stacks=pipeline builds PipelineStack alone, and a missing zip names the build command', () => {
    const alone = createApp({ context: { ...cdkJson.context, stacks: 'pipeline', pipelineLambdaZip: fixtureZip() } });
    assert.ok(alone.pipeline && !alone.serverless && !alone.kubernetes);
    assert.throws(
      () => createApp({ context: { ...cdkJson.context, stacks: 'pipeline', pipelineLambdaZip: '/nonexistent/bootstrap.zip' } }),
      /no Lambda zip at \/nonexistent\/bootstrap.zip: run `cargo lambda build --release --arm64 --output-format zip --bin twinstack-pipeline-lambda`/,
    );
  });
});
