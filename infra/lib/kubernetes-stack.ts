/**
 * The Kubernetes twin's AWS side: VPC, EKS (3 × t3.medium managed nodes, the add-ons the chart
 * relies on, the roles of the controllers deploy/deploy-kubernetes.sh installs), RDS Postgres
 * (db.t3.medium, encrypted; master, schema-owner and application credentials in Secrets Manager),
 * an ECR repository for the image, and Velero's bucket.
 *
 * The same class builds the standby region's stack (`role: 'standby'`): a cluster of its own, the
 * image replicated into its ECR, and the database as a cross-region read replica or, by default,
 * restored from the automated backups the primary replicates there (deploy/DR.md).
 *
 * The chart itself is installed by deploy/deploy-kubernetes.sh with `helm`, from this stack's outputs.
 */
import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Tags, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { CONTROLLER_SERVICE_ACCOUNTS, ClusterAddons, associate, podIdentityRole } from './cluster-addons';
import { Karpenter } from './karpenter';
import { PipelineAccess } from './pipeline-irsa';
import { type DrSettings, type KubernetesSettings, drSettings, kubernetesSettings } from './settings';
import { Velero } from './velero';

export const KUBERNETES_VERSION = eks.KubernetesVersion.V1_35;
export const NODE_COUNT = 3;
export const VPC_CIDR = '10.0.0.0/16';
export const DATABASE_NAME = 'twinstack';
/** The RDS master user: only deploy-kubernetes.sh's one-off role set-up (deploy/sql/database-roles.sql) uses it. */
export const DATABASE_USER = 'twinstack';
/** Owns the schema and runs the migrations (the chart's migration Job). */
export const DATABASE_OWNER = 'twinstack_owner';
/** What twinstack-server connects as: SELECT, INSERT, UPDATE, DELETE and sequences, nothing else. */
export const DATABASE_APP_USER = 'twinstack_app';
/** Secrets Manager names, the same in both regions (the secrets are replicated to the standby). */
export const DATABASE_SECRET_NAMES = {
  master: 'twinstack/database/master',
  owner: 'twinstack/database/owner',
  app: 'twinstack/database/app',
} as const;
/** The cluster's name: Karpenter's EC2NodeClass and the controllers' values name it. */
export const CLUSTER_NAME = 'twinstack';
/** Subnets Karpenter may launch nodes into carry this tag (deploy/addons/karpenter-nodes.yaml selects it). */
export const KARPENTER_DISCOVERY_TAG = 'karpenter.sh/discovery';
export const DATABASE_PORT = 5432;
export const DATABASE_INSTANCE_IDENTIFIER = 'twinstack';
const DATABASE_LOG_EXPORTS = ['postgresql', 'upgrade'];
/** Days of automated backups (point-in-time recovery), kept in the standby region as well. */
export const DATABASE_BACKUP_RETENTION_DAYS = 7;
/**
 * Kept out of the generated password: it goes into a `postgres://user:password@host/db` URL,
 * where these would need escaping (and the shell and YAML on the way there).
 */
export const PASSWORD_EXCLUDED_CHARACTERS = ' %+~`#$&*()|[]{}:;<>?!\'/@"\\=,^';

export type RegionRole = 'primary' | 'standby';

export interface KubernetesStackProps extends StackProps {
  /** Defaults to the CDK context (see `settings.ts`). */
  readonly settings?: KubernetesSettings;
  /** Defaults to the CDK context (see `settings.ts`). */
  readonly dr?: DrSettings;
  /** `primary` (default) or `standby`, the disaster-recovery copy in `dr.standbyRegion`. */
  readonly role?: RegionRole;
}

export class KubernetesStack extends Stack {
  readonly vpc: ec2.Vpc;
  readonly cluster: eks.Cluster;
  /** The primary's instance; the standby's read replica with `rdsCrossRegion=replica`; else none. */
  readonly database?: rds.CfnDBInstance | rds.DatabaseInstance;
  readonly repositoryUri: string;
  readonly externalSecretsRole: iam.Role;
  readonly addons: ClusterAddons;
  readonly karpenter: Karpenter;
  readonly velero: Velero;
  readonly role: RegionRole;

