import { Duration, Stack, StackProps, aws_kms as kms } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DatabaseTarget, RotatingSecret, RotationStrategy, Schedule } from '../src';

/**
 * Rotating secrets as a team would declare them: an API key, service credentials kept as JSON, a webhook
 * signing key encrypted with the team's own KMS key, and the passwords of two database users.
 *
 * The databases here are local servers (PostgreSQL on 5432, MariaDB on 3306) so the sandbox can rotate
 * them for real. For RDS, use `DatabaseTarget.fromInstance(instance)`, pass `vpc`, and keep TLS on.
 */
export class ExampleStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    // A plain API key: 32 random characters, rotated every 30 days, checked at deploy time.
    new RotatingSecret(this, 'ApiKey', {
      description: 'API key of the billing service',
    });

    // JSON credentials: the password field rotates, the other fields stay as they are.
    new RotatingSecret(this, 'ServiceCredentials', {
      description: 'Credentials the reporting job uses',
      strategy: RotationStrategy.randomPassword({
        secretStringTemplate: JSON.stringify({ username: 'reporting' }),
        generateStringKey: 'password',
        passwordLength: 40,
      }),
      // Sundays at 03:00 UTC, within two hours.
      schedule: Schedule.cron({ hour: '3', weekDay: 'SUN' }),
      window: Duration.hours(2),
    });

    // Encrypted with a customer managed key; the rotation function may use it only through Secrets Manager.
    const key = new kms.Key(this, 'SigningKeyEncryption', { enableKeyRotation: true });
    new RotatingSecret(this, 'WebhookSigningKey', {
      description: 'Signs outgoing webhooks',
      encryptionKey: key,
      strategy: RotationStrategy.randomPassword({ passwordLength: 64, excludePunctuation: true }),
      schedule: Schedule.rate(Duration.days(7)),
    });

    // The password of a PostgreSQL user; the user changes its own password on each rotation.
    new RotatingSecret(this, 'OrdersDatabaseUser', {
      description: 'PostgreSQL user of the orders service',
      strategy: RotationStrategy.postgresSingleUser({
        database: DatabaseTarget.fromEndpoint({ host: '127.0.0.1', port: 5432 }),
        username: 'orders_app',
        dbname: 'postgres',
        ssl: false, // the local server has no TLS; RDS has, and the default (verified TLS) is what you want there
      }),
    });

    // The same for MySQL or MariaDB.
    new RotatingSecret(this, 'InventoryDatabaseUser', {
      description: 'MariaDB user of the inventory service',
      strategy: RotationStrategy.mysqlSingleUser({
        database: DatabaseTarget.fromEndpoint({ host: '127.0.0.1', port: 3306 }),
        username: 'inventory_app',
        ssl: false,
      }),
    });
  }
}
