/**
 * Karpenter's AWS side, so the HPA's 20 replicas find nodes: the role its nodes run as (with an
 * EKS access entry so they may join), the controller's Pod Identity role, and the interruption
 * queue that Spot interruption and instance health events reach it through. The controller itself,
 * its EC2NodeClass and NodePool come from deploy/deploy-kubernetes.sh (deploy/addons/).
 */
import { Aws, Duration, Validations } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CONTROLLER_SERVICE_ACCOUNTS, associate, podIdentityRole } from './cluster-addons';
import { acknowledgeWildcards } from './nag';

/** The tag Karpenter puts on what it launches, naming the NodePool; its ec2 writes are scoped by it. */
const NODEPOOL_TAG = 'aws:RequestTag/karpenter.sh/nodepool';

export interface KarpenterProps {
  readonly cluster: eks.Cluster;
}

export class Karpenter extends Construct {
  readonly nodeRole: iam.Role;
  readonly controllerRole: iam.Role;
  readonly interruptionQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: KarpenterProps) {
    super(scope, id);
    const { cluster } = props;

    this.nodeRole = new iam.Role(this, 'NodeRole', {
      description: 'Nodes Karpenter launches: join the cluster, run the VPC CNI, pull from ECR',
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      managedPolicies: ['AmazonEKSWorkerNodePolicy', 'AmazonEKS_CNI_Policy', 'AmazonEC2ContainerRegistryReadOnly', 'AmazonSSMManagedInstanceCore'].map(
        (name) => iam.ManagedPolicy.fromAwsManagedPolicyName(name),
      ),
    });
    new eks.CfnAccessEntry(this, 'NodeAccess', {
      clusterName: cluster.clusterName,
      principalArn: this.nodeRole.roleArn,
      type: 'EC2_LINUX',
    });
    Validations.of(this.nodeRole).acknowledge(
      ...['AmazonEKSWorkerNodePolicy', 'AmazonEKS_CNI_Policy', 'AmazonEC2ContainerRegistryReadOnly', 'AmazonSSMManagedInstanceCore'].map((name) => ({
        id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${name}]`,
        reason: `Karpenter's node role: ${name} is the AWS-managed policy EKS worker nodes need (Karpenter's own CloudFormation template attaches the same four).`,
      })),
    );

    this.interruptionQueue = new sqs.Queue(this, 'InterruptionQueue', {
      retentionPeriod: Duration.minutes(5),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    Validations.of(this.interruptionQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'Karpenter\'s interruption queue holds EventBridge notices for 5 minutes; a notice Karpenter misses is superseded by the instance state it describes, so a dead-letter queue would keep nothing of use.',
    });
    const rules: Array<[string, events.EventPattern]> = [
      ['ScheduledChange', { source: ['aws.health'], detailType: ['AWS Health Event'] }],
      ['SpotInterruption', { source: ['aws.ec2'], detailType: ['EC2 Spot Instance Interruption Warning'] }],
      ['Rebalance', { source: ['aws.ec2'], detailType: ['EC2 Instance Rebalance Recommendation'] }],
      ['InstanceStateChange', { source: ['aws.ec2'], detailType: ['EC2 Instance State-change Notification'] }],
    ];
    for (const [name, eventPattern] of rules) {
      new events.Rule(this, `${name}Rule`, { eventPattern, targets: [new targets.SqsQueue(this.interruptionQueue)] });
    }

    this.controllerRole = podIdentityRole(this, 'ControllerRole', 'Karpenter controller: launches and terminates the nodes of its NodePools');
    this.controllerRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'LaunchTaggedForANodePool',
        actions: ['ec2:RunInstances', 'ec2:CreateFleet', 'ec2:CreateLaunchTemplate', 'ec2:CreateTags'],
        resources: ['fleet', 'instance', 'volume', 'network-interface', 'launch-template', 'spot-instances-request'].map(
          (type) => `arn:${Aws.PARTITION}:ec2:${Aws.REGION}:*:${type}/*`,
        ),
        conditions: { StringLike: { [NODEPOOL_TAG]: '*' } },
      }),
    );
    this.controllerRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'LaunchFromSharedResources',
        actions: ['ec2:RunInstances', 'ec2:CreateFleet'],
        resources: ['image', 'snapshot', 'security-group', 'subnet', 'capacity-reservation'].map(
          (type) => `arn:${Aws.PARTITION}:ec2:${Aws.REGION}:*:${type}/*`,
        ),
      }),
    );
    this.controllerRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'TerminateOnlyItsOwn',
        actions: ['ec2:TerminateInstances', 'ec2:DeleteLaunchTemplate'],
        resources: [`arn:${Aws.PARTITION}:ec2:${Aws.REGION}:*:instance/*`, `arn:${Aws.PARTITION}:ec2:${Aws.REGION}:*:launch-template/*`],
        conditions: { StringLike: { 'aws:ResourceTag/karpenter.sh/nodepool': '*' } },
      }),
    );
    this.controllerRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadTheRegion',
        actions: [
          'ec2:DescribeAvailabilityZones',
          'ec2:DescribeImages',
          'ec2:DescribeInstances',
          'ec2:DescribeInstanceTypeOfferings',
          'ec2:DescribeInstanceTypes',
          'ec2:DescribeLaunchTemplates',
          'ec2:DescribeSecurityGroups',
          'ec2:DescribeSpotPriceHistory',
          'ec2:DescribeSubnets',
          'ec2:DescribeCapacityReservations',
          'pricing:GetProducts',
        ],
        resources: ['*'],
      }),
    );
    this.controllerRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'AmiParameters',
        actions: ['ssm:GetParameter'],
        resources: [`arn:${Aws.PARTITION}:ssm:${Aws.REGION}::parameter/aws/service/*`],
      }),
    );
    this.controllerRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'PassTheNodeRole',
        actions: ['iam:PassRole'],
        resources: [this.nodeRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
      }),
    );
    this.controllerRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'InstanceProfilesItManages',
        actions: [
          'iam:CreateInstanceProfile',
          'iam:TagInstanceProfile',
          'iam:AddRoleToInstanceProfile',
          'iam:RemoveRoleFromInstanceProfile',
          'iam:DeleteInstanceProfile',
          'iam:GetInstanceProfile',
          'iam:ListInstanceProfiles',
        ],
        resources: [`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:instance-profile/*`],
      }),
    );
    this.controllerRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ItsCluster',
        actions: ['eks:DescribeCluster'],
        resources: [cluster.clusterArn],
      }),
    );
    this.interruptionQueue.grantConsumeMessages(this.controllerRole);
    associate(this, 'Controller', cluster, CONTROLLER_SERVICE_ACCOUNTS.karpenter, this.controllerRole);
    acknowledgeWildcards(
      this.controllerRole,
      'Karpenter creates instances, fleets, launch templates and instance profiles with generated ids, so they are named by type with a wildcard; writes require the karpenter.sh/nodepool tag, termination only touches resources carrying it, and the Describe and pricing reads support no resource-level permissions.',
    );
  }
}
