import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { createApp } from '../lib/app';
import { ADDON_VERSIONS, CONTROLLER_SERVICE_ACCOUNTS } from '../lib/cluster-addons';
import {
  CLUSTER_NAME,
  DATABASE_APP_USER,
  DATABASE_BACKUP_RETENTION_DAYS,
  DATABASE_OWNER,
  DATABASE_PORT,
  DATABASE_SECRET_NAMES,
  PASSWORD_EXCLUDED_CHARACTERS,
  VPC_CIDR,
} from '../lib/kubernetes-stack';
import { DEFAULT_DR_REGION, DEFAULT_PRIMARY_REGION, EXAMPLE_DOMAIN_NAME } from '../lib/settings';
import { buildAppWithZip, cdkJson } from './helpers';

function template(context: Record<string, unknown> = {}): Template {
  return Template.fromStack(buildAppWithZip(context).kubernetes);
}

const t = template();

describe('network and cluster', () => {
  test('a VPC with public, node and isolated database subnets, and flow logs', () => {
    t.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: VPC_CIDR });
    t.resourceCountIs('AWS::EC2::FlowLog', 1);
    const subnets = Object.keys(t.findResources('AWS::EC2::Subnet'));
    assert.ok(subnets.some((id) => id.includes('public')));
    assert.ok(subnets.some((id) => id.includes('nodes')));
    assert.ok(subnets.some((id) => id.includes('database')));
  });

  test('EKS 1.35 with control-plane logging and Secrets encrypted by a rotating KMS key', () => {
    t.hasResourceProperties('AWS::EKS::Cluster', {
      Version: '1.35',
      Logging: {
        ClusterLogging: {
          EnabledTypes: Match.arrayWith([{ Type: 'api' }, { Type: 'audit' }, { Type: 'authenticator' }]),
        },
      },
      EncryptionConfig: [Match.objectLike({ Resources: ['secrets'] })],
    });
    t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('three t3.medium nodes in a managed node group', () => {
    t.resourceCountIs('AWS::EKS::Nodegroup', 1);
    t.hasResourceProperties('AWS::EKS::Nodegroup', {
      InstanceTypes: ['t3.medium'],
      ScalingConfig: { MinSize: 3, DesiredSize: 3 },
    });
    t.resourceCountIs('AWS::AutoScaling::AutoScalingGroup', 0);
  });

  test('the deploying principal can be made cluster admin through an access entry', () => {
    const arn = 'arn:aws:iam::123456789012:role/deployer';
    const withAdmin = template({ clusterAdminArn: arn });

    const entries = Object.values(withAdmin.findResources('AWS::EKS::AccessEntry', { Properties: { PrincipalArn: arn } }));
    assert.equal(entries.length, 1);
    const [policy] = entries[0].Properties.AccessPolicies;
    assert.deepEqual(policy.AccessScope, { Type: 'cluster' });
    assert.ok(JSON.stringify(policy.PolicyArn).includes('AmazonEKSClusterAdminPolicy'));
    // Without it, the only access entry is the one Karpenter's nodes join with.
    t.resourceCountIs('AWS::EKS::AccessEntry', 1);
    t.hasResourceProperties('AWS::EKS::AccessEntry', { Type: 'EC2_LINUX' });
  });

  test('the API endpoint is private unless given CIDRs, and never open to 0.0.0.0/0', () => {
    t.hasResourceProperties('AWS::EKS::Cluster', {
      ResourcesVpcConfig: Match.objectLike({ EndpointPublicAccess: false, EndpointPrivateAccess: true }),
    });
    template({ eksPublicAccessCidrs: '203.0.113.0/24' }).hasResourceProperties('AWS::EKS::Cluster', {
      ResourcesVpcConfig: Match.objectLike({ EndpointPublicAccess: true, PublicAccessCidrs: ['203.0.113.0/24'] }),
    });
    assert.throws(() => template({ eksPublicAccessCidrs: '0.0.0.0/0' }), /narrower than \/0/);
  });
});

