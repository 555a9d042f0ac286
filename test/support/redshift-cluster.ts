import { aws_redshift as redshift, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** A single-node provisioned cluster whose admin credentials come from `admin`'s `username` and `password`. */
export function redshiftCluster(
  scope: Construct, id: string, admin: secretsmanager.ISecret, network: Pick<redshift.CfnClusterProps, 'clusterSubnetGroupName' | 'vpcSecurityGroupIds'> = {},
): redshift.CfnCluster {
  return new redshift.CfnCluster(scope, id, {
    clusterType: 'single-node',
    nodeType: 'ra3.large',
    dbName: 'dev',
    masterUsername: admin.secretValueFromJson('username').unsafeUnwrap(),
    masterUserPassword: admin.secretValueFromJson('password').unsafeUnwrap(),
    publiclyAccessible: false,
    ...network,
  });
}
