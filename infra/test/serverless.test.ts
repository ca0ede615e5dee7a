import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { createApp } from '../lib/app';
import { EMF_METRICS, EMF_NAMESPACE, REQUEST_DIMENSIONS } from '../lib/dashboard';
import { FUNCTION_TABLE_ACTIONS, REQUEST_TIMEOUT_MS } from '../lib/serverless-stack';
import {
  DEFAULT_API_THROTTLE_BURST,
  DEFAULT_API_THROTTLE_RATE,
  DEFAULT_DASHBOARD_NAME,
  DEFAULT_DR_REGION,
  DEFAULT_LAMBDA_ZIP,
  DEFAULT_PRIMARY_REGION,
  DEFAULT_RESERVED_CONCURRENCY,
  EXAMPLE_DOMAIN_NAME,
  EXAMPLE_HOSTED_ZONE_ID,
  REPO_ROOT,
  serverlessSettings,
} from '../lib/settings';
import { TABLE_DEFINITION_FILE, parseTableDefinition } from '../lib/table-definition';
import { buildApp, buildAppWithZip, cdkJson, fixtureZip } from './helpers';

const tableJson = JSON.parse(fs.readFileSync(TABLE_DEFINITION_FILE, 'utf8'));

function template(context: Record<string, unknown> = {}): Template {
  return Template.fromStack(buildAppWithZip(context).serverless);
}

describe('context defaults', () => {
  test('the function defaults to arm64 and the zip `cargo lambda build --release --arm64 --output-format zip` writes', () => {
    const settings = serverlessSettings(new App().node);

    assert.equal(settings.architecture, 'arm64');
    assert.equal(DEFAULT_LAMBDA_ZIP, 'target/lambda/twinstack-lambda/bootstrap.zip');
    assert.equal(settings.zipPath, path.join(REPO_ROOT, 'target', 'lambda', 'twinstack-lambda', 'bootstrap.zip'));
    assert.equal(settings.memoryMb, 128);
    assert.equal(settings.httpApi, false);
    assert.equal(settings.dashboardName, DEFAULT_DASHBOARD_NAME);
  });

  test('with no context the app takes the default zip path, and names the build command when it is missing', () => {
    const zip = path.join(REPO_ROOT, DEFAULT_LAMBDA_ZIP);
    if (fs.existsSync(zip)) {
      Template.fromStack(buildApp({ pipelineLambdaZip: fixtureZip() }).serverless).hasResourceProperties('AWS::Lambda::Function', { Architectures: ['arm64'] });
    } else {
      assert.throws(
        () => buildApp(),
        (error: Error) =>
          error.message.includes(`no Lambda zip at ${zip}`) &&
          error.message.includes('cargo lambda build --release --arm64 --output-format zip'),
      );
    }
  });

  test('with only the zip given, the function is arm64 with 128 MB', () => {
    template().hasResourceProperties('AWS::Lambda::Function', { Architectures: ['arm64'], MemorySize: 128 });
  });

  test('CI passes the x86_64 zip it can build, and the memory, through context', () => {
    const t = template({ lambdaArchitecture: 'x86_64', lambdaMemoryMb: '512' });

    t.hasResourceProperties('AWS::Lambda::Function', { Architectures: ['x86_64'], MemorySize: 512 });
  });

  test('a wrong architecture or memory fails the synth instead of deploying something else', () => {
    assert.throws(() => buildAppWithZip({ lambdaArchitecture: 'aarch64' }), /lambdaArchitecture must be arm64 or x86_64/);
    assert.throws(() => buildAppWithZip({ lambdaMemoryMb: '64' }), /lambdaMemoryMb must be a whole number in 128..10240/);
  });

  test('a missing zip stops the synth unless ServerlessStack is left out', () => {
    assert.throws(() => buildApp({ lambdaZip: '/nonexistent/bootstrap.zip' }), /no Lambda zip at \/nonexistent\/bootstrap.zip/);

    const { serverless, kubernetes } = createApp({ context: { ...cdkJson.context, lambdaZip: '/nonexistent/bootstrap.zip', stacks: 'kubernetes' } });
    assert.equal(serverless, undefined);
    assert.ok(kubernetes);
  });
});