describe('add-ons the chart relies on', () => {
  test('each EKS add-on is pinned, and the VPC CNI enforces NetworkPolicy', () => {
    const addons = Object.values(t.findResources('AWS::EKS::Addon')).map((a) => a.Properties);

    assert.deepEqual(addons.map((a) => a.AddonName).sort(), Object.keys(ADDON_VERSIONS).sort());
    for (const addon of addons) assert.equal(addon.AddonVersion, ADDON_VERSIONS[addon.AddonName as keyof typeof ADDON_VERSIONS]);
    const cni = addons.find((a) => a.AddonName === 'vpc-cni');
    assert.deepEqual(JSON.parse(cni?.ConfigurationValues), { enableNetworkPolicy: 'true' });
    const ebs = addons.find((a) => a.AddonName === 'aws-ebs-csi-driver');
    assert.equal(ebs?.PodIdentityAssociations[0].ServiceAccount, 'ebs-csi-controller-sa');
  });

  test('each Helm-installed controller gets a Pod Identity role bound to its ServiceAccount only', () => {
    const associations = Object.values(t.findResources('AWS::EKS::PodIdentityAssociation')).map(
      (a) => `${a.Properties.Namespace}/${a.Properties.ServiceAccount}`,
    );
    const expected = ['loadBalancerController', 'externalSecrets', 'karpenter', 'velero'].map((name) => {
      const account = CONTROLLER_SERVICE_ACCOUNTS[name as keyof typeof CONTROLLER_SERVICE_ACCOUNTS];
      return `${account.namespace}/${account.serviceAccount}`;
    });
    assert.deepEqual(associations.sort(), expected.sort());
    const podRoles = t.findResources('AWS::IAM::Role', {
      Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'pods.eks.amazonaws.com' } })] } },
    });
    // The four controllers' and the EBS CSI driver's.
    assert.equal(Object.keys(podRoles).length, 5);
  });

  test('Karpenter: a node role, an interruption queue fed by EventBridge, and subnets it discovers', () => {
    t.hasResourceProperties('AWS::SQS::Queue', { MessageRetentionPeriod: 300 });
    t.resourceCountIs('AWS::Events::Rule', 4);
    const subnets = Object.values(t.findResources('AWS::EC2::Subnet')).filter((s) =>
      (s.Properties.Tags ?? []).some((tag: { Key: string; Value: string }) => tag.Key === 'karpenter.sh/discovery' && tag.Value === CLUSTER_NAME),
    );
    const nodeSubnets = Object.keys(t.findResources('AWS::EC2::Subnet')).filter((id) => id.includes('nodes'));
    assert.ok(nodeSubnets.length >= 2);
    assert.equal(subnets.length, nodeSubnets.length, 'every node subnet, and only those');
  });

  test('Velero: a private, versioned, TLS-only bucket that outlives the stack', () => {
    t.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      }),
    });
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });
});

describe('RDS Postgres', () => {
  test('db.t3.medium Postgres, encrypted, backed up, protected from deletion, in isolated subnets', () => {
    t.hasResourceProperties('AWS::RDS::DBInstance', {
      Engine: 'postgres',
      DBInstanceClass: 'db.t3.medium',
      StorageEncrypted: true,
      DeletionProtection: true,
      BackupRetentionPeriod: DATABASE_BACKUP_RETENTION_DAYS,
      MultiAZ: false,
      EnableIAMDatabaseAuthentication: true,
      PubliclyAccessible: false,
    });
    t.hasResource('AWS::RDS::DBInstance', { DeletionPolicy: 'Snapshot' });
  });

  test('credentials are generated into Secrets Manager, without characters a URL would need escaped', () => {
    t.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({
        SecretStringTemplate: '{"username":"twinstack"}',
        GenerateStringKey: 'password',
        ExcludeCharacters: PASSWORD_EXCLUDED_CHARACTERS,
      }),
    });
    t.hasResourceProperties('AWS::RDS::DBInstance', {
      MasterUsername: 'twinstack',
      MasterUserPassword: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('resolve:secretsmanager')])] },
    });
  });

  test('only the cluster security group reaches Postgres', () => {
    const ingress = t.findResources('AWS::EC2::SecurityGroupIngress', {
      Properties: { FromPort: DATABASE_PORT, ToPort: DATABASE_PORT },
    });
    assert.equal(Object.keys(ingress).length, 1);
    const rule = Object.values(ingress)[0].Properties;
    assert.ok(JSON.stringify(rule.SourceSecurityGroupId).includes('ClusterSecurityGroupId'));
    assert.equal(rule.CidrIp, undefined);
  });

  test('a standby and no deletion protection on request', () => {
    template({ rdsMultiAz: 'true', rdsDeletionProtection: 'false' }).hasResourceProperties('AWS::RDS::DBInstance', {
      MultiAZ: true,
      DeletionProtection: false,
    });
  });
});

