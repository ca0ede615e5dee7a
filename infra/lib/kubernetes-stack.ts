/**
 * The Kubernetes twin's AWS side: VPC, EKS (3 × t3.medium managed nodes), RDS Postgres
 * (db.t3.medium, encrypted, credentials in Secrets Manager), an ECR repository for the image, and
 * the IRSA role that helm/twinstack's ServiceAccount is annotated with.
 *
 * The chart itself is installed by deploy/deploy-kubernetes.sh with `helm`, from this stack's outputs.
 */
import { Aws, CfnJson, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import type { Construct } from 'constructs';
import { type KubernetesSettings, kubernetesSettings } from './settings';

export const KUBERNETES_VERSION = eks.KubernetesVersion.V1_35;
export const NODE_COUNT = 3;
export const VPC_CIDR = '10.0.0.0/16';
export const DATABASE_NAME = 'twinstack';
export const DATABASE_USER = 'twinstack';
export const DATABASE_PORT = 5432;
export const DATABASE_INSTANCE_IDENTIFIER = 'twinstack';
const DATABASE_LOG_EXPORTS = ['postgresql', 'upgrade'];
/**
 * Kept out of the generated password: it goes into a `postgres://user:password@host/db` URL,
 * where these would need escaping (and the shell and YAML on the way there).
 */
export const PASSWORD_EXCLUDED_CHARACTERS = ' %+~`#$&*()|[]{}:;<>?!\'/@"\\=,^';

export interface KubernetesStackProps extends StackProps {
  /** Defaults to the CDK context (see `settings.ts`). */
  readonly settings?: KubernetesSettings;
}

export class KubernetesStack extends Stack {
  readonly vpc: ec2.Vpc;
  readonly cluster: eks.Cluster;
  readonly database: rds.DatabaseInstance;
  readonly repository: ecr.Repository;
  readonly serviceAccountRole: iam.Role;

  constructor(scope: Construct, id: string, props: KubernetesStackProps = {}) {
    super(scope, id, {
      description: 'twinstack Kubernetes twin: VPC, EKS, RDS Postgres, ECR, IRSA role for the Helm chart',
      ...props,
    });
    const settings = props.settings ?? kubernetesSettings(this.node);

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(VPC_CIDR),
      maxAzs: 3,
      natGateways: 1,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'nodes', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
        { name: 'database', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(
        new logs.LogGroup(this, 'FlowLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY }),
      ),
      trafficType: ec2.FlowLogTrafficType.REJECT,
    });

    const secretsKey = new kms.Key(this, 'ClusterSecretsKey', {
      description: 'twinstack EKS: envelope encryption of Kubernetes Secrets (DATABASE_URL lives in one)',
      enableKeyRotation: true,
    });
    this.cluster = new eks.Cluster(this, 'Cluster', {
      version: KUBERNETES_VERSION,
      vpc: this.vpc,
      vpcSubnets: [{ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }],
      defaultCapacityType: eks.DefaultCapacityType.NODEGROUP,
      defaultCapacity: NODE_COUNT,
      defaultCapacityInstance: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.MEDIUM),
      endpointAccess:
        settings.publicAccessCidrs.length > 0
          ? eks.EndpointAccess.PUBLIC_AND_PRIVATE.onlyFrom(...settings.publicAccessCidrs)
          : eks.EndpointAccess.PUBLIC_AND_PRIVATE,
      clusterLogging: [
        eks.ClusterLoggingTypes.API,
        eks.ClusterLoggingTypes.AUDIT,
        eks.ClusterLoggingTypes.AUTHENTICATOR,
        eks.ClusterLoggingTypes.CONTROLLER_MANAGER,
        eks.ClusterLoggingTypes.SCHEDULER,
      ],
      secretsEncryptionKey: secretsKey,
    });

    // The stack's deployment role becomes cluster admin by itself; a person running kubectl and
    // helm needs an access entry of their own.
    if (settings.clusterAdminArn) {
      this.cluster.grantClusterAdmin('ClusterAdmin', settings.clusterAdminArn);
    }

    const databaseSecurityGroup = new ec2.SecurityGroup(this, 'DatabaseSecurityGroup', {
      vpc: this.vpc,
      description: 'twinstack RDS: Postgres from the EKS cluster only',
      allowAllOutbound: false,
    });
    databaseSecurityGroup.addIngressRule(
      this.cluster.clusterSecurityGroup,
      ec2.Port.tcp(DATABASE_PORT),
      'Postgres from the EKS nodes and pods',
    );
    // RDS creates its log groups without retention: create them first, with one. (The
    // construct's own `cloudwatchLogsRetention` would add a log-retention Lambda for that.)
    const logGroups = DATABASE_LOG_EXPORTS.map(
      (log) =>
        new logs.LogGroup(this, `DatabaseLogs-${log}`, {
          logGroupName: `/aws/rds/instance/${DATABASE_INSTANCE_IDENTIFIER}/${log}`,
          retention: logs.RetentionDays.ONE_MONTH,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
    );
    this.database = new rds.DatabaseInstance(this, 'Database', {
      instanceIdentifier: DATABASE_INSTANCE_IDENTIFIER,
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17 }),
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.MEDIUM),
      vpc: this.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [databaseSecurityGroup],
      port: DATABASE_PORT,
      databaseName: DATABASE_NAME,
      credentials: rds.Credentials.fromGeneratedSecret(DATABASE_USER, {
        excludeCharacters: PASSWORD_EXCLUDED_CHARACTERS,
      }),
      storageEncrypted: true,
      storageType: rds.StorageType.GP3,
      allocatedStorage: 20,
      multiAz: settings.rdsMultiAz,
      deletionProtection: settings.rdsDeletionProtection,
      backupRetention: Duration.days(7),
      iamAuthentication: true,
      autoMinorVersionUpgrade: true,
      cloudwatchLogsExports: DATABASE_LOG_EXPORTS,
      removalPolicy: RemovalPolicy.SNAPSHOT,
    });
    for (const logGroup of logGroups) this.database.node.addDependency(logGroup);
    const databaseAcknowledgements = [
      {
        id: 'AwsSolutions-RDS11',
        reason:
          'The default Postgres port: the instance is reachable only from the cluster security group, and the port travels in DATABASE_URL anyway.',
      },
      {
        id: 'AwsSolutions-SMG4',
        reason:
          'No automatic rotation: the pods read DATABASE_URL at start, so a rotation must be rolled out (External Secrets refresh + rollout restart); rotate on that schedule rather than behind their back.',
      },
    ];
    if (!settings.rdsMultiAz) {
      databaseAcknowledgements.push({
        id: 'AwsSolutions-RDS3',
        reason: 'Single-AZ as in the benchmark it reproduces (-c rdsMultiAz=true adds a standby).',
      });
    }
    if (!settings.rdsDeletionProtection) {
      databaseAcknowledgements.push({
        id: 'AwsSolutions-RDS10',
        reason: 'Deletion protection turned off on request (-c rdsDeletionProtection=false), e.g. for a throwaway benchmark.',
      });
    }
    Validations.of(this.database).acknowledge(...databaseAcknowledgements);

    this.repository = new ecr.Repository(this, 'Repository', {
      repositoryName: 'twinstack',
      imageScanOnPush: true,
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      encryption: ecr.RepositoryEncryption.KMS,
      lifecycleRules: [{ description: 'keep the last 30 images', maxImageCount: 30 }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // IRSA: only the chart's ServiceAccount in its namespace may assume this role.
    const provider = this.cluster.openIdConnectProvider;
    const issuer = provider.openIdConnectProviderIssuer;
    const subject = `system:serviceaccount:${settings.namespace}:${settings.serviceAccount}`;
    const conditions = new CfnJson(this, 'ServiceAccountTrustConditions', {
      value: {
        [`${issuer}:sub`]: subject,
        [`${issuer}:aud`]: 'sts.amazonaws.com',
      },
    });
    this.serviceAccountRole = new iam.Role(this, 'ServiceAccountRole', {
      description: `IRSA role of ${subject}: reads the database secret`,
      assumedBy: new iam.OpenIdConnectPrincipal(provider, { StringEquals: conditions }),
      maxSessionDuration: Duration.hours(1),
    });
    // What an External Secrets SecretStore authenticating as this ServiceAccount needs.
    this.database.secret?.grantRead(this.serviceAccountRole);

    this.acknowledgeClusterFindings();

    const outputs: Record<string, [string, string]> = {
      ClusterName: [this.cluster.clusterName, 'aws eks update-kubeconfig --name <this>'],
      Region: [Aws.REGION, 'region of every resource here'],
      RepositoryUri: [this.repository.repositoryUri, 'image.repository for the chart'],
      DatabaseEndpoint: [this.database.dbInstanceEndpointAddress, 'Postgres host'],
      DatabasePort: [this.database.dbInstanceEndpointPort, 'Postgres port'],
      DatabaseName: [DATABASE_NAME, 'database the server uses'],
      DatabaseInstanceIdentifier: [this.database.instanceIdentifier, 'for teardown.sh (deletion protection)'],
      DatabaseSecretArn: [this.database.secret?.secretArn ?? '', 'Secrets Manager secret: username, password, host, port, dbname'],
      ServiceAccountRoleArn: [this.serviceAccountRole.roleArn, 'serviceAccount.annotations."eks.amazonaws.com/role-arn"'],
      Namespace: [settings.namespace, 'namespace the IRSA trust names'],
      ServiceAccountName: [settings.serviceAccount, 'ServiceAccount the IRSA trust names'],
    };
    for (const [id, [value, description]] of Object.entries(outputs)) {
      new CfnOutput(this, id, { value, description });
    }
  }

  /** Findings on what the EKS constructs create for themselves, each with its reason. */
  private acknowledgeClusterFindings(): void {
    const policy = (name: string) => `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${name}]`;
    Validations.of(this.cluster).acknowledge(
      {
        id: policy('AmazonEKSClusterPolicy'),
        reason: 'The EKS service role: AmazonEKSClusterPolicy is the policy EKS requires of its cluster role.',
      },
      {
        id: policy('AmazonEKSWorkerNodePolicy'),
        reason: 'Managed node group role: EKS requires this AWS-managed policy on worker nodes.',
      },
      {
        id: policy('AmazonEKS_CNI_Policy'),
        reason: 'Managed node group role: the VPC CNI plugin needs it to assign pod IPs (AWS-managed, as EKS documents).',
      },
      {
        id: policy('AmazonEC2ContainerRegistryReadOnly'),
        reason: 'Managed node group role: nodes pull the twinstack image from ECR.',
      },
      {
        id: 'CloudFormation-Validate::W9009',
        reason:
          'EncryptionConfig.Resources is written by the aws-eks-v2 Cluster construct itself (secrets envelope encryption); CloudFormation still requires it.',
      },
    );
  }
}
