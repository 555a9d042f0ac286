/**
 * TLS to the database, chosen per secret by its `ssl` field.
 *
 * | `ssl` in the secret       | Connection                                                                     |
 * |---------------------------|--------------------------------------------------------------------------------|
 * | absent                    | TLS, certificate chain and host name verified. No fallback to plaintext: a      |
 * |                           | server without TLS fails with a message saying to set `"ssl": false`.          |
 * | `true` or `"true"`        | TLS, certificate chain and host name verified. No fallback.                    |
 * | `false` or `"false"`      | Plaintext, no TLS.                                                             |
 * | anything else (`"yes"`, 3) | Error naming `ssl`; no connection is attempted.                               |
 *
 * String values are compared case-insensitively. This differs from AWS's rotation templates on purpose: they
 * try TLS and silently fall back to plaintext when `ssl` is absent or invalid, which lets a network attacker
 * downgrade the connection that carries the new password.
 *
 * Trust: the certificate must chain to Node's default CA store. The constructs set
 * `NODE_EXTRA_CA_CERTS=/var/runtime/ca-cert.pem`, the Lambda runtime's CA bundle, which includes the Amazon RDS
 * certificate authorities, so RDS and Aurora certificates verify without shipping a bundle. A caller may pass
 * its own CA instead (`TlsTrust.ca`), which then replaces the default store.
 */

/** How to connect: verified TLS, or plaintext. */
export type TlsMode = 'verify-full' | 'disable';

/** The certificate authorities to trust. */
export interface TlsTrust {
  /** PEM certificates to trust instead of Node's default store (which includes NODE_EXTRA_CA_CERTS). */
  readonly ca?: string;
}

/**
 * The TLS mode the secret's `ssl` value asks for. `where` names the secret in the error message
 * (e.g. "the AWSCURRENT secret"); the value itself is never quoted.
 */
export function tlsModeOf(ssl: unknown, where: string): TlsMode {
  if (ssl === undefined) return 'verify-full';
  const normalized = typeof ssl === 'string' ? ssl.trim().toLowerCase() : ssl;
  if (normalized === true || normalized === 'true') return 'verify-full';
  if (normalized === false || normalized === 'false') return 'disable';
  throw new Error(`${where}: \`ssl\` must be true, false, "true" or "false" (or absent for verified TLS), got a ${describeType(ssl)} that is none of these`);
}

/** The hint appended when a server refuses TLS, so the fix is in the error itself. */
export const TLS_NOT_SUPPORTED_HINT =
  'the server does not support TLS; to connect without TLS, set "ssl": false in the secret';

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
