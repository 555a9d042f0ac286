import { aws_kms as kms, aws_lambda as lambda, aws_logs as logs } from 'aws-cdk-lib';
import { Construct, IDependable } from 'constructs';
import type { RotationFunctionKind } from './contract';

/**
 * A rotation function as the rest of the rotation sees it (schedule, deploy-time check, alarms, metrics): one of this
 * library's (`RotationFunction`) or any other (`ForeignRotationFunction`), a construct of the stack either way (its
 * alarm goes under it).
 */
export type RotationTarget = Construct & RotationFunctionFacts;

export interface RotationFunctionFacts {
  readonly kind: RotationFunctionKind;
  readonly function: lambda.IFunction;
  /** Where the function logs; unknown for a foreign function imported without one. */
  readonly logGroup?: logs.ILogGroup;
  /** Everything a rotation schedule must wait for before Secrets Manager may call this function. */
  readonly readiness: IDependable[];
  /** Changes whenever the code or configuration of the function changes (as far as the app knows them). */
  readonly fingerprint: string;
  /** How long one step may run. */
  readonly timeoutSeconds: number;
  /**
   * Records a secret this function rotates: for the invoke permission and, if encrypted, its KMS key.
   * @param secretArn the complete ARN, or undefined when only a partial ARN is known (imported by name)
   */
  addSecret(secretArn: string | undefined, encryptionKey?: kms.IKey): void;
}
