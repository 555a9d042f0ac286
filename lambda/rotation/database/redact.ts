/** What replaces a secret in a message. */
export const REDACTED = '[redacted]';

/**
 * Removes secrets from a driver's error message before it is thrown or logged.
 *
 * Drivers and servers may echo SQL: mysql2 attaches the whole formatted statement to its errors, and
 * MySQL's syntax errors quote the statement from the failing token on (`... near '<rest of statement>'`),
 * possibly cut short, so a fragment of a password could survive a plain search and replace. So: every
 * secret is replaced in the forms the drivers write it (raw, and SQL-escaped), and anything after `near`
 * is dropped.
 */
export function redact(message: string, secrets: readonly string[]): string {
  let result = message;
  const forms = secrets
    .filter((secret) => secret.length > 0)
    .flatMap((secret) => [
      secret,
      secret.replace(/'/g, "''").replace(/\\/g, '\\\\'),
      secret.replace(/\\/g, '\\\\').replace(/'/g, "\\'"),
      secret.replace(/"/g, '""'),
    ])
    // Longest first, so a secret that contains another is replaced whole.
    .sort((a, b) => b.length - a.length);
  for (const form of new Set(forms)) {
    result = result.split(form).join(REDACTED);
  }
  const near = /\bnear\b/i.exec(result);
  if (near) result = `${result.slice(0, near.index)}near ${REDACTED}`;
  return result;
}
