/**
 * Route 53 failover shared by both twins: a health check on a region's `/api/health` and the
 * PRIMARY or SECONDARY record that answers for the twin's name while that check passes. Route 53
 * answers with the primary while its check is healthy and with the secondary otherwise; a weighted
 * record (setIdentifier + weight) would keep sending traffic to a dead region.
 */
import { Duration } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import type { Construct } from 'constructs';
import type { DrSettings } from './settings';

/** The path both twins answer 200 `{"status":"ok"}` on, with no I/O. */
export const HEALTH_PATH = '/api/health';
export const HEALTH_BODY = '"status":"ok"';
/** 3 failures 10 s apart: traffic moves about 30 s (plus the record's TTL) after a region stops answering. */
export const HEALTH_CHECK_INTERVAL = Duration.seconds(10);
export const HEALTH_CHECK_FAILURES = 3;
/** The failover records' TTL: how long resolvers may keep answering with the failed region. */
export const FAILOVER_TTL = Duration.seconds(60);

export type FailoverRole = 'PRIMARY' | 'SECONDARY';

export function hostedZone(scope: Construct, dr: DrSettings & { domainName: string }): route53.IHostedZone {
  return route53.HostedZone.fromHostedZoneAttributes(scope, 'Zone', { hostedZoneId: dr.hostedZoneId, zoneName: dr.domainName });
}

/** Healthy while `protocol://fqdn:port/path` answers 2xx/3xx with the health body, from several Route 53 checkers. */
export function healthCheck(
  scope: Construct,
  id: string,
  endpoint: { fqdn: string; path: string; protocol: 'HTTP' | 'HTTPS' },
): route53.HealthCheck {
  return new route53.HealthCheck(scope, id, {
    type: endpoint.protocol === 'HTTPS' ? route53.HealthCheckType.HTTPS_STR_MATCH : route53.HealthCheckType.HTTP_STR_MATCH,
    fqdn: endpoint.fqdn,
    port: endpoint.protocol === 'HTTPS' ? 443 : 80,
    resourcePath: endpoint.path,
    searchString: HEALTH_BODY,
    enableSNI: endpoint.protocol === 'HTTPS' ? true : undefined,
    requestInterval: HEALTH_CHECK_INTERVAL,
    failureThreshold: HEALTH_CHECK_FAILURES,
  });
}

export function failover(role: FailoverRole): route53.Failover {
  return role === 'PRIMARY' ? route53.Failover.PRIMARY : route53.Failover.SECONDARY;
}
