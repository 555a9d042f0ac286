import * as crypto from 'node:crypto';
import { aws_kms as kms, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DeployVerification } from './deploy-verification';
import { FailureAlarms } from './failure-alarms';
import { RotationFunction } from './rotation-function';
import { RotationStrategyBinding } from './strategy-binding';
import type { RotationOptions } from '../rotation-options';
import type { Schedule } from '../schedule';

export interface RotationRequest extends Omit<RotationOptions, 'strategy' | 'schedule'> {
  /** ARN of the secret: complete, or partial (imported by name). */
  readonly secretArn: string;
  /** True when `secretArn` is the complete ARN with Secrets Manager's random suffix. */
  readonly secretArnIsComplete: boolean;
  readonly encryptionKey?: kms.IKey;
  readonly strategy: RotationStrategyBinding;
  readonly schedule: Schedule;
}

/**
 * Everything that makes a secret rotate: the shared rotation function, the rotation schedule, and the
 * deploy-time check. Used by `RotatingSecret` (new secrets) and `ExistingSecretRotation` (any secret).
 */
export function configureRotation(scope: Construct, request: RotationRequest): RotationFunction {
  const window = request.schedule._renderWindow(request.window);
  const verifyOnDeploy = request.verifyOnDeploy ?? true;
  if (!verifyOnDeploy && request.verification !== undefined) {
    throw new Error('`verification` has no effect with `verifyOnDeploy: false`: remove one of them');
  }

  const rotation = RotationFunction.forStrategy(scope, request.strategy);
  rotation.addSecret(request.secretArnIsComplete ? request.secretArn : undefined, request.encryptionKey);

  const rotationSchedule = new secretsmanager.CfnRotationSchedule(scope, 'Schedule', {
    secretId: request.secretArn,
    rotationLambdaArn: rotation.function.functionArn,
    rotationRules: { scheduleExpression: request.schedule.expressionString, duration: window },
    // With deploy-time verification the first rotation is ours; two at once would collide.
    rotateImmediatelyOnUpdate: !verifyOnDeploy,
  });
  rotationSchedule.node.addDependency(...rotation.readiness);

  if (verifyOnDeploy) {
    DeployVerification.of(scope, request.verification?.pollInterval).verify(scope, {
      secretArn: request.secretArn,
      rotation,
      rotationSchedule,
      fingerprint: fingerprint(rotation.fingerprint, request.schedule.expressionString, window ?? ''),
      timeout: request.verification?.timeout,
      repairStalePending: request.verification?.repairStalePending ?? false,
    });
  }
  if (request.alarmTopic !== undefined && !request.failureAlarms) {
    throw new Error('`alarmTopic` needs `failureAlarms: true`');
  }
  if (request.failureAlarms) {
    FailureAlarms.of(scope, request.alarmTopic).watch(rotation, request.secretArn, request.secretArnIsComplete);
  }
  return rotation;
}

/** A short hash of everything that affects rotation: a change rotates again on update. */
function fingerprint(...parts: string[]): string {
  return crypto.createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
}
