import { Aspects, CfnDeletionPolicy, IAspect, aws_cloudwatch as cloudwatch, aws_ec2 as ec2, aws_kms as kms, aws_rds as rds, aws_secretsmanager as secretsmanager, aws_sns as sns } from 'aws-cdk-lib';
import { Construct, IConstruct, IDependable } from 'constructs';
import { OPTION_SET_TAG } from './contract';
import { PropError, invalidProp } from './errors';
import { FailureAlarms } from './failure-alarms';
import { ForeignRotationFunction } from './foreign-rotation-function';
import { RotationCheck, fingerprint } from './rotation-check';
import { RotationFunction } from './rotation-function';
import { RotationMetrics } from './rotation-metrics';
import type { RotationTarget } from './rotation-target';
import { AttachedDatabase, LibraryStrategyBinding, ProtectedDatabase, RotationStrategyBinding } from './strategy-binding';
import type { RotationOptions } from '../rotation-options';
import type { Schedule } from '../schedule';

export interface RotationRequest extends Omit<RotationOptions, 'strategy' | 'schedule'> {
  /** ARN of the secret: complete, or partial (imported by name). */
  readonly secretArn: string;
  /** True when `secretArn` is the complete ARN with Secrets Manager's random suffix. */
  readonly secretArnIsComplete: boolean;
  /** True when the secret carries the stack's tag (a secret of this app), false for one imported by ARN or name. */
  readonly tagged: boolean;
  /** The secret's resource when the app defines it (in any of its stacks): tagged with the secret's password option set. */
  readonly secretResource?: secretsmanager.CfnSecret;
  readonly encryptionKey?: kms.IKey;
  readonly strategy: RotationStrategyBinding;
  readonly schedule: Schedule;
  /**
   * The id of a schedule that `addRotationSchedule` made on the secret's construct, which this rotation takes over:
   * the schedule then has that one's logical id. By default, `Schedule` under `scope`.
   */
  readonly replacesSchedule?: { readonly secret: Construct; readonly id: string };
}

/** A secret's rotation, as configured; `attached` is called when the secret is attached to its database. */
export interface ConfiguredRotation {
  readonly rotationFunction: RotationTarget;
  /** The alarm on the rotation function's errors, with `failureAlarms`. */
  readonly errorsAlarm?: cloudwatch.IAlarm;
  /** The topic the failure alarms notify, with `failureAlarms`. */
  readonly alarmTopic?: sns.ITopic;
  readonly metrics: RotationMetrics;
  attached(database: AttachedDatabase, attachment: IDependable): void;
}

/**
 * Everything that makes a secret rotate: the shared rotation function, the rotation schedule and the stack's
 * deploy-time check. Used by `RotatingSecret` (new secrets) and `ExistingSecretRotation` (any secret).
 *
 * Order of the deploy: the secret and its database (and their attachment), the rotation function, then the check
 * (settles, merges, configures and runs the first rotation, verifies), then the rotation schedule.
 */
export function configureRotation(scope: Construct, request: RotationRequest): ConfiguredRotation {
  request.schedule._check();
  const window = request.schedule._renderWindow(request.window);
  const verify = request.verifyOnDeploy ?? true;
  if (!verify && request.verification !== undefined) {
    throw new PropError('`verification` has no effect with `verifyOnDeploy: false`: remove one of them');
  }
  if (request.alarmTopic !== undefined && !request.failureAlarms) {
    throw new PropError('`alarmTopic` needs `failureAlarms: true`');
  }

  const binding = request.strategy;
  const library = binding.kind === 'library' ? binding : undefined;
  const { rotation, optionSet } = binding.kind === 'library'
    ? libraryFunction(scope, binding, request)
    : { rotation: ForeignRotationFunction.of(scope, binding), optionSet: undefined };
  rotation.addSecret(request.secretArnIsComplete ? request.secretArn : undefined, request.encryptionKey);

  const replaced = request.replacesSchedule;
  // addRotationSchedule's schedule is an L2 construct whose resource is its `Resource` child.
  const [scheduleScope, scheduleId] = replaced ? [new Construct(replaced.secret, replaced.id), 'Resource'] : [scope, 'Schedule'];
  const rotationSchedule = new secretsmanager.CfnRotationSchedule(scheduleScope, scheduleId, {
    secretId: request.secretArn,
    rotationLambdaArn: rotation.function.functionArn,
    rotationRules: { scheduleExpression: request.schedule.expressionString, duration: window },
    // The check rotates first and waits for it; without it, the schedule starts the first rotation itself.
    rotateImmediatelyOnUpdate: !verify,
  });
  rotationSchedule.node.addDependency(...rotation.readiness);
  const perSecret = binding.kind === 'foreign' && binding.forSecret
    ? binding.forSecret(scope, { secretArn: request.secretArn, retained: () => isRetained(request.secretResource) })
    : undefined;
  if (perSecret) {
    // Made after the function may act on the secret, and before anything rotates it; deleted in the reverse order.
    perSecret.node.addDependency(...rotation.readiness);
    rotationSchedule.node.addDependency(perSecret);
  }

  // The database is known when the app is synthesized: an RDS instance or cluster attaches itself to its secret
  // after the secret exists.
  let attached: AttachedDatabase | undefined;
  const database = library?.database && ((): ProtectedDatabase => library.database!(attached));
  if (database) {
    scope.node.addValidation({ validate: () => databaseProblems(database, library?.network !== undefined) });
  }
  let check: RotationCheck | undefined;
  if (verify || database) {
    check = RotationCheck.of(scope);
    check.check({
      secretArn: request.secretArn,
      scope: request.tagged ? 'tagged' : { policyArn: request.secretArnIsComplete ? request.secretArn : `${request.secretArn}-??????` },
      rotation,
      schedule: { expression: request.schedule.expressionString, duration: window },
      fingerprint: () => fingerprint(scope, rotation.fingerprint, optionSet, request.schedule.expressionString, window ?? '', database?.().connection ?? null, library?.createUser ?? null),
      timeout: request.verification?.timeout,
      pollInterval: request.verification?.pollInterval,
      repairStalePending: request.verification?.repairStalePending ?? false,
      verify,
      connection: database && (() => database().connection),
    });
    if (database && request.encryptionKey) check.allowKey(request.encryptionKey.keyArn);
    if (perSecret) check.resource.node.addDependency(perSecret);
    rotationSchedule.node.addDependency(check.resource);
  }
  if (database) {
    // Opened once the database is known: a cluster's port and connections exist only after it attached itself.
    // Only this library's database strategies protect a database.
    Aspects.of(scope).add(new OpenPathToDatabase(scope, rotation as RotationFunction, database));
  }

  const alarms = request.failureAlarms ? FailureAlarms.of(scope, request.alarmTopic) : undefined;
  return {
    rotationFunction: rotation,
    errorsAlarm: alarms?.watch(rotation, request.secretArn, request.secretArnIsComplete),
    alarmTopic: alarms?.topic,
    metrics: new RotationMetrics(scope, rotation, { arn: request.secretArn, arnIsComplete: request.secretArnIsComplete }),
    attached(attachedDatabase, attachment) {
      if (!database) {
        throw invalidProp(scope, 'only a database strategy can be attached to a database: give the secret a database strategy (RotationStrategy.postgresSingleUser(...), ...)');
      }
      attached = attachedDatabase;
      // Rotation starts only once the database and the secret's attachment to it exist.
      check?.resource.node.addDependency(attachment);
      rotationSchedule.node.addDependency(attachment);
    },
  };
}

