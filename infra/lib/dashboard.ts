/**
 * The serverless twin's CloudWatch dashboard: the panels of the Kubernetes twin's Grafana dashboard
 * (`helm/twinstack/dashboards/twinstack.json`), drawn from the metrics `twinstack-lambda` writes as
 * CloudWatch embedded metric format (EMF) logs, then cold starts, Lambda and API Gateway.
 *
 * The EMF metrics carry dimension values the stack cannot know (every route, method and status the
 * function has answered), so the graphs use SEARCH expressions over the namespace and metric math
 * on their results, never fixed metrics. CloudWatch cannot merge percentiles across series, so
 * the EMF latency is per route; the whole API's percentiles come from API Gateway.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';

/** The EMF namespace and metric names the function writes (crates/lambda). */
export const EMF_NAMESPACE = 'twinstack';
export const EMF_METRICS = {
  requests: 'http_server_requests_total',
  duration: 'http_server_request_duration_seconds',
  coldStarts: 'lambda_cold_starts_total',
} as const;
/** The dimension set of the request metrics, and of the cold-start counter. */
export const REQUEST_DIMENSIONS = ['method', 'route', 'status'] as const;
export const COLD_START_DIMENSIONS = ['function'] as const;
/** The 5xx statuses a SEARCH counts as server errors (the API answers 500 and 503; the rest for safety). */
export const SERVER_ERROR_STATUSES = ['500', '501', '502', '503', '504'] as const;

const PERIOD = Duration.minutes(1);
/** CloudWatch dynamic labels: each series found by a SEARCH is named by its dimension values. */
const dim = (name: string) => `\${PROP('Dim.${name}')}`;
const REQUEST_LABEL = REQUEST_DIMENSIONS.map(dim).join(' ');

