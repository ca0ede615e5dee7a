/**
 * Route 53 failover in front of the Kubernetes twin's two load balancers (the ALBs the AWS Load
 * Balancer Controller makes for the chart's Ingress in each region):
 *
 *   kubernetes-<region>.<domainName>  CNAME → that region's ALB (one per region; the Ingress lists
 *                                     it as a host, so the health check's Host header matches)
 *   kubernetes.<domainName>           failover CNAME: PRIMARY → the primary's name, while its
 *                                     health check passes; SECONDARY → the standby's
 *
 * The ALB names exist only once the controllers have made them: deploy-kubernetes.sh deploys this
 * stack last, with `-c kubernetesPrimaryAlb=… -c kubernetesStandbyAlb=…`. Without them the synth
 * still carries every record, pointing at example names, so that it is validated like the rest.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import type { Construct } from 'constructs';
import { FAILOVER_TTL, HEALTH_PATH, type FailoverRole, failover, healthCheck, hostedZone } from './failover';
import { type DrSettings, drSettings } from './settings';

export const KUBERNETES_RECORD = 'kubernetes';

/** The per-region name the Ingress must list as a host (deploy-kubernetes.sh adds it). */
export function regionalKubernetesName(region: string, domainName: string): string {
  return `${KUBERNETES_RECORD}-${region}.${domainName}`;
}

export function exampleAlb(region: string, role: string): string {
  return `k8s-twinstack-${role}-0000000000.${region}.elb.amazonaws.com`;
}

export interface KubernetesFailoverStackProps extends StackProps {
  readonly dr?: DrSettings;
}

export class KubernetesFailoverStack extends Stack {
  readonly healthChecks: route53.HealthCheck[] = [];

  constructor(scope: Construct, id: string, props: KubernetesFailoverStackProps = {}) {
    super(scope, id, {
      description: 'twinstack Kubernetes twin: Route 53 health checks and failover records in front of both regions\' load balancers',
      ...props,
    });
    const dr = props.dr ?? drSettings(this.node);
    const { standbyRegion, domainName } = dr;
    if (!standbyRegion || !domainName) throw new Error('KubernetesFailoverStack needs a standby region (drRegion) and a domainName');
    const zone = hostedZone(this, { ...dr, domainName });
    const regions: Array<[FailoverRole, string, string]> = [
      ['PRIMARY', dr.primaryRegion, String(this.node.tryGetContext('kubernetesPrimaryAlb') ?? exampleAlb(dr.primaryRegion, 'primary'))],
      ['SECONDARY', standbyRegion, String(this.node.tryGetContext('kubernetesStandbyAlb') ?? exampleAlb(standbyRegion, 'standby'))],
    ];
    for (const [role, region, alb] of regions) {
      const regional = regionalKubernetesName(region, domainName);
      new route53.CnameRecord(this, `${role}Alb`, { zone, recordName: regional, domainName: alb, ttl: FAILOVER_TTL });
      const check = healthCheck(this, `${role}Health`, { fqdn: regional, path: HEALTH_PATH, protocol: 'HTTP' });
      this.healthChecks.push(check);
      new route53.CnameRecord(this, `${role}Failover`, {
        zone,
        recordName: `${KUBERNETES_RECORD}.${domainName}`,
        domainName: regional,
        ttl: FAILOVER_TTL,
        setIdentifier: `kubernetes-${role.toLowerCase()}-${region}`,
        failover: failover(role),
        healthCheck: check,
      });
      new CfnOutput(this, `${role}HealthCheckId`, { value: check.healthCheckId, description: `health check of ${regional}${HEALTH_PATH}` });
    }
    new CfnOutput(this, 'Url', { value: `http://${KUBERNETES_RECORD}.${domainName}`, description: 'the failover name' });
  }
}