  constructor(scope: Construct, id: string, props: KubernetesStackProps = {}) {
    super(scope, id, {
      description: 'twinstack Kubernetes twin: VPC, EKS, RDS Postgres, ECR, IRSA role for the Helm chart',
      ...props,
    });
    const settings = props.settings ?? kubernetesSettings(this.node);
    const dr = props.dr ?? drSettings(this.node);
    this.role = props.role ?? 'primary';

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
    for (const subnet of this.vpc.privateSubnets) Tags.of(subnet).add(KARPENTER_DISCOVERY_TAG, CLUSTER_NAME);
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
      clusterName: CLUSTER_NAME,
      version: KUBERNETES_VERSION,
      vpc: this.vpc,
      vpcSubnets: [{ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }],
      defaultCapacityType: eks.DefaultCapacityType.NODEGROUP,
      defaultCapacity: NODE_COUNT,
      defaultCapacityInstance: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.MEDIUM),
      // Private unless given CIDRs (deploy-kubernetes.sh passes the caller's address): never 0.0.0.0/0.
      endpointAccess:
        settings.publicAccessCidrs.length > 0
          ? eks.EndpointAccess.PUBLIC_AND_PRIVATE.onlyFrom(...settings.publicAccessCidrs)
          : eks.EndpointAccess.PRIVATE,
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

    this.addons = new ClusterAddons(this, 'Addons', { cluster: this.cluster });
    this.karpenter = new Karpenter(this, 'Karpenter', { cluster: this.cluster });
    this.velero = new Velero(this, 'Velero', { cluster: this.cluster });
    const pipeline = new PipelineAccess(this, 'Pipeline', { cluster: this.cluster, namespace: settings.namespace });

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
    const subnetGroup = new rds.SubnetGroup(this, 'DatabaseSubnets', {
      vpc: this.vpc,
      description: 'twinstack RDS: the isolated database subnets',
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      removalPolicy: RemovalPolicy.DESTROY,
    });

    let ownerSecret: secretsmanager.ISecret;
    let appSecret: secretsmanager.ISecret;
    if (this.role === 'primary') {
      const replicaRegions = dr.standbyRegion ? [{ region: dr.standbyRegion }] : undefined;
      const primary = this.primaryDatabase(settings, dr, databaseSecurityGroup, subnetGroup, replicaRegions);
      this.database = primary;
      ownerSecret = this.databaseUserSecret('OwnerSecret', DATABASE_OWNER, DATABASE_SECRET_NAMES.owner, primary, replicaRegions);
      appSecret = this.databaseUserSecret('AppSecret', DATABASE_APP_USER, DATABASE_SECRET_NAMES.app, primary, replicaRegions);
      const repository = new ecr.Repository(this, 'Repository', {
        repositoryName: 'twinstack',
        imageScanOnPush: true,
        imageTagMutability: ecr.TagMutability.IMMUTABLE,
        encryption: ecr.RepositoryEncryption.KMS,
        lifecycleRules: [{ description: 'keep the last 30 images', maxImageCount: 30 }],
        removalPolicy: RemovalPolicy.RETAIN,
      });
      this.repositoryUri = repository.repositoryUri;
      if (dr.standbyRegion) {
        // Every pushed image is copied to the standby region's registry (a repository of the same name).
        new ecr.CfnReplicationConfiguration(this, 'ImageReplication', {
          replicationConfiguration: {
            rules: [
              {
                destinations: [{ region: dr.standbyRegion, registryId: Aws.ACCOUNT_ID }],
                repositoryFilters: [{ filter: 'twinstack', filterType: 'PREFIX_MATCH' }],
              },
            ],
          },
        });
      }
    } else {
      // The standby reads the secrets the primary replicates here, by name.
      ownerSecret = secretsmanager.Secret.fromSecretNameV2(this, 'OwnerSecret', DATABASE_SECRET_NAMES.owner);
      appSecret = secretsmanager.Secret.fromSecretNameV2(this, 'AppSecret', DATABASE_SECRET_NAMES.app);
      this.repositoryUri = `${Aws.ACCOUNT_ID}.dkr.ecr.${Aws.REGION}.${Aws.URL_SUFFIX}/twinstack`;
      if (settings.crossRegionDatabase === 'replica') {
        this.database = this.readReplica(dr, databaseSecurityGroup, subnetGroup);
      }
    }

