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

    // The team encrypts its secrets with its own key; the rotation functions may use it only through
    // Secrets Manager, for secrets.
    const encryptionKey = new kms.Key(this, 'SecretsKey', { enableKeyRotation: true, description: 'Encrypts the team\'s secrets' });

    // A plain API key: 32 random characters, rotated every 30 days, checked at deploy time.
    new RotatingSecret(this, 'ApiKey', {
      description: 'API key of the billing service',
      encryptionKey,
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
      strategy: RotationStrategy.randomPassword({ passwordLength: 64, excludePunctuation: true }),
      schedule: Schedule.rate(Duration.days(7)),
    });

    // The password of a PostgreSQL user; the user changes its own password on each rotation.
    new RotatingSecret(this, 'OrdersDatabaseUser', {
      description: 'PostgreSQL user of the orders service',
      encryptionKey,
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
      encryptionKey,
      strategy: RotationStrategy.mysqlSingleUser({
        database: DatabaseTarget.fromEndpoint({ host: '127.0.0.1', port: 3306 }),
        username: 'inventory_app',
        ssl: false,
      }),
    });
  }
}