/**
 * The stack's function for a strategy of this library, with the secret's password option set declared in it and
 * selected by the secret's tag (or by its ARN, for a secret the app cannot tag), and its createUser spec.
 */
function libraryFunction(
  scope: Construct, binding: LibraryStrategyBinding, request: RotationRequest,
): { rotation: RotationFunction; optionSet: string } {
  const rotation = RotationFunction.forStrategy(scope, binding);
  const optionSet = rotation.declareOptionSet(binding.optionSet);
  if (request.secretResource) request.secretResource.tags.setTag(OPTION_SET_TAG, optionSet);
  else rotation.selectOptionSetByArn(request.secretArn, optionSet);
  if (binding.createUser !== undefined) rotation.allowCreateUser(request.secretArn, binding.createUser);
  return { rotation, optionSet };
}

/** Whether deleting the stack keeps the secret: one the stack does not define, or one with a retaining policy. */
function isRetained(secret: secretsmanager.CfnSecret | undefined): boolean {
  const policy = secret?.cfnOptions.deletionPolicy;
  return secret === undefined || policy === CfnDeletionPolicy.RETAIN || policy === CfnDeletionPolicy.RETAIN_EXCEPT_ON_CREATE;
}

/** Why the rotation function cannot rotate the database: the strategy cannot name it, or has no route to it. */
function databaseProblems(database: () => ProtectedDatabase, inVpc: boolean): string[] {
  let connectable: ec2.IConnectable | undefined;
  try {
    connectable = database().connectable;
  } catch (error) {
    return [(error as Error).message];
  }
  const vpc = (connectable as { vpc?: ec2.IVpc } | undefined)?.vpc;
  if (inVpc || vpc === undefined || !Construct.isConstruct(connectable) || isPubliclyAccessible(connectable)) return [];
  return [`\`vpc\` is required: the database ${connectable.node.path} is in a VPC and not publicly accessible, so a rotation function `
    + 'outside the VPC could not reach it and every rotation would time out. Give the strategy the database\'s VPC '
    + '(`vpc`, with `vpcSubnets` that have a route to Secrets Manager: a NAT gateway or an interface endpoint).'];
}

/** An RDS instance (or a cluster with an instance) that answers from outside its VPC. */
function isPubliclyAccessible(database: IConstruct): boolean {
  return database.node.findAll().some((node) => node instanceof rds.CfnDBInstance && node.publiclyAccessible === true);
}

/** Adds the network path from the rotation function to its database, once, when the app is synthesized. */
class OpenPathToDatabase implements IAspect {
  private done = false;

  constructor(
    private readonly scope: IConstruct,
    private readonly rotation: RotationFunction,
    private readonly database: () => ProtectedDatabase,
  ) {}

  public visit(node: IConstruct): void {
    if (node !== this.scope || this.done) return;
    this.done = true;
    const { connectable, port } = this.database();
    if (connectable !== undefined) this.rotation.allowDatabase(connectable, port);
  }
}
