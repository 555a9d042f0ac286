import { Token, aws_ec2 as ec2, aws_redshift as redshift, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { DatabaseTarget } from './database-target';

/**
 * Options of `RedshiftClusterTarget.fromCfnCluster`.
 */
export interface RedshiftClusterTargetOptions {
  /**
   * The cluster's security groups (those its `vpcSecurityGroupIds` name), to let the rotation function in.
   * @default - no rule is added; open the path from the rotation function to the cluster's port yourself
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
}

/**
 * A provisioned Amazon Redshift cluster (aws-cdk-lib's `redshift.CfnCluster`): the `database` of a Redshift strategy,
 * or a target to attach the rotating secret to (`rotatingSecret.attach(target)`), whose `SecretTargetAttachment`
 * writes the cluster's `engine`, `host` and `port` into the secret.
 *
 * Redshift Serverless workgroups are not attachment targets (Secrets Manager attaches secrets to provisioned clusters
 * only): give a workgroup's endpoint to a strategy as `DatabaseTarget.fromEndpoint({ host, port: 5439, connections })`.
 */
export class RedshiftClusterTarget extends DatabaseTarget implements secretsmanager.ISecretAttachmentTarget, ec2.IConnectable {
  /** The cluster, reached at its endpoint; `securityGroups` open the rotation function's path to it. */
  public static fromCfnCluster(cluster: redshift.CfnCluster, options: RedshiftClusterTargetOptions = {}): RedshiftClusterTarget {
    return new RedshiftClusterTarget(cluster, options);
  }

  public readonly host: string;
  /** The cluster's endpoint port (always known: optional only as `DatabaseTarget` declares it). */
  public readonly port?: number;
  /** The cluster's security groups, as given. */
  public readonly connections: ec2.Connections;

  private constructor(private readonly cluster: redshift.CfnCluster, options: RedshiftClusterTargetOptions) {
    super();
    this.host = cluster.attrEndpointAddress;
    const port = Token.asNumber(cluster.attrEndpointPort);
    this.port = port;
    this.connections = new ec2.Connections({ securityGroups: options.securityGroups, defaultPort: ec2.Port.tcp(port) });
  }

  /** The cluster, when its security groups are known. */
  public get connectable(): ec2.IConnectable | undefined {
    return this.connections.securityGroups.length > 0 ? this : undefined;
  }

  public asSecretAttachmentTarget(): secretsmanager.SecretAttachmentTargetProps {
    return { targetId: this.cluster.ref, targetType: secretsmanager.AttachmentTargetType.REDSHIFT_CLUSTER };
  }
}
