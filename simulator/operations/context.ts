import { SimulatorClock } from '../clock';
import { invalidParameter, invalidRequest, markedForDeletion, ServiceError, validationError } from '../errors';
import { FunctionRegistry } from '../functions';
import { IamAuthorizer } from '../iam';
import { RotationEngine } from '../rotation';
import { Secret, SecretStore, SecretValue } from '../store';

/** What every operation works on. */
export interface OperationContext {
  readonly store: SecretStore;
  readonly engine: RotationEngine;
  readonly functions: FunctionRegistry;
  readonly clock: SimulatorClock;
  readonly iam: IamAuthorizer;
}

/** A request body as the JSON protocol sends it. */
export type Input = Record<string, unknown>;

export type Operation = (context: OperationContext, input: Input) => object;

/** Epoch seconds, as the JSON protocol sends timestamps. */
export function seconds(ms: number): number {
  return ms / 1000;
}

/** Midnight (UTC) of the day of `ms`: Secrets Manager records access dates without the time. */
export function dayOf(ms: number): number {
  return Math.floor(ms / 86_400_000) * 86_400_000;
}

/** The API layer's answer for a missing required member. */
export function missing(field: string): ServiceError {
  return new ServiceError(
    'ValidationException',
    `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`,
  );
}

export function requiredString(input: Input, member: string, maxLength = 2048): string {
  const value = input[member];
  const field = member[0].toLowerCase() + member.slice(1);
  if (value === undefined || value === null) throw missing(field);
  if (typeof value !== 'string') throw new ServiceError('SerializationException', `${member} must be a string`);
  if (value.length < 1) throw validationError(field, 'have length greater than or equal to 1', value);
  if (value.length > maxLength) throw validationError(field, `have length less than or equal to ${maxLength}`);
  return value;
}

export function optionalString(input: Input, member: string): string | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ServiceError('SerializationException', `${member} must be a string`);
  return value;
}

export function optionalBoolean(input: Input, member: string): boolean | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new ServiceError('SerializationException', `${member} must be a boolean`);
  return value;
}

export function optionalNumber(input: Input, member: string): number | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number') throw new ServiceError('SerializationException', `${member} must be a number`);
  return value;
}

/**
 * The ClientRequestToken. SDKs always fill it in; a raw HTTP request without one is refused, with the error
 * code AWS was recorded answering for that operation.
 */
export function clientRequestToken(input: Input, whenMissing: (message: string) => ServiceError): string {
  const token = optionalString(input, 'ClientRequestToken');
  if (token === undefined) throw whenMissing('You must provide a ClientRequestToken value. We recommend a UUID-type value.');
  checkVersionId('clientRequestToken', token);
  return token;
}

/** Version ids and tokens are 32 to 64 characters. */
export function checkVersionId(field: string, value: string): void {
  if (value.length < 32) throw validationError(field, 'have length greater than or equal to 32', value);
  if (value.length > 64) throw validationError(field, 'have length less than or equal to 64', value);
}

/** Exactly one of SecretString and SecretBinary, 1 to 65536 long. The value never appears in an error. */
export function secretValue(input: Input, required: boolean): SecretValue | undefined {
  const string = optionalString(input, 'SecretString');
  const binary = optionalString(input, 'SecretBinary');
  if (string !== undefined && binary !== undefined) {
    throw invalidParameter("You can't specify both a binary secret value and a string secret value in the same secret.");
  }
  if (string === undefined && binary === undefined) {
    if (required) throw invalidRequest('You must provide either SecretString or SecretBinary.');
    return undefined;
  }
  const field = string !== undefined ? 'secretString' : 'secretBinary';
  const length = string !== undefined ? string.length : Buffer.from(binary!, 'base64').length;
  if (length < 1) throw validationError(field, 'have length greater than or equal to 1');
  if (length > 65536) throw validationError(field, 'have length less than or equal to 65536');
  return string !== undefined ? { string } : { binary };
}

export function sameValue(a: SecretValue | undefined, b: SecretValue): boolean {
  return a !== undefined && a.string === b.string && a.binary === b.binary;
}

/** Resolves a secret that is not scheduled for deletion. */
export function activeSecret(context: OperationContext, secretId: string): Secret {
  const secret = context.store.resolve(secretId);
  if (secret.deletionDate !== undefined) throw markedForDeletion();
  return secret;
}

/** Pagination: NextToken is the offset of the next page. */
export function pageOffset(input: Input): number {
  const token = optionalString(input, 'NextToken');
  if (token === undefined) return 0;
  const offset = Number(token);
  if (!Number.isInteger(offset) || offset < 0) throw new ServiceError('InvalidNextTokenException', 'The NextToken value is invalid.');
  return offset;
}
