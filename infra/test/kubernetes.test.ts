import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { DATABASE_PORT, PASSWORD_EXCLUDED_CHARACTERS, VPC_CIDR } from '../lib/kubernetes-stack';
import { buildAppWithZip } from './helpers';

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

    const entries = Object.values(withAdmin.findResources('AWS::EKS::AccessEntry'));
    assert.equal(entries.length, 1);
    assert.equal(entries[0].Properties.PrincipalArn, arn);
    const [policy] = entries[0].Properties.AccessPolicies;
    assert.deepEqual(policy.AccessScope, { Type: 'cluster' });
    assert.ok(JSON.stringify(policy.PolicyArn).includes('AmazonEKSClusterAdminPolicy'));
    t.resourceCountIs('AWS::EKS::AccessEntry', 0);
  });

  test('the public API endpoint can be limited to given CIDRs', () => {
    template({ eksPublicAccessCidrs: '203.0.113.0/24' }).hasResourceProperties('AWS::EKS::Cluster', {
      ResourcesVpcConfig: Match.objectLike({ EndpointPublicAccess: true, PublicAccessCidrs: ['203.0.113.0/24'] }),
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
      BackupRetentionPeriod: 7,
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

describe('ECR and IRSA', () => {
  test('an ECR repository with immutable tags and scan on push', () => {
    t.hasResourceProperties('AWS::ECR::Repository', {
      RepositoryName: 'twinstack',
      ImageTagMutability: 'IMMUTABLE',
      ImageScanningConfiguration: { ScanOnPush: true },
    });
  });

  function irsa(tmpl: Template) {
    const roles = tmpl.findResources('AWS::IAM::Role', {
      Properties: {
        AssumeRolePolicyDocument: {
          Statement: [Match.objectLike({ Action: 'sts:AssumeRoleWithWebIdentity' })],
        },
      },
    });
    assert.equal(Object.keys(roles).length, 1, 'one IRSA role');
    const [id, role] = Object.entries(roles)[0];
    const conditions = Object.values(tmpl.findResources('Custom::AWSCDKCfnJson'))[0].Properties.Value;
    return { id, role, conditions: JSON.stringify(conditions) };
  }

  test('the IRSA role trusts only the chart\'s ServiceAccount, through the cluster\'s OIDC provider', () => {
    const { role, conditions } = irsa(t);

    const statement = role.Properties.AssumeRolePolicyDocument.Statement[0];
    assert.ok(JSON.stringify(statement.Principal.Federated).includes('OidcProvider'));
    assert.ok(statement.Condition.StringEquals, 'StringEquals on sub and aud');
    assert.ok(conditions.includes('system:serviceaccount:twinstack:twinstack'));
    assert.ok(conditions.includes('sts.amazonaws.com'));
    t.resourceCountIs('AWS::IAM::OIDCProvider', 1);
  });

  test('namespace and ServiceAccount name come from context', () => {
    const { conditions } = irsa(template({ namespace: 'bench', serviceAccount: 'api' }));

    assert.ok(conditions.includes('system:serviceaccount:bench:api'));
  });

  test('the IRSA role may read the database secret and nothing else', () => {
    const { id } = irsa(t);
    const policies = t.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: id }] },
    });
    const statements = Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const actions = statements.flatMap((s) => [s.Action].flat()).sort();

    assert.deepEqual(actions, ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
    for (const s of statements) assert.ok(JSON.stringify(s.Resource).includes('DatabaseSecret'));
  });
});

describe('outputs deploy-kubernetes.sh and teardown.sh read', () => {
  test('every output the scripts read exists', () => {
    const outputs = Object.keys(t.findOutputs('*'));
    for (const name of [
      'ClusterName',
      'Region',
      'RepositoryUri',
      'DatabaseEndpoint',
      'DatabasePort',
      'DatabaseName',
      'DatabaseInstanceIdentifier',
      'DatabaseSecretArn',
      'ServiceAccountRoleArn',
      'Namespace',
      'ServiceAccountName',
    ]) {
      assert.ok(outputs.includes(name), `output ${name}`);
    }
  });
});
