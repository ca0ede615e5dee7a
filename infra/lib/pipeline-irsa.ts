/**
 * The Kubernetes pipeline's AWS side: the bucket its pods read chunks from and write partials to, and
 * the IAM role they assume through IRSA: the chart's pipeline ServiceAccount (`<release>-pipeline`,
 * helm/twinstack/templates/serviceaccount-pipeline.yaml) carries its ARN in
 * `eks.amazonaws.com/role-arn`, and the role trusts exactly that account through the cluster's OIDC
 * provider.
 */
import { CfnJson, RemovalPolicy } from 'aws-cdk-lib';
import type * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeWildcards } from './nag';

/** The chart's pipeline ServiceAccount for release `twinstack` (`twinstack.pipelineName`). */
export const PIPELINE_SERVICE_ACCOUNT = 'twinstack-pipeline';

export interface PipelineAccessProps {
  readonly cluster: eks.Cluster;
  /** The release's namespace. */
  readonly namespace: string;
}

export class PipelineAccess extends Construct {
  readonly bucket: s3.Bucket;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: PipelineAccessProps) {
    super(scope, id);
    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: accessLogs,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const provider = props.cluster.openIdConnectProvider;
    // The issuer is only known at deploy time, and it is part of the condition keys: CfnJson resolves them.
    const issuer = provider.openIdConnectProviderIssuer;
    const trust = new CfnJson(this, 'TrustConditions', {
      value: {
        [`${issuer}:sub`]: `system:serviceaccount:${props.namespace}:${PIPELINE_SERVICE_ACCOUNT}`,
        [`${issuer}:aud`]: 'sts.amazonaws.com',
      },
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.OpenIdConnectPrincipal(provider).withConditions({ StringEquals: trust }),
      description: `IRSA for ${props.namespace}/${PIPELINE_SERVICE_ACCOUNT}: chunks in, partials out, in the pipeline bucket`,
    });
    this.role.addToPolicy(new iam.PolicyStatement({ sid: 'ListChunksAndPartials', actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }));
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadChunksWritePartials',
        actions: ['s3:GetObject', 's3:PutObject'],
        resources: [this.bucket.arnForObjects('runs/*')],
      }),
    );
    acknowledgeWildcards(
      this.role,
      'Each run writes its chunks and partials under runs/<run>/ with names the run chooses: the wildcard is that prefix of this bucket, with Get and Put only.',
    );
  }
}
