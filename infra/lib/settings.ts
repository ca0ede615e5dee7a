/**
 * Everything the stacks take from CDK context (`cdk synth -c key=value`, or `context` in cdk.json),
 * parsed once and checked, so a typo fails the synth instead of deploying something else.
 */
import * as path from 'node:path';
import type { Node } from 'constructs';

/** The repository root: the Lambda zip path and the table definition are relative to it. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/**
 * Where `cargo lambda build --release --arm64 --output-format zip` writes the function
 * (`--lambda-dir` defaults to `target/lambda`, then one directory per binary).
 */
export const DEFAULT_LAMBDA_ZIP = 'target/lambda/twinstack-lambda/bootstrap.zip';
export const DEFAULT_LAMBDA_ARCHITECTURE = 'arm64';
export const DEFAULT_LAMBDA_MEMORY_MB = 128;
/** The ServerlessStack's CloudWatch dashboard (names are unique per account and Region). */
export const DEFAULT_DASHBOARD_NAME = 'twinstack-serverless';

/** The API stage's steady-state and burst request rates (requests per second) and the function's reserved concurrency. */
export const DEFAULT_API_THROTTLE_RATE = 100;
export const DEFAULT_API_THROTTLE_BURST = 200;
export const DEFAULT_RESERVED_CONCURRENCY = 50;

/** Disaster recovery: where the standby runs unless `-c drRegion=…` (or `none`) says otherwise. */
export const DEFAULT_PRIMARY_REGION = 'us-east-1';
export const DEFAULT_DR_REGION = 'us-west-2';
/** The example hosted zone every synth carries until `-c domainName=… -c hostedZoneId=…` replace it. */
export const EXAMPLE_DOMAIN_NAME = 'example.com';
export const EXAMPLE_HOSTED_ZONE_ID = 'Z0EXAMPLETWINSTACK000';

export type LambdaArchitecture = 'arm64' | 'x86_64';

export interface ServerlessSettings {
  /** `lambdaArchitecture`: `arm64` (default, Graviton) or `x86_64` (what CI can build here). */
  readonly architecture: LambdaArchitecture;
  /** `lambdaZip`: absolute path of the cargo-lambda zip (relative values are against the repo root). */
  readonly zipPath: string;
  /** `lambdaMemoryMb`: the function's memory (and so its CPU share); 128–10240. */
  readonly memoryMb: number;
  /** `httpApi`: `true` fronts the function with an HTTP API (v2) instead of the REST API proxy. */
  readonly httpApi: boolean;
  /** `alarmTopicArn`: optional SNS topic the alarms notify. */
  readonly alarmTopicArn?: string;
  /** `dashboardName`: the CloudWatch dashboard's name (letters, digits, `-` and `_`). */
  readonly dashboardName: string;
  /** `apiThrottleRate` / `apiThrottleBurst`: the stage's request rate limit and burst (requests per second). */
  readonly throttleRate: number;
  readonly throttleBurst: number;
  /** `lambdaReservedConcurrency`: concurrency set aside for (and capping) the function; 0 reserves none. */
  readonly reservedConcurrency: number;
}

export type CrossRegionDatabase = 'backups' | 'replica';

/** Where the standby region is and which DNS name fails over to it; shared by both twins. */
export interface DrSettings {
  /** `primaryRegion`: the active region (default: the CLI's region, else us-east-1). */
  readonly primaryRegion: string;
  /** `drRegion`: the standby region, or undefined with `-c drRegion=none` (no replica, no standby stack). */
  readonly standbyRegion?: string;
  /**
   * `domainName`: the Route 53 hosted zone the failover records live in; undefined with
   * `-c domainName=none` (no custom domain, health checks or failover records).
   */
  readonly domainName?: string;
  /** `hostedZoneId`: that zone's id. */
  readonly hostedZoneId: string;
}

export interface KubernetesSettings {
  /** `namespace`: where the Helm chart is installed (the IRSA trust names it). */
  readonly namespace: string;
  /** `serviceAccount`: the chart's ServiceAccount name (`fullnameOverride` of the release). */
  readonly serviceAccount: string;
  /**
   * `eksPublicAccessCidrs`: comma-separated CIDRs allowed to reach the public API endpoint; none
   * (the default) leaves the endpoint private to the VPC.
   */
  readonly publicAccessCidrs: string[];
  /**
   * `rdsCrossRegion`: how the database reaches the standby region: `backups` (default: automated
   * backups replicated there, restored on failover) or `replica` (a cross-region read replica,
   * promoted on failover).
   */
  readonly crossRegionDatabase: CrossRegionDatabase;
  /** `rdsMultiAz`: a standby in a second AZ (default false, as in the benchmark). */
  readonly rdsMultiAz: boolean;
  /** `rdsDeletionProtection`: default true; teardown.sh turns it off before destroying. */
  readonly rdsDeletionProtection: boolean;
  /**
   * `clusterAdminArn`: an IAM role or user given cluster-admin through an EKS access entry
   * (deploy-kubernetes.sh passes the caller's, so that its kubectl and helm get in).
   */
  readonly clusterAdminArn?: string;
}

function raw(node: Node, key: string): unknown {
  return node.tryGetContext(key);
}

function text(node: Node, key: string, fallback: string): string {
  const value = raw(node, key);
  if (value === undefined || value === null || value === '') return fallback;
  if (typeof value !== 'string') throw new Error(`context ${key} must be a string, got ${JSON.stringify(value)}`);
  return value;
}

