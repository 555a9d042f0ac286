import { LeakAudit } from './support/leaks';

// The leak audit every suite here ends with must find a secret in each form a log line or error carries it,
// or its "0 leak hits" would prove nothing.

const PASSWORD = `pa'ss"wo\\rd-${'x'.repeat(8)}-4B7q`;

test.each([
  ['raw', `error: password authentication failed: ${PASSWORD}`],
  ['in a JSON log line', JSON.stringify({ message: 'failed', error: PASSWORD })],
  ['in a JSON secret string inside a JSON log line', JSON.stringify({ secret: JSON.stringify({ password: PASSWORD }) })],
  ['SQL-escaped (quotes doubled)', `ALTER USER "app" WITH PASSWORD '${PASSWORD.replace(/'/g, "''")}'`],
  ['SQL-escaped (backslashes)', `SET PASSWORD = PASSWORD('${PASSWORD.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}')`],
])('a secret %s is found', (_form, text) => {
  const audit = new LeakAudit();
  audit.addSecretString(JSON.stringify({ username: 'app', password: PASSWORD }));
  audit.addText('log', 'an unrelated line');
  audit.addText('log', text);

  expect(audit.hits()).toEqual([{ source: 'log', secret: expect.stringMatching(/^sha256:[0-9a-f]{12} \(\d+ characters\)$/) }]);
});

test('a hit names the secret by a hash, never by its value', () => {
  const audit = new LeakAudit();
  audit.addSecret(PASSWORD);
  audit.addError('invocation', new Error(`failed with ${PASSWORD}`, { cause: new Error('cause') }));

  const hits = audit.hits();

  expect(hits).toHaveLength(1);
  expect(JSON.stringify(hits)).not.toContain(PASSWORD.slice(0, 8));
});

test('errors are searched through their cause, and texts without a secret give no hit', () => {
  const audit = new LeakAudit();
  audit.addSecret(PASSWORD);
  audit.addError('clean', new Error('Unable to log into database (password authentication failed)'));
  expect(audit.hits()).toEqual([]);

  audit.addError('wrapped', new Error('step failed', { cause: new Error(`driver: ${PASSWORD}`) }));
  expect(audit.hits()).toEqual([{ source: 'wrapped (cause)', secret: expect.any(String) }]);
});

test('values too short or too plain to tell from ordinary text are not audited', () => {
  const audit = new LeakAudit();
  audit.addSecret('abc');
  audit.addSecret('aaaaaaaaaaaa');
  audit.addText('log', 'abc aaaaaaaaaaaa');

  expect(audit.secretCount).toBe(0);
  expect(audit.hits()).toEqual([]);
});

test('a fuzzed value that is part of a name logs may show is not audited', () => {
  const audit = new LeakAudit();
  audit.addSecret('name-part!x');
  audit.addPublic('f_1_name-part!x_clone');
  audit.addText('log', '{"username":"f_1_name-part!x_clone"}');

  expect(audit.secretCount).toBe(0);
  expect(audit.hits()).toEqual([]);
});

const PART = PASSWORD.slice(3, 11);

test.each([
  ['8 characters of it, raw', `prefix ${PART} suffix`],
  ['8 characters of it, JSON-escaped in a log line', JSON.stringify({ start: PART })],
  ['URL-encoded', `https://example.com/?p=${encodeURIComponent(PASSWORD)}`],
  ['8 characters of it, URL-encoded', `q=${encodeURIComponent(PART)}`],
  ['hex-encoded', Buffer.from(PASSWORD).toString('hex')],
  ['8 characters of it, hex-encoded', `0x${Buffer.from(PART).toString('hex')}`],
  ['base64-encoded', Buffer.from(PASSWORD).toString('base64')],
  ['8 characters of it, base64-encoded at any offset', Buffer.from(`xy${PASSWORD.slice(5, 13)}`).toString('base64')],
  ['base64url-encoded inside a longer text', Buffer.from(JSON.stringify({ user: 'app', password: PASSWORD })).toString('base64url')],
])('a part of a secret is found: %s', (_form, text) => {
  const audit = new LeakAudit();
  audit.addSecret(PASSWORD);
  audit.addText('log', text);

  expect(audit.hits()).toEqual([{ source: 'log', secret: expect.any(String) }]);
});

test('7 characters of a secret, and the public fields of a JSON secret, are no leak', () => {
  const audit = new LeakAudit();
  audit.addSecretString(JSON.stringify({ username: 'reporting-user', host: 'orders.cluster.internal', password: PASSWORD }));
  audit.addText('log', `${PASSWORD.slice(0, 7)} ${PASSWORD.slice(7, 14)} user reporting-user at orders.cluster.internal`);

  expect(audit.secretCount).toBe(1);
  expect(audit.hits()).toEqual([]);
});
