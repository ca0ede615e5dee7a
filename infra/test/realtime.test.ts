/**
 * The real-time feed of the serverless twin (lib/realtime.ts): the WebSocket API and its routes,
 * the function and the stream mapping that feeds it, and IAM limited to this API and this table.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { describe, test } from 'node:test';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { REALTIME_MESSAGE_ROUTES, REALTIME_STAGE, REALTIME_TABLE_ACTIONS, STREAM_BATCH_SIZE, STREAM_RETRY_ATTEMPTS } from '../lib/realtime';
import { TABLE_DEFINITION_FILE } from '../lib/table-definition';
import { buildApp, buildAppWithZip } from './helpers';

const built = buildAppWithZip();
const template = Template.fromStack(built.serverless);

/** The realtime function's logical id (the API's function is the other provided.al2023 one). */
function realtimeFunction(): string {
  const functions = template.findResources('AWS::Lambda::Function', {
    Properties: { Description: Match.stringLikeRegexp('twinstack-realtime-lambda') },
  });
  const ids = Object.keys(functions);
  assert.equal(ids.length, 1);
  return ids[0];
}

describe('the WebSocket API', () => {
  test('selects routes by the body\'s action and has every route of the contract', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'WEBSOCKET',
      RouteSelectionExpression: '$request.body.action',
    });
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties.RouteKey);
    assert.deepEqual(routes.sort(), ['$connect', '$default', '$disconnect', ...REALTIME_MESSAGE_ROUTES].sort());
  });

  test('acknowledgements come back as route responses; $default has none (errors are posted)', () => {
    const responses = template.findResources('AWS::ApiGatewayV2::RouteResponse');
    assert.equal(Object.keys(responses).length, REALTIME_MESSAGE_ROUTES.length);
  });

  test('one stage, deployed automatically, whose callback URL the function posts to', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { StageName: REALTIME_STAGE, AutoDeploy: true });
    const fn = template.findResources('AWS::Lambda::Function')[realtimeFunction()];
    const endpoint = JSON.stringify(fn.Properties.Environment.Variables.CONNECTIONS_ENDPOINT);
    assert.match(endpoint, /execute-api/);
    assert.match(endpoint, new RegExp(`/${REALTIME_STAGE}`));
  });
});

describe('the function', () => {
  test('is provided.al2023 on the architecture of the API function', () => {
    const fn = template.findResources('AWS::Lambda::Function')[realtimeFunction()];
    assert.equal(fn.Properties.Runtime, 'provided.al2023');
    assert.deepEqual(fn.Properties.Architectures, ['arm64']);
  });

  test('consumes the table stream with partial batch failures, bisection, bounded retries and a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: realtimeFunction() },
      EventSourceArn: Match.anyValue(),
      StartingPosition: 'LATEST',
      BatchSize: STREAM_BATCH_SIZE,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: STREAM_RETRY_ATTEMPTS,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });

  test('the table streams the view table.json declares', () => {
    const streamViewType = JSON.parse(fs.readFileSync(TABLE_DEFINITION_FILE, 'utf8')).streamViewType;
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', { StreamSpecification: { StreamViewType: streamViewType } });
  });
});

describe('IAM', () => {
  const statements = (): Array<{ Sid?: string; Action: string | string[]; Resource: unknown }> => {
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('RealtimeFunctionRole') }] },
    });
    return Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
  };

  test('PostToConnection on this API\'s stage only', () => {
    const manage = statements().filter((s) => JSON.stringify(s.Action).includes('execute-api'));
    assert.equal(manage.length, 1);
    assert.equal(manage[0].Action, 'execute-api:ManageConnections');
    const resource = JSON.stringify(manage[0].Resource);
    assert.match(resource, /RealtimeApi/);
    assert.match(resource, new RegExp(`/${REALTIME_STAGE}/POST/@connections/\\*`));
  });

  test('the table actions it uses on this table, and reading this table\'s stream', () => {
    const table = statements().find((s) => s.Sid === 'TableActionsTheFunctionUses');
    assert.deepEqual(table?.Action, REALTIME_TABLE_ACTIONS);
    assert.match(JSON.stringify(table?.Resource), /Table/);
    const stream = statements().find((s) => JSON.stringify(s.Action).includes('dynamodb:GetRecords'));
    assert.match(JSON.stringify(stream?.Resource), /StreamArn/);
    for (const s of statements()) {
      assert.ok(!JSON.stringify(s.Action).includes('*'), `no wildcard action: ${JSON.stringify(s.Action)}`);
    }
  });
});

describe('where it runs', () => {
  test('in the primary region only, where the table and its stream are', () => {
    assert.ok(built.serverless.realtime);
    assert.equal(built.serverlessStandby.realtime, undefined);
  });

  test('a missing realtime zip fails the synth with the command that builds it', () => {
    const dir = fs.mkdtempSync('/tmp/twinstack-realtime-zip-');
    const apiZip = `${dir}/twinstack-lambda/bootstrap.zip`;
    fs.mkdirSync(`${dir}/twinstack-lambda`);
    fs.writeFileSync(apiZip, 'api only');
    try {
      assert.throws(() => buildApp({ lambdaZip: apiZip }), /no Lambda zip at .*twinstack-realtime-lambda\/bootstrap\.zip: run `cargo lambda build/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