describe('the table comes from crates/store-dynamodb/table.json', () => {
  test('name, keys, on-demand billing, TTL and point-in-time recovery are the file\'s', () => {
    template().hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: tableJson.tableName,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: tableJson.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: tableJson.sortKey.name, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: tableJson.partitionKey.name, AttributeType: tableJson.partitionKey.type },
        { AttributeName: tableJson.sortKey.name, AttributeType: tableJson.sortKey.type },
      ]),
      TimeToLiveSpecification: { AttributeName: tableJson.timeToLiveAttribute, Enabled: true },
      Replicas: Match.arrayWith([Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })]),
    });
    assert.equal(tableJson.pointInTimeRecovery, true);
  });

  test('the table outlives the stack', () => {
    template().hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('a field the stack does not apply is refused, as the Rust side refuses it', () => {
    const withIndex = JSON.stringify({ ...tableJson, globalSecondaryIndexes: [] });

    assert.throws(() => parseTableDefinition(withIndex), /fields this stack does not apply: globalSecondaryIndexes/);
  });
});

describe('the function', () => {
  test('runs the cargo-lambda bootstrap on provided.al2023 with X-Ray active and the table in its environment', () => {
    const t = template();

    t.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'provided.al2023',
      Handler: 'bootstrap',
      TracingConfig: { Mode: 'Active' },
      Environment: {
        Variables: {
          TABLE_NAME: { Ref: Match.stringLikeRegexp('^Table') },
          REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
        },
      },
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^FunctionLogs') } },
    });
    const fn = Object.values(t.findResources('AWS::Lambda::Function'))[0];
    assert.ok(fn.Properties.Timeout * 1000 > REQUEST_TIMEOUT_MS, 'the function outlives the request timeout');
    assert.ok(fn.Properties.Timeout < 29, 'and stays under API Gateway\'s 29 s');
  });

  test('its logs are kept for a set time', () => {
    template().hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  test('IAM allows exactly the table actions the store uses, on the table only', () => {
    const t = template();
    // The API function's role; the real-time function's has its own test (realtime.test.ts).
    const apiRole = { Roles: [{ Ref: Match.stringLikeRegexp('^FunctionRole') }] };
    const statements = Object.values(t.findResources('AWS::IAM::Policy', { Properties: apiRole })).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>,
    );
    const dynamo = statements.filter((s) => [s.Action].flat().some((a) => String(a).startsWith('dynamodb:')));

    assert.equal(dynamo.length, 1);
    assert.deepEqual([dynamo[0].Action].flat().sort(), [...FUNCTION_TABLE_ACTIONS].sort());
    const tableId = Object.keys(t.findResources('AWS::DynamoDB::GlobalTable'))[0];
    assert.deepEqual(dynamo[0].Resource, { 'Fn::GetAtt': [tableId, 'Arn'] });
    assert.ok(!statements.some((s) => [s.Action].flat().includes('dynamodb:*')));
  });

  test('the function roles carry no AWS-managed policy', () => {
    const t = template();
    const roles = t.findResources('AWS::IAM::Role', {
      Properties: { AssumeRolePolicyDocument: { Statement: [{ Principal: { Service: 'lambda.amazonaws.com' } }] } },
    });

    // The API function's and the real-time function's.
    assert.equal(Object.keys(roles).length, 2);
    for (const role of Object.values(roles)) assert.equal(role.Properties.ManagedPolicyArns, undefined);
  });
});

describe('API Gateway', () => {
  test('REST API with a Lambda proxy by default, as in the article', () => {
    const t = template();

    t.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    // No HTTP API; the one v2 API is the real-time WebSocket API (realtime.test.ts).
    assert.equal(Object.keys(t.findResources('AWS::ApiGatewayV2::Api', { Properties: { ProtocolType: 'HTTP' } })).length, 0);
    t.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    t.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: '{proxy+}' });
    t.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'ANY',
      Integration: { Type: 'AWS_PROXY' },
    });
    t.hasResourceProperties('AWS::ApiGateway::Stage', {
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: Match.anyValue() },
      MethodSettings: Match.arrayWith([Match.objectLike({ LoggingLevel: 'ERROR', MetricsEnabled: true })]),
    });
  });

  test('HTTP API with -c httpApi=true', () => {
    const t = template({ httpApi: 'true' });

    t.resourceCountIs('AWS::ApiGateway::RestApi', 0);
    t.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    t.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$default' });
    t.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: { DestinationArn: Match.anyValue() },
    });
  });
});

