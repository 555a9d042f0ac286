import { aws_ec2 as ec2, aws_lambda as lambda, aws_logs as logs, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import type { CreateUserSpec, PasswordOptionSet, RotationFunctionSettings } from './contract';

/** The database a secret is attached to (`rds.Credentials.fromSecret(rotatingSecret)`, or `attach(target)`). */
export interface AttachedDatabase {
  readonly connectable: ec2.IConnectable;
  readonly port: number;
}

/** The database a strategy protects, as the rotation needs it. */
export interface ProtectedDatabase {
  /** Its network identity, to open the rotation function's path to it; undefined when unknown. */
  readonly connectable?: ec2.IConnectable;
  readonly port: number;
  /** Fields the deploy-time check merges into the secret's value, keeping the password. */
  readonly connection: Record<string, unknown>;
}

/** What a rotation strategy contributes to a rotating secret: this library's function, or another one. */
export type RotationStrategyBinding = LibraryStrategyBinding | ForeignStrategyBinding;

/** A strategy of this library's rotation functions. */
export interface LibraryStrategyBinding {
  readonly kind: 'library';
  /** What makes the rotation function: the strategy (and connect timeout). Part of what shares one function. */
  readonly config: RotationFunctionSettings;
  /** The secret's password options: declared in its function's environment, selected by a tag on the secret. */
  readonly optionSet: PasswordOptionSet;
  /** Where the rotation function runs; a different placement is a different function. */
  readonly network?: { readonly vpc: ec2.IVpc; readonly vpcSubnets?: ec2.SubnetSelection; readonly securityGroups?: ec2.ISecurityGroup[] };
  /** A secret the rotation function reads to manage users (alternating users, createUser). */
  readonly masterSecret?: secretsmanager.ISecret;
  /** How the rotation function creates the user when it does not exist (createUser). */
  readonly createUser?: CreateUserSpec;
  /**
   * The protected database (database strategies), given the database the secret is attached to, if any. Called when
   * the app is synthesized: a database attaches itself after the secret exists. Throws when there is none.
   */
  readonly database?: (attached: AttachedDatabase | undefined) => ProtectedDatabase;
}

/**
 * A rotation function this library did not make: the user's own (`RotationStrategy.fromFunction`), or one bundled
 * from the user's code with this library's protocol engine (`RotationStrategy.custom`), which then writes the failure
 * record and answers the probe as this library's functions do.
 */
export interface ForeignStrategyBinding {
  readonly kind: 'foreign';
  readonly function: lambda.IFunction;
  /** The function runs this library's protocol engine. */
  readonly runsEngine: boolean;
  /** Where it logs, when known: the check reads the runtime's error lines there. */
  readonly logGroup?: logs.ILogGroup;
}
