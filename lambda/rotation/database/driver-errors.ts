import { DatabaseQueryError, LoginError, LoginFailureReason } from './client';
import { redact } from './redact';
import { TLS_NOT_SUPPORTED_HINT } from './tls';

/** Error codes of pg (SQLSTATE) and mysql2 that mean "wrong user name or password" or "no access". */
const AUTHENTICATION_CODES = new Set([
  '28P01', // invalid_password
  '28000', // invalid_authorization_specification (includes "no pg_hba.conf entry")
  'ER_ACCESS_DENIED_ERROR',
  'ER_ACCESS_DENIED_NO_PASSWORD_ERROR',
]);

/** Error codes that mean "the password is right, but this user may not use the database". */
const DATABASE_DENIED_CODES = new Set([
  '42501', // insufficient_privilege: no CONNECT privilege on the database
  'ER_DBACCESS_DENIED_ERROR',
]);

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

/**
 * Turns whatever a driver threw while connecting into a LoginError whose message is safe to log.
 * pg and mysql2 report TLS refusal differently; both are recognised here.
 */
export function loginErrorFrom(error: unknown, password: string): LoginError {
  const { code, message } = codeAndMessage(error);
  const reason = classify(code, message);
  if (reason === 'tls-not-supported') return new LoginError(reason, TLS_NOT_SUPPORTED_HINT);
  const text = redact(message, [password]);
  const detail = code !== undefined && !text.includes(code) ? `${text} (${code})` : text;
  if (reason === 'tls-verification') {
    return new LoginError(reason, `the server's TLS certificate did not verify: ${detail}; the host name must match the certificate, and its CA must be trusted`);
  }
  return new LoginError(reason, detail);
}

/** Turns whatever a driver threw while running a statement into a DatabaseQueryError without secrets. */
export function queryErrorFrom(error: unknown, sensitive: readonly string[]): DatabaseQueryError {
  const { code, message } = codeAndMessage(error);
  return new DatabaseQueryError(redact(message, sensitive), code);
}

function classify(code: string | undefined, message: string): LoginFailureReason {
  if (code === 'HANDSHAKE_NO_SSL_SUPPORT' || /does not support SSL/i.test(message)) return 'tls-not-supported';
  if (code !== undefined && AUTHENTICATION_CODES.has(code)) return 'authentication';
  if (code !== undefined && DATABASE_DENIED_CODES.has(code)) return 'database-denied';
  if (code !== undefined && (/CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/.test(code))) return 'tls-verification';
  // mysql2 replaces Node's TLS error code with its own; the message is still Node's.
  if (code === 'HANDSHAKE_SSL_ERROR' && /certificate|altnames|self.signed|unable to verify/i.test(message)) return 'tls-verification';
  if (code !== undefined && UNREACHABLE_CODES.has(code)) return 'unreachable';
  if (/timeout expired|Connection terminated/i.test(message)) return 'unreachable';
  return 'other';
}

function codeAndMessage(error: unknown): { code: string | undefined; message: string } {
  if (typeof error !== 'object' || error === null) return { code: undefined, message: String(error) };
  const record = error as { code?: unknown; message?: unknown; errors?: unknown };
  let message = typeof record.message === 'string' ? record.message : String(error);
  let code = typeof record.code === 'string' ? record.code : undefined;
  // Node reports a failed connection to a host with several addresses as an AggregateError with no message.
  if (message === '' && Array.isArray(record.errors) && record.errors.length > 0) {
    const first = codeAndMessage(record.errors[0]);
    message = first.message;
    code = code ?? first.code;
  }
  return { code, message };
}