describe('alarms', () => {
  for (const httpApi of ['false', 'true']) {
    test(`errors, throttles and p99 latency are alarmed (httpApi=${httpApi})`, () => {
      const t = template({ httpApi });

      t.resourceCountIs('AWS::CloudWatch::Alarm', 4);
      t.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/Lambda', MetricName: 'Errors', Statistic: 'Sum' });
      t.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/Lambda', MetricName: 'Throttles' });
      t.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/ApiGateway',
        MetricName: httpApi === 'true' ? '5xx' : '5XXError',
      });
      t.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/ApiGateway',
        MetricName: 'Latency',
        ExtendedStatistic: 'p99',
      });
    });
  }

  test('an alarm topic from context receives every alarm', () => {
    const topic = 'arn:aws:sns:eu-west-1:123456789012:twinstack-alarms';
    const alarms = template({ alarmTopicArn: topic }).findResources('AWS::CloudWatch::Alarm');

    for (const alarm of Object.values(alarms)) assert.deepEqual(alarm.Properties.AlarmActions, [topic]);
  });
});

/** The dashboard's body as CloudFormation joins it, with every token (Region, names) replaced by `TOKEN`. */
function dashboardBody(t: Template): { name: string; body: DashboardBody; text: string } {
  const dashboards = Object.values(t.findResources('AWS::CloudWatch::Dashboard'));
  assert.equal(dashboards.length, 1);
  const properties = dashboards[0].Properties;
  const raw = properties.DashboardBody;
  const parts: unknown[] = typeof raw === 'string' ? [raw] : raw['Fn::Join'][1];
  const text = parts.map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('');
  return { name: properties.DashboardName, body: JSON.parse(text), text };
}

interface DashboardBody {
  widgets: Array<{ type: string; width: number; height: number; x: number; y: number; properties: { title?: string; metrics?: unknown[][] } }>;
}

/** Every metric line of a graph: `[namespace, name, dims..., {options}]` or `[{expression, ...}]`. */
function graphMetrics(body: DashboardBody, titlePrefix: string): Array<{ namespace?: string; name?: string; expression?: string; stat?: string }> {
  const widget = body.widgets.find((w) => w.properties.title?.startsWith(titlePrefix));
  assert.ok(widget, `no widget titled ${titlePrefix}…`);
  return (widget.properties.metrics ?? []).map((line) => {
    const options = line[line.length - 1] as { expression?: string; stat?: string };
    return options.expression !== undefined
      ? { expression: options.expression }
      : { namespace: line[0] as string, name: line[1] as string, stat: options.stat };
  });
}