/** What the dashboard needs of the API in front of the function: REST API and HTTP API both have it. */
export interface ApiMetricSource {
  metricCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricClientError(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricServerError(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

export interface ServerlessDashboardProps {
  readonly dashboardName: string;
  readonly function: lambda.IFunction;
  readonly table: dynamodb.ITable;
  readonly api: ApiMetricSource;
  /** `rest` or `http`, for the titles. */
  readonly apiKind: string;
}

/** `SEARCH('{twinstack,dim,...} MetricName="name" [term]', 'statistic', seconds)`. */
export function emfSearch(metricName: string, dimensions: readonly string[], statistic: string, term = ''): string {
  const schema = [EMF_NAMESPACE, ...dimensions].join(',');
  const terms = [`MetricName="${metricName}"`, term].filter((t) => t !== '').join(' ');
  return `SEARCH('{${schema}} ${terms}', '${statistic}', ${PERIOD.toSeconds()})`;
}

const serverErrorTerm = `(${SERVER_ERROR_STATUSES.map((status) => `status="${status}"`).join(' OR ')})`;

function search(metricName: string, dimensions: readonly string[], statistic: string, label: string, term = ''): cloudwatch.SearchExpression {
  return new cloudwatch.SearchExpression({
    expression: emfSearch(metricName, dimensions, statistic, term),
    label,
    period: PERIOD,
  });
}

function graph(title: string, left: cloudwatch.IMetric[], options: Partial<cloudwatch.GraphWidgetProps> = {}): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({
    title,
    left,
    width: 12,
    height: 7,
    period: PERIOD,
    leftYAxis: { min: 0, showUnits: false },
    legendPosition: cloudwatch.LegendPosition.BOTTOM,
    ...options,
  });
}

function percentiles(metric: (props: cloudwatch.MetricOptions) => cloudwatch.Metric): cloudwatch.Metric[] {
  return ['p50', 'p95', 'p99'].map((statistic) => metric({ statistic, period: PERIOD, label: statistic }));
}

export function serverlessDashboard(scope: Construct, id: string, props: ServerlessDashboardProps): cloudwatch.Dashboard {
  const fn = props.function;
  const sum = { statistic: 'Sum', period: PERIOD };

  // Request rate: the EMF counter per (method, route, status), per minute.
  const requestRate = graph('Request rate by route (requests per minute)', [
    search(EMF_METRICS.requests, REQUEST_DIMENSIONS, 'Sum', REQUEST_LABEL),
  ]);

  // 5xx share: all series summed, errors over total; the 5xx answers per route beside it.
  const serverErrors = new cloudwatch.MathExpression({
    expression: `SUM(${emfSearch(EMF_METRICS.requests, REQUEST_DIMENSIONS, 'Sum', serverErrorTerm)})`,
    usingMetrics: {},
    period: PERIOD,
    label: '5xx answers',
    visible: false,
  });
  const allAnswers = new cloudwatch.MathExpression({
    expression: `SUM(${emfSearch(EMF_METRICS.requests, REQUEST_DIMENSIONS, 'Sum')})`,
    usingMetrics: {},
    period: PERIOD,
    label: 'answers',
    visible: false,
  });
  const errorShare = new cloudwatch.MathExpression({
    expression: '100 * FILL(errors, 0) / answers',
    usingMetrics: { errors: serverErrors, answers: allAnswers },
    period: PERIOD,
    label: '5xx share (%), all routes',
  });
  const errorRate = graph('Error rate (5xx share) by route', [errorShare], {
    leftYAxis: { min: 0, max: 100, label: '%', showUnits: false },
    right: [search(EMF_METRICS.requests, REQUEST_DIMENSIONS, 'Sum', `5xx ${REQUEST_LABEL}`, serverErrorTerm)],
    rightYAxis: { min: 0, label: '5xx answers per minute', showUnits: false },
  });

  const routeLatency = graph(
    'Latency p50 / p95 / p99 by route (seconds, in the function)',
    ['p50', 'p95', 'p99'].map((statistic) => search(EMF_METRICS.duration, REQUEST_DIMENSIONS, statistic, `${statistic} ${REQUEST_LABEL}`)),
  );
  const apiLatency = graph(`Latency p50 / p95 / p99, whole API (ms, API Gateway ${props.apiKind} API)`, percentiles((o) => props.api.metricLatency(o)));

  // One execution environment serves one request at a time: concurrency is the in-flight count.
  const inFlight = graph('In-flight requests (Lambda concurrent executions)', [
    fn.metric('ConcurrentExecutions', { statistic: 'Maximum', period: PERIOD, label: 'concurrent executions (max)' }),
  ]);
  // The database panel's counterpart: DynamoDB has no pool, it has capacity and throttling.
  const database = graph(
    'Database: DynamoDB consumed capacity and throttle events',
    [
      props.table.metricConsumedReadCapacityUnits({ ...sum, label: 'read capacity units' }),
      props.table.metricConsumedWriteCapacityUnits({ ...sum, label: 'write capacity units' }),
    ],
    {
      right: [
        props.table.metric('ReadThrottleEvents', { ...sum, label: 'read throttle events' }),
        props.table.metric('WriteThrottleEvents', { ...sum, label: 'write throttle events' }),
      ],
      rightYAxis: { min: 0, showUnits: false },
    },
  );

  const coldStarts = graph('Cold starts (per minute)', [search(EMF_METRICS.coldStarts, COLD_START_DIMENSIONS, 'Sum', `cold starts ${dim('function')}`)], {
    width: 8,
  });
  const invocations = graph(
    'Lambda: invocations, errors, throttles',
    [
      fn.metricInvocations({ ...sum, label: 'invocations' }),
      fn.metricErrors({ ...sum, label: 'errors' }),
      fn.metricThrottles({ ...sum, label: 'throttles' }),
    ],
    { width: 8 },
  );
  const duration = graph('Lambda: duration p50 / p95 / p99 (ms)', percentiles((o) => fn.metricDuration(o)), { width: 8 });
  const api = graph(
    `API Gateway (${props.apiKind} API): requests, 4xx, 5xx`,
    [props.api.metricCount({ ...sum, label: 'requests' })],
    {
      width: 24,
      right: [props.api.metricClientError({ ...sum, label: '4xx' }), props.api.metricServerError({ ...sum, label: '5xx' })],
      rightYAxis: { min: 0, label: 'errors per minute', showUnits: false },
    },
  );

  const text = (markdown: string) => new cloudwatch.TextWidget({ markdown, width: 24, height: 2 });
  return new cloudwatch.Dashboard(scope, id, {
    dashboardName: props.dashboardName,
    defaultInterval: Duration.hours(3),
    widgets: [
      [
        text(
          `## twinstack serverless twin\nThe panels of the Kubernetes twin's Grafana dashboard, from the function's EMF metrics ` +
            `(namespace \`${EMF_NAMESPACE}\`: \`${EMF_METRICS.requests}\`, \`${EMF_METRICS.duration}\`, by ${REQUEST_DIMENSIONS.join(', ')}).`,
        ),
      ],
      [requestRate, errorRate],
      [routeLatency, apiLatency],
      [inFlight, database],
      [text(`## Lambda and API Gateway\nCold starts (\`${EMF_METRICS.coldStarts}\`), the function's AWS/Lambda metrics and the API's AWS/ApiGateway metrics.`)],
      [coldStarts, invocations, duration],
      [api],
    ],
  });
}