    // External Secrets Operator reads the owner's and the application's credentials, never the
    // master's; twinstack's own ServiceAccount gets no AWS role at all.
    this.externalSecretsRole = podIdentityRole(this, 'ExternalSecretsRole', 'External Secrets Operator: the twinstack owner and application database secrets');
    this.externalSecretsRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'TheTwoDatabaseSecrets',
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        // A secret's ARN ends in 6 random characters: name them by the fixed part.
        resources: [DATABASE_SECRET_NAMES.owner, DATABASE_SECRET_NAMES.app].map(
          (name) => `arn:${Aws.PARTITION}:secretsmanager:${Aws.REGION}:${Aws.ACCOUNT_ID}:secret:${name}-??????`,
        ),
      }),
    );
    associate(this, 'ExternalSecretsAssociation', this.cluster, CONTROLLER_SERVICE_ACCOUNTS.externalSecrets, this.externalSecretsRole);

    this.acknowledgeClusterFindings();

    const outputs: Record<string, [string, string]> = {
      ClusterName: [this.cluster.clusterName, 'aws eks update-kubeconfig --name <this>'],
      Region: [Aws.REGION, 'region of every resource here'],
      RegionRole: [this.role, 'primary, or standby (disaster recovery)'],
      VpcId: [this.vpc.vpcId, 'the AWS Load Balancer Controller\'s vpcId'],
      RepositoryUri: [this.repositoryUri, 'image.repository for the chart'],
      DatabaseName: [DATABASE_NAME, 'database the server uses'],
      DatabaseInstanceIdentifier: [DATABASE_INSTANCE_IDENTIFIER, 'for teardown.sh (deletion protection) and DR.md'],
      DatabaseSubnetGroup: [subnetGroup.subnetGroupName, 'where DR.md restores the database'],
      DatabaseSecurityGroupId: [databaseSecurityGroup.securityGroupId, 'the security group a restored database gets'],
      MasterSecretName: [DATABASE_SECRET_NAMES.master, 'RDS master credentials: only deploy/sql/database-roles.sql uses them'],
      OwnerSecretName: [ownerSecret.secretName, 'schema owner (the migration Job), through External Secrets'],
      AppSecretName: [appSecret.secretName, 'application role (the server), through External Secrets'],
      KarpenterNodeRoleName: [this.karpenter.nodeRole.roleName, 'EC2NodeClass spec.role'],
      KarpenterInterruptionQueue: [this.karpenter.interruptionQueue.queueName, 'Karpenter settings.interruptionQueue'],
      VeleroBucket: [this.velero.bucket.bucketName, 'the BackupStorageLocation aws-s3-backup\'s bucket'],
      Namespace: [settings.namespace, 'namespace of the twinstack release'],
      PipelineBucket: [pipeline.bucket.bucketName, 'chunks and partials of the pipeline WorkflowTemplate (s3://<this>/runs/...)'],
      PipelineRoleArn: [pipeline.role.roleArn, 'pipeline.serviceAccount.annotations eks.amazonaws.com/role-arn (IRSA)'],
    };
    for (const [id, [value, description]] of Object.entries(outputs)) {
      new CfnOutput(this, id, { value, description });
    }
  }

  /** The primary's Postgres, its master credentials generated into Secrets Manager. */
  private primaryDatabase(
    settings: KubernetesSettings,
    dr: DrSettings,
    securityGroup: ec2.ISecurityGroup,
    subnetGroup: rds.ISubnetGroup,
    replicaRegions: secretsmanager.ReplicaRegion[] | undefined,
  ): rds.DatabaseInstance {
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
    const database = new rds.DatabaseInstance(this, 'Database', {
      instanceIdentifier: DATABASE_INSTANCE_IDENTIFIER,
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17 }),
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.MEDIUM),
      vpc: this.vpc,
      subnetGroup,
      publiclyAccessible: false,
      securityGroups: [securityGroup],
      port: DATABASE_PORT,
      databaseName: DATABASE_NAME,
      credentials: rds.Credentials.fromGeneratedSecret(DATABASE_USER, {
        secretName: DATABASE_SECRET_NAMES.master,
        excludeCharacters: PASSWORD_EXCLUDED_CHARACTERS,
        replicaRegions,
      }),
      storageEncrypted: true,
      storageType: rds.StorageType.GP3,
      allocatedStorage: 20,
      multiAz: settings.rdsMultiAz,
      deletionProtection: settings.rdsDeletionProtection,
      backupRetention: Duration.days(DATABASE_BACKUP_RETENTION_DAYS),
      iamAuthentication: true,
      autoMinorVersionUpgrade: true,
      cloudwatchLogsExports: DATABASE_LOG_EXPORTS,
      removalPolicy: RemovalPolicy.SNAPSHOT,
    });
    for (const logGroup of logGroups) database.node.addDependency(logGroup);
    if (dr.standbyRegion && settings.crossRegionDatabase === 'backups') {
      // Automated backups (snapshots and transaction logs) replicated to the standby region,
      // where DR.md restores them to a point in time.
      const cfn = database.node.defaultChild as rds.CfnDBInstance;
      cfn.automaticBackupReplicationRegion = dr.standbyRegion;
      cfn.automaticBackupReplicationRetentionPeriod = DATABASE_BACKUP_RETENTION_DAYS;
    }
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
    Validations.of(database).acknowledge(...databaseAcknowledgements);
    return database;
  }

  /**
   * A login role's credentials (`username`, `password`, `dbname`; the attachment adds `host` and
   * `port`), created in Postgres by deploy/sql/database-roles.sql.
   */
  private databaseUserSecret(
    id: string,
    username: string,
    secretName: string,
    database: rds.DatabaseInstance,
    replicaRegions: secretsmanager.ReplicaRegion[] | undefined,
  ): secretsmanager.ISecret {
    const secret = new secretsmanager.Secret(this, id, {
      secretName,
      description: `twinstack Postgres role ${username}`,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ username, dbname: DATABASE_NAME }),
        generateStringKey: 'password',
        excludeCharacters: PASSWORD_EXCLUDED_CHARACTERS,
        passwordLength: 32,
      },
      replicaRegions,
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'No automatic rotation: the role\'s password is set by deploy/sql/database-roles.sql and read by pods at start; rotate by re-running deploy-kubernetes.sh after a new value, then a rollout restart.',
    });
    return secret.attach(database);
  }

  /** The standby's cross-region read replica of the primary (promoted on failover, DR.md). */
  private readReplica(dr: DrSettings, securityGroup: ec2.ISecurityGroup, subnetGroup: rds.ISubnetGroup): rds.CfnDBInstance {
    const key = new kms.Key(this, 'ReplicaKey', {
      description: 'twinstack RDS read replica: storage encryption in the standby region',
      enableKeyRotation: true,
    });
    const replica = new rds.CfnDBInstance(this, 'DatabaseReplica', {
      dbInstanceIdentifier: DATABASE_INSTANCE_IDENTIFIER,
      sourceDbInstanceIdentifier: `arn:${Aws.PARTITION}:rds:${dr.primaryRegion}:${Aws.ACCOUNT_ID}:db:${DATABASE_INSTANCE_IDENTIFIER}`,
      sourceRegion: dr.primaryRegion,
      dbInstanceClass: 'db.t3.medium',
      dbSubnetGroupName: subnetGroup.subnetGroupName,
      vpcSecurityGroups: [securityGroup.securityGroupId],
      // Encrypted as its source is, with a key of this region (StorageEncrypted is the source's to say).
      kmsKeyId: key.keyArn,
      publiclyAccessible: false,
      autoMinorVersionUpgrade: true,
      deletionProtection: true,
    });
    replica.applyRemovalPolicy(RemovalPolicy.SNAPSHOT);
    Validations.of(replica).acknowledge(
      {
        id: 'AwsSolutions-RDS2',
        reason:
          'The replica is encrypted because its source is (KmsKeyId names this region\'s key); CloudFormation refuses StorageEncrypted beside SourceDBInstanceIdentifier, which is what this rule reads.',
      },
      {
        id: 'AwsSolutions-RDS3',
        reason: 'The standby region\'s read replica is itself the second copy of the primary; it becomes a single-AZ primary when promoted, as the primary is.',
      },
      {
        id: 'AwsSolutions-RDS11',
        reason: 'A replica keeps its source\'s port, the default Postgres port, reachable only from the standby cluster\'s security group.',
      },
    );
    return replica;
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