describe('the CloudWatch dashboard', () => {
  test('exists once, named from the settings (context dashboardName)', () => {
    assert.equal(dashboardBody(template()).name, DEFAULT_DASHBOARD_NAME);
    assert.equal(dashboardBody(template({ dashboardName: 'twinstack-bench-eu' })).name, 'twinstack-bench-eu');
    assert.throws(() => buildAppWithZip({ dashboardName: 'has spaces' }), /dashboardName may hold only letters, digits, - and _/);
  });

  test('its body searches the EMF namespace for the metrics the function writes', () => {
    const { text } = dashboardBody(template());
    const schema = `{${[EMF_NAMESPACE, ...REQUEST_DIMENSIONS].join(',')}}`;

    assert.equal(EMF_NAMESPACE, 'twinstack');
    assert.deepEqual(EMF_METRICS, {
      requests: 'http_server_requests_total',
      duration: 'http_server_request_duration_seconds',
      coldStarts: 'lambda_cold_starts_total',
    });
    for (const name of [EMF_METRICS.requests, EMF_METRICS.duration]) {
      assert.ok(text.includes(`SEARCH('${schema} MetricName=\\"${name}\\"`), `no SEARCH of ${name} over ${schema}`);
    }
    assert.ok(text.includes(`SEARCH('{twinstack,function} MetricName=\\"${EMF_METRICS.coldStarts}\\"`));
    // No EMF metric is referenced with fixed dimension values: the routes are not known here.
    assert.ok(!/\["twinstack",/.test(text));
  });

  test('it has the Grafana dashboard\'s panels, then cold starts, Lambda and API Gateway', () => {
    const { body } = dashboardBody(template());
    const titles = body.widgets.map((w) => w.properties.title).filter((t) => t !== undefined);

    assert.deepEqual(titles, [
      'Request rate by route (requests per minute)',
      'Error rate (5xx share) by route',
      'Latency p50 / p95 / p99 by route (seconds, in the function)',
      'Latency p50 / p95 / p99, whole API (ms, API Gateway REST API)',
      'In-flight requests (Lambda concurrent executions)',
      'Database: DynamoDB consumed capacity and throttle events',
      'Cold starts (per minute)',
      'Lambda: invocations, errors, throttles',
      'Lambda: duration p50 / p95 / p99 (ms)',
      'API Gateway (REST API): requests, 4xx, 5xx',
    ]);
    // Widgets fit the 24-column grid without overlapping.
    for (const w of body.widgets) assert.ok(w.x + w.width <= 24, w.properties.title);
    const cells = new Set<string>();
    for (const w of body.widgets) {
      for (let x = w.x; x < w.x + w.width; x++) {
        for (let y = w.y; y < w.y + w.height; y++) {
          assert.ok(!cells.has(`${x},${y}`), `overlap at ${x},${y}`);
          cells.add(`${x},${y}`);
        }
      }
    }
  });

  test('the 5xx share is errors over all answers, from two summed searches', () => {
    const lines = graphMetrics(dashboardBody(template()).body, 'Error rate (5xx share)');
    const expressions = lines.map((l) => l.expression ?? '');

    assert.ok(expressions.includes('100 * FILL(errors, 0) / answers'));
    const errors = expressions.find((e) => e.startsWith('SUM(') && e.includes('status="503"'));
    const answers = expressions.find((e) => e.startsWith('SUM(') && !e.includes('status='));
    assert.ok(errors && errors.includes('status="500"') && errors.includes(EMF_METRICS.requests), 'the 5xx sum');
    assert.ok(answers && answers.includes(EMF_METRICS.requests), 'the total');
  });

  test('latency is p50, p95 and p99 of the EMF histogram per route and of the whole API', () => {
    const body = dashboardBody(template()).body;
    const route = graphMetrics(body, 'Latency p50 / p95 / p99 by route').map((l) => l.expression);
    const api = graphMetrics(body, 'Latency p50 / p95 / p99, whole API');

    assert.deepEqual(
      route.map((e) => e?.match(/'(p\d+)', 60\)$/)?.[1]),
      ['p50', 'p95', 'p99'],
    );
    assert.ok(route.every((e) => e?.includes(EMF_METRICS.duration)));
    assert.deepEqual(api.map((m) => [m.namespace, m.name, m.stat]), [
      ['AWS/ApiGateway', 'Latency', 'p50'],
      ['AWS/ApiGateway', 'Latency', 'p95'],
      ['AWS/ApiGateway', 'Latency', 'p99'],
    ]);
  });

  for (const httpApi of ['false', 'true']) {
    test(`Lambda and API Gateway metrics: throttles, concurrency, cold starts, 4xx/5xx (httpApi=${httpApi})`, () => {
      const body = dashboardBody(template({ httpApi })).body;
      const all = body.widgets.flatMap((w) => (w.properties.title ? graphMetrics(body, w.properties.title) : []));
      const names = new Set(all.filter((m) => m.namespace).map((m) => `${m.namespace} ${m.name}`));

      for (const name of ['Invocations', 'Errors', 'Throttles', 'ConcurrentExecutions', 'Duration']) {
        assert.ok(names.has(`AWS/Lambda ${name}`), `AWS/Lambda ${name}`);
      }
      const [clientErrors, serverErrors] = httpApi === 'true' ? ['4xx', '5xx'] : ['4XXError', '5XXError'];
      for (const name of ['Count', clientErrors, serverErrors, 'Latency']) {
        assert.ok(names.has(`AWS/ApiGateway ${name}`), `AWS/ApiGateway ${name}`);
      }
      for (const name of ['ConsumedReadCapacityUnits', 'ConsumedWriteCapacityUnits', 'ReadThrottleEvents', 'WriteThrottleEvents']) {
        assert.ok(names.has(`AWS/DynamoDB ${name}`), `AWS/DynamoDB ${name}`);
      }
      assert.ok(all.some((m) => m.expression?.includes(EMF_METRICS.coldStarts)), 'cold starts');
      assert.ok(!all.some((m) => m.namespace?.startsWith('AWS/') && m.name?.startsWith('http_server')));
    });
  }

  test('the dashboard adds no alarm and leaves the alarms as they were', () => {
    template().resourceCountIs('AWS::CloudWatch::Alarm', 4);
  });
});

