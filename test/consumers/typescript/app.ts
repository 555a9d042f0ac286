// The reference consumer: the Python, Java and Go apps beside it build the same stack from the built packages.
import { App, Stack, aws_ec2 as ec2 } from 'aws-cdk-lib';
import { DatabaseTarget, RotatingSecret, RotationStrategy, Schedule } from '../../../src';

const app = new App();
const stack = new Stack(app, 'Consumer');
const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
new RotatingSecret(stack, 'OrdersUser', {
  schedule: Schedule.cron({ hour: '3', weekDay: 'SUN' }),
  strategy: RotationStrategy.postgresSingleUser({
    database: DatabaseTarget.fromEndpoint({ host: 'orders.db.example.com', port: 5432 }),
    username: 'orders_app',
    vpc,
  }),
});
app.synth();
