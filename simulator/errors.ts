/**
 * Errors as Secrets Manager and CloudWatch Logs return them: a code (`__type`), a message and an HTTP status.
 * Every declared Secrets Manager exception is a 400; InternalServiceError is a 500.
 */
export class ServiceError extends Error {
  constructor(
    /** The exception name, sent as `__type`. */
    public readonly code: string,
    message: string,
    /** HTTP status code of the response. */
    public readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }
}

export const secretNotFound = () => new ServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");

export const invalidRequest = (message: string) => new ServiceError('InvalidRequestException', message);

export const invalidParameter = (message: string) => new ServiceError('InvalidParameterException', message);

export const resourceExists = (message: string) => new ServiceError('ResourceExistsException', message);

export const resourceNotFound = (message: string) => new ServiceError('ResourceNotFoundException', message);

export const markedForDeletion = () =>
  invalidRequest("You can't perform this operation on the secret because it was marked for deletion.");

/**
 * The API layer's constraint check, in AWS's wording:
 * `1 validation error detected: Value '5000' at 'passwordLength' failed to satisfy constraint: Member must ...`.
 * The offending value is omitted for fields that may hold a secret.
 */
export function validationError(field: string, constraint: string, value?: unknown): ServiceError {
  const shown = value === undefined ? '' : ` '${String(value)}'`;
  return new ServiceError(
    'ValidationException',
    `1 validation error detected: Value${shown} at '${field}' failed to satisfy constraint: Member must ${constraint}`,
  );
}
