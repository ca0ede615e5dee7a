/**
 * What the chart relies on in the cluster, on the AWS side: the EKS add-ons (pinned), and one EKS
 * Pod Identity role per controller that deploy/deploy-kubernetes.sh installs with Helm (AWS Load
 * Balancer Controller, External Secrets Operator, Karpenter, Velero), each trusted by exactly that
 * controller's ServiceAccount and allowed only what the controller does.
 *
 * Pod Identity rather than IRSA: the association is a CloudFormation resource, so no kubectl (and
 * no Lambda layer) is needed to bind a role to a ServiceAccount the Helm chart creates later.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Aws, Validations } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledgeWildcards } from './nag';

/**
 * EKS add-ons and their versions, pinned so that a redeploy never upgrades one behind our back.
 * Refresh with `aws eks describe-addon-versions --kubernetes-version 1.35 --addon-name NAME`.
 */
export const ADDON_VERSIONS = {
  'eks-pod-identity-agent': 'v1.3.10-eksbuild.1',
  'vpc-cni': 'v1.21.1-eksbuild.1',
  'metrics-server': 'v0.8.0-eksbuild.5',
  'aws-ebs-csi-driver': 'v1.53.0-eksbuild.1',
} as const;

/** The AWS Load Balancer Controller release whose IAM policy aws-cdk-lib ships (chart of the same version). */
export const LOAD_BALANCER_CONTROLLER_VERSION = 'v3.2.2';

/** Where each Helm-installed controller's ServiceAccount lives (deploy/addons/*.values.yaml name them so). */
export const CONTROLLER_SERVICE_ACCOUNTS = {
  loadBalancerController: { namespace: 'kube-system', serviceAccount: 'aws-load-balancer-controller' },
  externalSecrets: { namespace: 'external-secrets', serviceAccount: 'external-secrets' },
  karpenter: { namespace: 'kube-system', serviceAccount: 'karpenter' },
  velero: { namespace: 'velero', serviceAccount: 'velero' },
  ebsCsiController: { namespace: 'kube-system', serviceAccount: 'ebs-csi-controller-sa' },
} as const;

/** A role that EKS Pod Identity hands to one ServiceAccount. */
export function podIdentityRole(scope: Construct, id: string, description: string): iam.Role {
  return new iam.Role(scope, id, {
    description,
    assumedBy: new iam.SessionTagsPrincipal(new iam.ServicePrincipal('pods.eks.amazonaws.com')),
  });
}

/** Binds `role` to namespace/serviceAccount in the cluster. */
export function associate(
  scope: Construct,
  id: string,
  cluster: eks.ICluster,
  account: { namespace: string; serviceAccount: string },
  role: iam.IRole,
): eks.CfnPodIdentityAssociation {
  return new eks.CfnPodIdentityAssociation(scope, id, {
    clusterName: cluster.clusterName,
    namespace: account.namespace,
    serviceAccount: account.serviceAccount,
    roleArn: role.roleArn,
  });
}

export interface ClusterAddonsProps {
  readonly cluster: eks.Cluster;
}

/**
 * The EKS add-ons: the Pod Identity agent, the VPC CNI with NetworkPolicy enforcement on,
 * metrics-server (the HPA's CPU metric), and the EBS CSI driver (the monitoring volumes), with
 * its controller's role; and the AWS Load Balancer Controller's role.
 */
export class ClusterAddons extends Construct {
  readonly loadBalancerControllerRole: iam.Role;

  constructor(scope: Construct, id: string, props: ClusterAddonsProps) {
    super(scope, id);
    const { cluster } = props;

    const ebsRole = podIdentityRole(this, 'EbsCsiRole', 'EBS CSI driver controller: creates, attaches and snapshots EBS volumes');
    ebsRole.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonEBSCSIDriverPolicy'));
    Validations.of(ebsRole).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy]',
      reason:
        'AmazonEBSCSIDriverPolicy is the policy AWS publishes and maintains for the EBS CSI driver add-on; its volume actions are already conditioned on the driver\'s own tags.',
    });

    const podIdentityAgent = this.addon('eks-pod-identity-agent', cluster);
    this.addon('vpc-cni', cluster, { configurationValues: JSON.stringify({ enableNetworkPolicy: 'true' }) });
    this.addon('metrics-server', cluster);
    const ebs = this.addon('aws-ebs-csi-driver', cluster, {
      podIdentityAssociations: [
        { roleArn: ebsRole.roleArn, serviceAccount: CONTROLLER_SERVICE_ACCOUNTS.ebsCsiController.serviceAccount },
      ],
    });
    ebs.node.addDependency(podIdentityAgent);

    this.loadBalancerControllerRole = podIdentityRole(
      this,
      'LoadBalancerControllerRole',
      'AWS Load Balancer Controller: the ALBs and NLBs of Ingresses, Gateways and Services',
    );
    const policy = loadBalancerControllerPolicy();
    for (const statement of policy.Statement) {
      this.loadBalancerControllerRole.addToPolicy(iam.PolicyStatement.fromJson(withPartition(statement)));
    }
    associate(this, 'LoadBalancerController', cluster, CONTROLLER_SERVICE_ACCOUNTS.loadBalancerController, this.loadBalancerControllerRole);
    acknowledgeWildcards(
      this.loadBalancerControllerRole,
      'The AWS Load Balancer Controller policy as its project publishes it (shipped in aws-cdk-lib): load balancers and target groups are created with generated names, so its actions are scoped by the elbv2.k8s.aws/cluster tag condition rather than by ARN.',
    );
  }

  private addon(name: keyof typeof ADDON_VERSIONS, cluster: eks.ICluster, extra: Partial<eks.CfnAddonProps> = {}): eks.CfnAddon {
    return new eks.CfnAddon(this, name, {
      addonName: name,
      addonVersion: ADDON_VERSIONS[name],
      clusterName: cluster.clusterName,
      // The add-on's settings win over hand edits in the cluster, so the stack stays the truth.
      resolveConflicts: 'OVERWRITE',
      ...extra,
    });
  }
}

interface PolicyDocumentJson {
  Statement: Array<Record<string, unknown>>;
}

function loadBalancerControllerPolicy(): PolicyDocumentJson {
  const cdkLib = path.dirname(require.resolve('aws-cdk-lib/package.json'));
  const file = path.join(cdkLib, 'aws-eks-v2', 'lib', 'addons', `alb-iam_policy-${LOAD_BALANCER_CONTROLLER_VERSION}.json`);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as PolicyDocumentJson;
}

/** The published policy names the `aws` partition; make it follow the stack's. */
function withPartition(statement: Record<string, unknown>): Record<string, unknown> {
  const rewrite = (resource: unknown) => (typeof resource === 'string' ? resource.replace(/^arn:aws:/, `arn:${Aws.PARTITION}:`) : resource);
  const resource = statement.Resource;
  return { ...statement, Resource: Array.isArray(resource) ? resource.map(rewrite) : rewrite(resource) };
}
