import { Duration, Stack, StackProps, aws_ec2 as ec2, aws_kms as kms, aws_rds as rds } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DatabaseTarget, RotatingSecret, RotationStrategy, Schedule } from '../src';

export interface ExampleStackProps extends StackProps {
  /**
   * The second version of the app, as a team would deploy it later: a shorter schedule for the API key, a shorter
   * webhook key, and the orders database's own database for its master user's logins.
   * @default false
   */
  readonly revised?: boolean;
}

/**
 * Rotating secrets as a team would declare them: an API key, service credentials kept as JSON, a webhook signing key
 * encrypted with the team's own KMS key, the master user of a new PostgreSQL instance, and an application user of an
 * Aurora MySQL cluster that the first rotation creates and that rotates with alternating users.
 */
export class ExampleStack extends Stack {
  constructor(scope: Construct, id: string, props: ExampleStackProps = {}) {
    super(scope, id, props);
    const revised = props.revised ?? false;

    // The team encrypts its secrets with its own key; the rotation functions may use it only through
    // Secrets Manager, for secrets.
    const encryptionKey = new kms.Key(this, 'SecretsKey', { enableKeyRotation: true, description: 'Encrypts the team\'s secrets' });

    // A plain API key: 32 random characters, rotated every 30 days, checked at deploy time.
    new RotatingSecret(this, 'ApiKey', {
      description: 'API key of the billing service',
      encryptionKey,
      schedule: Schedule.rate(Duration.days(revised ? 14 : 30)),
    });

    // JSON credentials: the password field rotates, the other fields stay as they are.
    new RotatingSecret(this, 'ServiceCredentials', {
      description: 'Credentials the reporting job uses',
      encryptionKey,
      strategy: RotationStrategy.randomPassword({
        secretStringTemplate: JSON.stringify({ username: 'reporting' }),
        generateStringKey: 'password',
        passwordLength: 40,
      }),
      // Sundays at 03:00 UTC, within two hours.
      schedule: Schedule.cron({ hour: '3', weekDay: 'SUN' }),
      window: Duration.hours(2),
    });

    // A longer key without punctuation, rotated weekly, with an alarm when rotation fails.
    new RotatingSecret(this, 'WebhookSigningKey', {
      description: 'Signs outgoing webhooks',
      encryptionKey,
      failureAlarms: true,
      strategy: RotationStrategy.randomPassword({ passwordLength: revised ? 48 : 64, excludePunctuation: true }),
      schedule: Schedule.rate(Duration.days(7)),
    });

    // The databases live in private subnets; the rotation functions run there too and reach Secrets Manager
    // through the NAT gateway.
    const vpc = new ec2.Vpc(this, 'Vpc', { maxAzs: 2, natGateways: 1 });

    // The master user of a new PostgreSQL instance: the instance takes its credentials from the rotating secret,
    // and the secret rotates the instance's master user (it needs no `database`: the instance attaches itself).
    const ordersMaster = new RotatingSecret(this, 'OrdersMaster', {
      description: 'Master user of the orders database',
      encryptionKey,
      strategy: RotationStrategy.postgresSingleUser({ username: 'orders_admin', vpc, dbname: revised ? 'orders' : undefined }),
    });
    new rds.DatabaseInstance(this, 'OrdersDatabase', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17_6 }),
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MICRO),
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      databaseName: 'orders',
      credentials: rds.Credentials.fromSecret(ordersMaster),
      storageEncrypted: true,
    });

    // An Aurora MySQL cluster whose master user rotates too, and an application user of it. The application user's
    // first rotation (during the deploy) creates it with the master secret and these grants; later rotations
    // alternate between it and its `_clone`.
    const inventoryMaster = new RotatingSecret(this, 'InventoryMaster', {
      description: 'Master user of the inventory database',
      encryptionKey,
      strategy: RotationStrategy.mysqlSingleUser({ username: 'inventory_admin', vpc }),
    });
    const inventory = new rds.DatabaseCluster(this, 'InventoryCluster', {
      engine: rds.DatabaseClusterEngine.auroraMysql({ version: rds.AuroraMysqlEngineVersion.VER_3_08_0 }),
      writer: rds.ClusterInstance.provisioned('Writer', { instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MEDIUM) }),
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      defaultDatabaseName: 'inventory',
      credentials: rds.Credentials.fromSecret(inventoryMaster),
      storageEncrypted: true,
    });
    new RotatingSecret(this, 'InventoryAppUser', {
      description: 'Application user of the inventory database',
      encryptionKey,
      strategy: RotationStrategy.mysqlAlternatingUsers({
        database: DatabaseTarget.fromCluster(inventory),
        username: 'inventory_app',
        dbname: 'inventory',
        masterSecret: inventoryMaster,
        createUser: { grants: [{ privileges: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'], on: 'inventory.*' }] },
        vpc,
      }),
    });
  }
}