/** Context values from the command line are strings: accept `true`/`false` as well as booleans. */
function flag(node: Node, key: string, fallback: boolean): boolean {
  const value = raw(node, key);
  if (value === undefined || value === null || value === '') return fallback;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new Error(`context ${key} must be true or false, got ${JSON.stringify(value)}`);
}

function integer(node: Node, key: string, fallback: number, min: number, max: number): number {
  const value = raw(node, key);
  if (value === undefined || value === null || value === '') return fallback;
  const parsed = typeof value === 'number' ? value : Number(String(value));
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new Error(`context ${key} must be a whole number in ${min}..${max}, got ${JSON.stringify(value)}`);
  }
  return parsed;
}

export function serverlessSettings(node: Node): ServerlessSettings {
  const architecture = text(node, 'lambdaArchitecture', DEFAULT_LAMBDA_ARCHITECTURE);
  if (architecture !== 'arm64' && architecture !== 'x86_64') {
    throw new Error(`context lambdaArchitecture must be arm64 or x86_64, got ${JSON.stringify(architecture)}`);
  }
  const zip = text(node, 'lambdaZip', DEFAULT_LAMBDA_ZIP);
  const alarmTopicArn = text(node, 'alarmTopicArn', '');
  const dashboardName = text(node, 'dashboardName', DEFAULT_DASHBOARD_NAME);
  if (!/^[A-Za-z0-9_-]{1,255}$/.test(dashboardName)) {
    throw new Error(`context dashboardName may hold only letters, digits, - and _ (at most 255), got ${JSON.stringify(dashboardName)}`);
  }
  return {
    architecture,
    zipPath: path.resolve(REPO_ROOT, zip),
    memoryMb: integer(node, 'lambdaMemoryMb', DEFAULT_LAMBDA_MEMORY_MB, 128, 10240),
    httpApi: flag(node, 'httpApi', false),
    alarmTopicArn: alarmTopicArn === '' ? undefined : alarmTopicArn,
    dashboardName,
    throttleRate: integer(node, 'apiThrottleRate', DEFAULT_API_THROTTLE_RATE, 1, 10_000),
    throttleBurst: integer(node, 'apiThrottleBurst', DEFAULT_API_THROTTLE_BURST, 1, 5_000),
    reservedConcurrency: integer(node, 'lambdaReservedConcurrency', DEFAULT_RESERVED_CONCURRENCY, 0, 10_000),
  };
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const CIDR = /^(\d{1,3}\.){3}\d{1,3}\/(\d|[12]\d|3[0-2])$/;

export function drSettings(node: Node): DrSettings {
  const primaryRegion = text(node, 'primaryRegion', process.env.CDK_DEFAULT_REGION || DEFAULT_PRIMARY_REGION);
  const standby = text(node, 'drRegion', DEFAULT_DR_REGION);
  for (const [key, region] of [['primaryRegion', primaryRegion], ['drRegion', standby]]) {
    if (region !== 'none' && !REGION.test(region)) throw new Error(`context ${key} must be a region such as us-west-2, got ${JSON.stringify(region)}`);
  }
  if (standby === primaryRegion) throw new Error(`context drRegion must differ from the primary region ${primaryRegion}`);
  const domainName = text(node, 'domainName', EXAMPLE_DOMAIN_NAME);
  if (domainName !== 'none' && !/^([a-z0-9-]+\.)+[a-z]{2,}$/.test(domainName)) throw new Error(`context domainName must be a DNS name, got ${JSON.stringify(domainName)}`);
  const hostedZoneId = text(node, 'hostedZoneId', EXAMPLE_HOSTED_ZONE_ID);
  if (!/^Z[A-Z0-9]{1,31}$/.test(hostedZoneId)) throw new Error(`context hostedZoneId must be a Route 53 zone id (Z…), got ${JSON.stringify(hostedZoneId)}`);
  return {
    primaryRegion,
    standbyRegion: standby === 'none' ? undefined : standby,
    domainName: domainName === 'none' ? undefined : domainName,
    hostedZoneId,
  };
}

export function kubernetesSettings(node: Node): KubernetesSettings {
  const cidrs = text(node, 'eksPublicAccessCidrs', '')
    .split(',')
    .map((cidr) => cidr.trim())
    .filter((cidr) => cidr !== '');
  const open = cidrs.filter((cidr) => !CIDR.test(cidr) || cidr.endsWith('/0'));
  if (open.length > 0) {
    throw new Error(`context eksPublicAccessCidrs takes IPv4 CIDRs narrower than /0, got ${JSON.stringify(open.join(','))}`);
  }
  const crossRegionDatabase = text(node, 'rdsCrossRegion', 'backups');
  if (crossRegionDatabase !== 'backups' && crossRegionDatabase !== 'replica') {
    throw new Error(`context rdsCrossRegion must be backups or replica, got ${JSON.stringify(crossRegionDatabase)}`);
  }
  return {
    namespace: text(node, 'namespace', 'twinstack'),
    serviceAccount: text(node, 'serviceAccount', 'twinstack'),
    publicAccessCidrs: cidrs,
    crossRegionDatabase,
    rdsMultiAz: flag(node, 'rdsMultiAz', false),
    rdsDeletionProtection: flag(node, 'rdsDeletionProtection', true),
    clusterAdminArn: text(node, 'clusterAdminArn', '') || undefined,
  };
}