describe('ECR and least privilege', () => {
  test('an ECR repository with immutable tags and scan on push, replicated to the standby region', () => {
    t.hasResourceProperties('AWS::ECR::Repository', {
      RepositoryName: 'twinstack',
      ImageTagMutability: 'IMMUTABLE',
      ImageScanningConfiguration: { ScanOnPush: true },
    });
    t.hasResourceProperties('AWS::ECR::ReplicationConfiguration', {
      ReplicationConfiguration: { Rules: [Match.objectLike({ Destinations: [Match.objectLike({ Region: DEFAULT_DR_REGION })] })] },
    });
  });

  test('no role trusts twinstack\'s own ServiceAccount: the server calls no AWS API', () => {
    const identities = t.findResources('AWS::IAM::Role', {
      Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Action: 'sts:AssumeRoleWithWebIdentity' })] } },
    });
    // The one web-identity role is the pipeline pods' (IRSA), trusting their ServiceAccount alone.
    assert.deepEqual(Object.keys(identities), [t.getResourceId('AWS::IAM::Role', { Properties: { Description: Match.stringLikeRegexp('^IRSA for twinstack/twinstack-pipeline:') } })]);
    const [trust] = Object.values(t.findResources('Custom::AWSCDKCfnJson'));
    const conditions = (trust.Properties.Value['Fn::Join'][1] as unknown[]).filter((part) => typeof part === 'string').join('<issuer>');
    assert.equal(conditions, '{"<issuer>:sub":"system:serviceaccount:twinstack:twinstack-pipeline","<issuer>:aud":"sts.amazonaws.com"}');
    const associations = Object.values(t.findResources('AWS::EKS::PodIdentityAssociation'));
    assert.ok(!associations.some((a) => a.Properties.Namespace === 'twinstack'));
  });

  test('schema owner and application credentials are secrets of their own, with host and port attached', () => {
    for (const [name, username] of [
      [DATABASE_SECRET_NAMES.owner, DATABASE_OWNER],
      [DATABASE_SECRET_NAMES.app, DATABASE_APP_USER],
    ]) {
      t.hasResourceProperties('AWS::SecretsManager::Secret', {
        Name: name,
        GenerateSecretString: Match.objectLike({ SecretStringTemplate: JSON.stringify({ username, dbname: 'twinstack' }), GenerateStringKey: 'password' }),
        ReplicaRegions: [{ Region: DEFAULT_DR_REGION }],
      });
    }
    t.resourceCountIs('AWS::SecretsManager::SecretTargetAttachment', 3);
  });

  test('External Secrets may read the owner and application secrets, never the master\'s', () => {
    const statements = Object.values(t.findResources('AWS::IAM::Policy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>)
      .filter((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue'));

    assert.equal(statements.length, 1);
    const resources = JSON.stringify(statements[0].Resource);
    assert.ok(resources.includes(`${DATABASE_SECRET_NAMES.owner}-??????`) && resources.includes(`${DATABASE_SECRET_NAMES.app}-??????`));
    assert.ok(!resources.includes(DATABASE_SECRET_NAMES.master));
  });
});

describe('disaster recovery', () => {
  test('automated backups are replicated to the standby region', () => {
    t.hasResourceProperties('AWS::RDS::DBInstance', {
      AutomaticBackupReplicationRegion: DEFAULT_DR_REGION,
      AutomaticBackupReplicationRetentionPeriod: DATABASE_BACKUP_RETENTION_DAYS,
    });
  });

  test('the standby region gets the same cluster and, with rdsCrossRegion=replica, a read replica of the primary', () => {
    const standby = Template.fromStack(buildAppWithZip().kubernetesStandby);
    standby.resourceCountIs('AWS::EKS::Cluster', 1);
    standby.resourceCountIs('AWS::RDS::DBInstance', 0);
    standby.resourceCountIs('AWS::ECR::Repository', 0);

    const replica = Template.fromStack(buildAppWithZip({ rdsCrossRegion: 'replica' }).kubernetesStandby);
    replica.hasResourceProperties('AWS::RDS::DBInstance', {
      SourceRegion: DEFAULT_PRIMARY_REGION,
      SourceDBInstanceIdentifier: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
      KmsKeyId: Match.anyValue(),
    });
  });

  test('Route 53 fails the Kubernetes name over between both regions\' load balancers on a health check', () => {
    const dns = Template.fromStack(buildAppWithZip().kubernetesFailover);
    const records = Object.values(dns.findResources('AWS::Route53::RecordSet')).map((r) => r.Properties);
    const failover = records.filter((r) => r.Failover);

    assert.deepEqual(failover.map((r) => r.Failover).sort(), ['PRIMARY', 'SECONDARY']);
    for (const r of failover) {
      assert.equal(r.Name, `kubernetes.${EXAMPLE_DOMAIN_NAME}.`);
      assert.ok(r.HealthCheckId, 'each failover record has its health check');
      assert.equal(r.Weight, undefined);
    }
    dns.resourceCountIs('AWS::Route53::HealthCheck', 2);
    dns.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({ Type: 'HTTP_STR_MATCH', ResourcePath: '/api/health', FullyQualifiedDomainName: `kubernetes-${DEFAULT_PRIMARY_REGION}.${EXAMPLE_DOMAIN_NAME}` }),
    });
  });

  test('drRegion=none leaves the standby and the failover records out', () => {
    const built = createApp({ context: { ...cdkJson.context, stacks: 'kubernetes', drRegion: 'none' } });
    assert.equal(built.kubernetesStandby, undefined);
    assert.equal(built.kubernetesFailover, undefined);
    Template.fromStack(built.kubernetes!).resourceCountIs('AWS::ECR::ReplicationConfiguration', 0);
  });
});

describe('outputs deploy-kubernetes.sh and teardown.sh read', () => {
  test('every output the scripts read exists', () => {
    const outputs = Object.keys(t.findOutputs('*'));
    for (const name of [
      'ClusterName',
      'Region',
      'VpcId',
      'RepositoryUri',
      'DatabaseInstanceIdentifier',
      'MasterSecretName',
      'OwnerSecretName',
      'AppSecretName',
      'KarpenterNodeRoleName',
      'KarpenterInterruptionQueue',
      'VeleroBucket',
      'Namespace',
    ]) {
      assert.ok(outputs.includes(name), `output ${name}`);
    }
  });
});