describe('guard rails', () => {
  test('the REST stage throttles and the function has reserved concurrency, both from context', () => {
    template().hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([
        Match.objectLike({ ThrottlingRateLimit: DEFAULT_API_THROTTLE_RATE, ThrottlingBurstLimit: DEFAULT_API_THROTTLE_BURST }),
      ]),
    });
    template().hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: DEFAULT_RESERVED_CONCURRENCY });
    const tuned = template({ apiThrottleRate: '20', apiThrottleBurst: '40', lambdaReservedConcurrency: '0' });
    tuned.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([Match.objectLike({ ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 })]),
    });
    const fn = Object.values(tuned.findResources('AWS::Lambda::Function'))[0];
    assert.equal(fn.Properties.ReservedConcurrentExecutions, undefined);
  });

  test('the HTTP API stage throttles too', () => {
    template({ httpApi: 'true' }).hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: DEFAULT_API_THROTTLE_RATE, ThrottlingBurstLimit: DEFAULT_API_THROTTLE_BURST }),
    });
  });
});

describe('disaster recovery', () => {
  test('with no extra context: a global table replicated to the standby region', () => {
    const t = Template.fromStack(buildAppWithZip().serverless);
    const table = Object.values(t.findResources('AWS::DynamoDB::GlobalTable'))[0].Properties;

    assert.deepEqual(table.Replicas.map((r: { Region: string }) => r.Region).sort(), [DEFAULT_PRIMARY_REGION, DEFAULT_DR_REGION].sort());
    t.resourceCountIs('AWS::DynamoDB::Table', 0);
  });

  test('the standby region runs the same function and API on the replica, with no table of its own', () => {
    const standby = Template.fromStack(buildAppWithZip().serverlessStandby);

    standby.resourceCountIs('AWS::DynamoDB::GlobalTable', 0);
    standby.resourceCountIs('AWS::Lambda::Function', 1);
    standby.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    const statements = Object.values(standby.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>,
    );
    const dynamo = statements.find((s) => [s.Action].flat().includes('dynamodb:GetItem'));
    assert.ok(JSON.stringify(dynamo?.Resource).includes(`:table/${tableJson.tableName}`));
  });

  for (const [name, httpApi, path] of [
    ['REST API', 'false', '/prod/api/health'],
    ['HTTP API', 'true', '/api/health'],
  ]) {
    test(`a health check on /api/health and PRIMARY / SECONDARY failover records for the example domain (${name})`, () => {
      const built = buildAppWithZip({ httpApi });
      for (const [stack, role] of [
        [built.serverless, 'PRIMARY'],
        [built.serverlessStandby, 'SECONDARY'],
      ] as const) {
        const t = Template.fromStack(stack);
        t.hasResourceProperties('AWS::Route53::HealthCheck', {
          HealthCheckConfig: Match.objectLike({ Type: 'HTTPS_STR_MATCH', ResourcePath: path, SearchString: '"status":"ok"', Port: 443 }),
        });
        const records = Object.values(t.findResources('AWS::Route53::RecordSet')).map((r) => r.Properties);
        assert.equal(records.length, 1);
        assert.equal(records[0].Failover, role);
        assert.equal(records[0].Name, `serverless.${EXAMPLE_DOMAIN_NAME}.`);
        assert.equal(records[0].HostedZoneId, EXAMPLE_HOSTED_ZONE_ID);
        assert.ok(records[0].HealthCheckId);
        assert.equal(records[0].AliasTarget.EvaluateTargetHealth, true);
        assert.equal(records[0].Weight, undefined);
        t.hasResourceProperties('AWS::CertificateManager::Certificate', { DomainName: `serverless.${EXAMPLE_DOMAIN_NAME}` });
      }
    });
  }

  test('domainName=none leaves the custom domain, health check and records out', () => {
    const built = createApp({ context: { ...cdkJson.context, lambdaZip: fixtureZip(), pipelineLambdaZip: fixtureZip(), domainName: 'none' } });
    assert.equal(built.kubernetesFailover, undefined);
    const t = Template.fromStack(built.serverless!);
    t.resourceCountIs('AWS::Route53::RecordSet', 0);
    t.resourceCountIs('AWS::Route53::HealthCheck', 0);
    t.resourceCountIs('AWS::CertificateManager::Certificate', 0);
  });

  test('a domain and hosted zone from context replace the example', () => {
    const t = template({ domainName: 'bench.example.org', hostedZoneId: 'Z123EXAMPLE' });
    t.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'serverless.bench.example.org.', HostedZoneId: 'Z123EXAMPLE' });
    assert.throws(() => buildAppWithZip({ drRegion: DEFAULT_PRIMARY_REGION }), /drRegion must differ from the primary region/);
  });
});
