/**
 * A verification failure whose message CloudFormation shows in the stack events. The message is one line,
 * names the secret, the versions and where to look, and never contains a secret value.
 */
export class VerificationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message.replace(/\s*\n\s*/g, ' '), options);
    this.name = 'VerificationError';
    // The provider framework appends every stack line after the first to the reason CloudFormation shows.
    // A one-line stack keeps that reason to the message alone.
    this.stack = `${this.name}: ${this.message}`;
  }
}
