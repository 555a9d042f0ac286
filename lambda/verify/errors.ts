/**
 * A failure the check reports for one secret: a call that failed, named with its operation and secret. The
 * message is one line and never contains a secret value.
 */
export class VerificationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message.replace(/\s*\n\s*/g, ' '), options);
    this.name = 'VerificationError';
  }
}
