import { ValidationError } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * A bad prop found where no construct is at hand (a strategy, a schedule, a validator): the construct that takes the
 * prop reports it, with its path, as aws-cdk-lib's `ValidationError` (see `atConstruct`).
 */
export class PropError extends Error {}

/** aws-cdk-lib asks for a literal error name. */
const ERROR_NAME = 'RotatingSecretsInvalidProp' as ConstructorParameters<typeof ValidationError>[0];

/**
 * aws-cdk-lib's error for a bad prop of the construct at `path` (by default `scope`'s). The message starts with the
 * path, as those of `node.addValidation` do, so a reader finds the construct without a stack trace.
 */
export function invalidProp(scope: IConstruct, message: string, path: string = scope.node.path): Error {
  return new ValidationError(ERROR_NAME, `[${path}] ${message}`, scope);
}

/**
 * Runs `build` for the construct at `path` (which may not exist yet: `scope` is then its parent) and reports a
 * `PropError` it throws as that construct's `ValidationError`; any other error is a bug and passes unchanged.
 */
export function atConstruct<T>(scope: IConstruct, path: string, build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof PropError) throw invalidProp(scope, error.message, path);
    throw error;
  }
}
