import {
  Duration,
  Stack,
  aws_ec2 as ec2,
  aws_lambda as lambda,
  aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { RotatingSecret } from '../src';

/**
 * The ways to declare N rotating secrets in one stack that the benchmark compares. Every approach names its
 * secrets `Secret<i>` and rotates every 30 days, so logical ids and schedules weigh the same everywhere.
 */
export interface Approach {
  /** Short key used in tables and in the results file's data. */
  readonly key: string;
  /** What a reader sees in the tables. */
  readonly label: string;
  /** Adds `count` rotating secrets (and whatever the approach needs once per stack) to `stack`. */
  readonly build: (stack: Stack, count: number) => void;
  /** Whether each secret also gets a nested stack (and rotation function) made at deploy time. */
  readonly nestedStackPerSecret: boolean;
}

const EVERY_30_DAYS = Duration.days(30);
/** The PostgreSQL port the database baselines rotate against. */
const POSTGRES_PORT = 5432;

/** A VPC as a database stack would have one: two AZs, one NAT gateway. Counted once per stack. */
function benchVpc(stack: Stack): ec2.Vpc {
  return new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
}

export const OURS_VERIFIED: Approach = {
  key: 'ours',
  label: 'RotatingSecret (verification on)',
  nestedStackPerSecret: false,
  build: (stack, count) => {
    for (let i = 0; i < count; i++) new RotatingSecret(stack, `Secret${i}`);
  },
};

export const OURS_UNVERIFIED: Approach = {
  key: 'ours-noverify',
  label: 'RotatingSecret (verification off)',
  nestedStackPerSecret: false,
  build: (stack, count) => {
    for (let i = 0; i < count; i++) new RotatingSecret(stack, `Secret${i}`, { verifyOnDeploy: false });
  },
};

/**
 * The do-it-yourself baseline: one rotation function with inline code shared by every secret, wired with
 * `addRotationSchedule` (which grants it each secret and adds the invoke permission).
 */
export const HAND_ROLLED: Approach = {
  key: 'hand-rolled',
  label: 'addRotationSchedule + one shared Lambda',
  nestedStackPerSecret: false,
  build: (stack, count) => {
    const rotationLambda = new lambda.Function(stack, 'RotationFunction', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      // The code does not matter to the template; inline keeps the baseline free of assets.
      code: lambda.Code.fromInline('exports.handler = async () => {};'),
      timeout: Duration.minutes(1),
    });
    for (let i = 0; i < count; i++) {
      new secretsmanager.Secret(stack, `Secret${i}`).addRotationSchedule('R', { rotationLambda, automaticallyAfter: EVERY_30_DAYS });
    }
  },
};

export const HOSTED_ROTATION: Approach = {
  key: 'hosted',
  label: 'HostedRotation.postgreSqlSingleUser (VPC)',
  nestedStackPerSecret: true,
  build: (stack, count) => {
    const vpc = benchVpc(stack);
    for (let i = 0; i < count; i++) {
      new secretsmanager.Secret(stack, `Secret${i}`).addRotationSchedule('R', {
        hostedRotation: secretsmanager.HostedRotation.postgreSqlSingleUser({ vpc }),
        automaticallyAfter: EVERY_30_DAYS,
      });
    }
  },
};

export const SAR_ROTATION: Approach = {
  key: 'sar',
  label: 'SecretRotation (SAR, POSTGRES_ROTATION_SINGLE_USER)',
  nestedStackPerSecret: true,
  build: (stack, count) => {
    const vpc = benchVpc(stack);
    // The database every secret belongs to: one security group with PostgreSQL's port.
    const database = new ec2.SecurityGroup(stack, 'Database', { vpc });
    const target = new ec2.Connections({ securityGroups: [database], defaultPort: ec2.Port.tcp(POSTGRES_PORT) });
    for (let i = 0; i < count; i++) {
      const secret = new secretsmanager.Secret(stack, `Secret${i}`);
      new secretsmanager.SecretRotation(stack, `Secret${i}Rotation`, {
        application: secretsmanager.SecretRotationApplication.POSTGRES_ROTATION_SINGLE_USER,
        secret,
        target,
        vpc,
        automaticallyAfter: EVERY_30_DAYS,
      });
    }
  },
};

export const APPROACHES: readonly Approach[] = [OURS_VERIFIED, OURS_UNVERIFIED, HAND_ROLLED, HOSTED_ROTATION, SAR_ROTATION];
