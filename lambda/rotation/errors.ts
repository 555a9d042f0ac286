/**
 * Errors of the rotation engine. Kept free of the AWS SDK so the protocol and the strategies can
 * recognise them without importing it.
 */

/** PutSecretValue answered ResourceExistsException: the token already holds a different value. */
export class ResourceExistsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ResourceExistsError';
  }
}

/** A rotation step failed. The message names the step, the secret and the token, never a secret value. */
export class RotationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RotationError';
  }
}
