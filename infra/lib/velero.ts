/**
 * Velero's AWS side, named as deploy/velero/ expects: the S3 bucket its BackupStorageLocation
 * `aws-s3-backup` writes to, and the Pod Identity role of its ServiceAccount, allowed that bucket
 * and the EBS snapshots of the volumes it backs up.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { CONTROLLER_SERVICE_ACCOUNTS, associate, podIdentityRole } from './cluster-addons';
import { acknowledgeWildcards } from './nag';

/** The Schedule's `storageLocation` (deploy/velero/schedule.yaml). */
export const BACKUP_STORAGE_LOCATION = 'aws-s3-backup';
/** Backups expire after 30 days (the Schedule's ttl); S3 keeps deleted versions one more week. */
export const BACKUP_RETENTION_DAYS = 30;

export interface VeleroProps {
  readonly cluster: eks.ICluster;
}

export class Velero extends Construct {
  readonly bucket: s3.Bucket;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: VeleroProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      lifecycleRules: [
        { expiration: Duration.days(BACKUP_RETENTION_DAYS + 1), noncurrentVersionExpiration: Duration.days(7) },
      ],
      // The backups are what a restore needs after the cluster (and this stack) are gone.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Only Velero\'s role writes and reads this bucket; CloudTrail records those calls, and server access logs would need a second bucket that outlives this one.',
    });

    this.role = podIdentityRole(this, 'Role', 'Velero: backups in its bucket, EBS snapshots of backed-up volumes');
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'BackupObjects',
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        resources: [this.bucket.arnForObjects('*')],
      }),
    );
    this.role.addToPolicy(new iam.PolicyStatement({ sid: 'ListBackups', actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }));
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'VolumeSnapshots',
        actions: [
          'ec2:DescribeVolumes',
          'ec2:DescribeSnapshots',
          'ec2:CreateTags',
          'ec2:CreateVolume',
          'ec2:CreateSnapshot',
          'ec2:DeleteSnapshot',
        ],
        resources: ['*'],
      }),
    );
    associate(this, 'Association', props.cluster, CONTROLLER_SERVICE_ACCOUNTS.velero, this.role);
    acknowledgeWildcards(
      this.role,
      'Velero\'s documented policy: objects under its bucket (bucket/*), and EBS snapshots and volumes whose ids only exist once Velero creates them (the Describe calls take no resource).',
    );
  }
}
