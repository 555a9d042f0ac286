import { Stack, aws_ec2 as ec2, aws_rds as rds, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Approach } from './approaches';
import { synthesize } from './footprint';
import { DatabaseFootprint } from './results';
import { RotatingSecret, RotationStrategy } from '../src';

/**
 * One PostgreSQL instance whose master user rotates, as a team declares it with each approach, against the same
 * instance without rotation: what rotation adds to a typical small stack (where fixed costs dominate).
 */
const ENGINE = rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17_6 });

function instance(stack: Stack, vpc: ec2.IVpc, credentials?: rds.Credentials): rds.DatabaseInstance {
  return new rds.DatabaseInstance(stack, 'Database', { engine: ENGINE, vpc, credentials });
}

function databaseApproach(key: string, label: string, build: (stack: Stack, vpc: ec2.Vpc) => void): Approach {
  return {
    key,
    label,
    nestedStackPerSecret: key === 'hosted' || key === 'sar',
    build: (stack) => build(stack, new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 })),
  };
}

const WITHOUT_ROTATION = databaseApproach('none', 'the instance without rotation', (stack, vpc) => {
  instance(stack, vpc);
});

const DATABASE_APPROACHES: readonly Approach[] = [
  databaseApproach('ours', 'RotatingSecret (postgresSingleUser)', (stack, vpc) => {
    const master = new RotatingSecret(stack, 'Master', { strategy: RotationStrategy.postgresSingleUser({ username: 'postgres', vpc }) });
    instance(stack, vpc, rds.Credentials.fromSecret(master));
  }),
  databaseApproach('hosted', 'HostedRotation.postgreSqlSingleUser', (stack, vpc) => {
    const database = instance(stack, vpc);
    const rotation = secretsmanager.HostedRotation.postgreSqlSingleUser({ vpc });
    database.secret!.addRotationSchedule('Rotation', { hostedRotation: rotation });
    database.connections.allowDefaultPortFrom(rotation);
  }),
  databaseApproach('sar', 'DatabaseInstance.addRotationSingleUser (SAR)', (stack, vpc) => {
    instance(stack, vpc).addRotationSingleUser();
  }),
];

/** Resources and template bytes each approach adds to the instance's stack. */
export function measureDatabaseFootprints(): DatabaseFootprint[] {
  const base = synthesize(WITHOUT_ROTATION, 1);
  return DATABASE_APPROACHES.map((approach) => {
    const withRotation = synthesize(approach, 1);
    return {
      key: approach.key,
      label: approach.label,
      addedResources: withRotation.resources - base.resources,
      addedBytes: withRotation.bytes - base.bytes,
    };
  });
}
