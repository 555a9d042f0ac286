import { alternateUsername } from '../../../../lambda/rotation/database/alternate-username';
import { loginErrorFrom, queryErrorFrom } from '../../../../lambda/rotation/database/driver-errors';
import { grantFor, parseAccount } from '../../../../lambda/rotation/database/engines/mysql-grants';
import { connectionOptions } from '../../../../lambda/rotation/database/mysql-client';
import { clientConfig } from '../../../../lambda/rotation/database/pg-client';
import { REDACTED, redact } from '../../../../lambda/rotation/database/redact';
import { databaseSettings } from '../../../../lambda/rotation/database/settings';
import { tlsModeOf } from '../../../../lambda/rotation/database/tls';
import { rotationConfig } from '../../../support/strategies';

describe('tlsModeOf: the `ssl` table', () => {
  test.each([
    [undefined, 'verify-full'],
    [true, 'verify-full'],
    ['true', 'verify-full'],
    [' TRUE ', 'verify-full'],
    [false, 'disable'],
    ['false', 'disable'],
    ['False', 'disable'],
  ])('%p => %s', (ssl, mode) => {
    expect(tlsModeOf(ssl, 'the secret')).toBe(mode);
  });

  test.each(['yes', 'require', 3, 0, null, {}, ['true']])('%p is refused, naming `ssl`', (ssl) => {
    expect(() => tlsModeOf(ssl, 'the AWSPENDING secret')).toThrow(/^the AWSPENDING secret: `ssl` must be true, false, "true" or "false"/);
  });
});

describe('driver options', () => {
  const target = {
    host: 'db.example.com',
    port: 5432,
    username: 'app',
    password: 'pw',
    database: 'orders',
    tls: 'verify-full' as const,
    trust: {},
    connectTimeoutMs: 5000,
    queryTimeoutMs: 30000,
  };

  test('pg: verified TLS with the server name, the default trust store, the connect timeout', () => {
    expect(clientConfig(target)).toMatchObject({
      ssl: { rejectUnauthorized: true, servername: 'db.example.com' },
      connectionTimeoutMillis: 5000,
      query_timeout: 30000,
      database: 'orders',
    });
    expect(clientConfig(target).ssl).not.toHaveProperty('ca');
    expect(clientConfig({ ...target, trust: { ca: 'PEM' } }).ssl).toMatchObject({ ca: 'PEM' });
    expect(clientConfig({ ...target, tls: 'disable' }).ssl).toBe(false);
    expect(clientConfig({ ...target, database: undefined }).database).toBe('postgres');
  });

  test('pg: no SNI server name for an IP address (tls checks the address itself)', () => {
    expect(clientConfig({ ...target, host: '10.0.0.5' }).ssl).not.toHaveProperty('servername');
  });

  test('mysql2: verified TLS including the host name, the connect timeout, no database unless given', () => {
    expect(connectionOptions({ ...target, database: undefined })).toMatchObject({
      ssl: { rejectUnauthorized: true, verifyIdentity: true },
      connectTimeout: 5000,
    });
    expect(connectionOptions({ ...target, database: undefined })).not.toHaveProperty('database');
    expect(connectionOptions({ ...target, tls: 'disable' })).not.toHaveProperty('ssl');
  });
});

describe('databaseSettings', () => {
  test('each login may take the configured connect timeout; a trusted CA replaces the default store', () => {
    expect(databaseSettings(rotationConfig('postgres-single-user', { connectTimeoutSeconds: 7 }))).toEqual({ connectTimeoutMs: 7000, queryTimeoutMs: 30_000, trust: {} });
    expect(databaseSettings(rotationConfig('postgres-single-user'), { trustedCa: 'PEM' }).trust).toEqual({ ca: 'PEM' });
  });
});

describe('alternateUsername', () => {
  const postgres = { maxLength: 63, unit: 'bytes' as const, engineName: 'PostgreSQL' };
  const mysql = { maxLength: 32, unit: 'characters' as const, engineName: 'MySQL' };

  test('toggles the _clone suffix', () => {
    expect(alternateUsername('app', postgres)).toBe('app_clone');
    expect(alternateUsername('app_clone', postgres)).toBe('app');
    expect(alternateUsername(alternateUsername('_clone', postgres), postgres)).toBe('_clone');
  });

  test('PostgreSQL counts bytes, MySQL characters', () => {
    const accented = 'é'.repeat(29); // 29 characters, 58 bytes
    expect(() => alternateUsername(accented, postgres)).toThrow(/64 bytes, and PostgreSQL allows at most 63/);
    expect(alternateUsername('é'.repeat(26), mysql)).toBe(`${'é'.repeat(26)}_clone`);
    expect(() => alternateUsername('é'.repeat(27), mysql)).toThrow(/33 characters, and MySQL allows at most 32/);
  });
});

describe('redact', () => {
  test('removes the secret in the forms drivers print it', () => {
    const secret = "p'a\\ss";
    expect(redact(`raw ${secret}`, [secret])).toBe(`raw ${REDACTED}`);
    expect(redact("doubled 'p''a\\\\ss'", [secret])).toBe(`doubled '${REDACTED}'`);
    expect(redact("backslashed 'p\\'a\\\\ss'", [secret])).toBe(`backslashed '${REDACTED}'`);
  });

  test('drops everything after `near`, where MySQL quotes the statement (possibly cut short)', () => {
    const message = "You have an error in your SQL syntax; check the manual near 'IDENTIFIED BY 'hunter2-trun' at line 1";
    expect(redact(message, ['hunter2-truncated'])).toBe(`You have an error in your SQL syntax; check the manual near ${REDACTED}`);
  });

  test('leaves other messages alone', () => {
    expect(redact('permission denied to create role', ['secret'])).toBe('permission denied to create role');
  });
});

describe('driver errors', () => {
  test('a query error keeps the code, drops the SQL, and quotes no sensitive value', () => {
    const driverError = Object.assign(new Error("Operation ALTER USER failed for 'app'@'%' near 'pw-123'"), {
      code: 'ER_CANNOT_USER',
      sql: "ALTER USER 'app'@'%' IDENTIFIED BY 'pw-123'",
    });
    const error = queryErrorFrom(driverError, ['pw-123']);
    expect(error.code).toBe('ER_CANNOT_USER');
    expect(error.message).toMatch(/^Operation ALTER USER failed .*\(ER_CANNOT_USER\)$/);
    expect(JSON.stringify(error) + error.message + String(error.cause)).not.toContain('pw-123');
  });

  test.each([
    [{ code: '28P01', message: 'password authentication failed for user "app"' }, 'authentication'],
    [{ code: 'ER_ACCESS_DENIED_ERROR', message: "Access denied for user 'app'" }, 'authentication'],
    [{ message: 'The server does not support SSL connections' }, 'tls-not-supported'],
    [{ code: 'HANDSHAKE_NO_SSL_SUPPORT', message: 'Server does not support secure connection' }, 'tls-not-supported'],
    [{ code: 'SELF_SIGNED_CERT_IN_CHAIN', message: 'self-signed certificate in certificate chain' }, 'tls-verification'],
    [{ code: 'ERR_TLS_CERT_ALTNAME_INVALID', message: "Hostname/IP does not match certificate's altnames" }, 'tls-verification'],
    [{ code: 'HANDSHAKE_SSL_ERROR', message: 'unable to verify the first certificate' }, 'tls-verification'],
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5432' }, 'unreachable'],
    [{ message: 'timeout expired' }, 'unreachable'],
    [{ code: 'XX000', message: 'internal error' }, 'other'],
  ])('%p is a login failure of kind %s', (driverError, reason) => {
    expect(loginErrorFrom(Object.assign(new Error(driverError.message), driverError), 'pw').reason).toBe(reason);
  });

  test('a refused TLS carries the fix, and no message carries the password', () => {
    expect(loginErrorFrom(new Error('The server does not support SSL connections'), 'pw').message).toMatch(/set "ssl": false/);
    expect(loginErrorFrom(new Error('bad password hunter2 for app'), 'hunter2').message).toBe(`bad password ${REDACTED} for app`);
  });
});

describe('grantFor: replaying SHOW GRANTS for the clone', () => {
  const current = { user: 'app', host: '%' };
  const clone = { user: 'app_clone', host: '%' };
  const quote = (value: string) => `'${value.replace(/'/g, "\\'")}'`;

  test.each([
    ['GRANT SELECT ON `db`.* TO `app`@`%`', "GRANT SELECT ON `db`.* TO 'app_clone'@'%'"],
    ['GRANT INSERT ON `db`.`t` TO `app`@`%` WITH GRANT OPTION', "GRANT INSERT ON `db`.`t` TO 'app_clone'@'%' WITH GRANT OPTION"],
    ["GRANT USAGE ON *.* TO `app`@`%` IDENTIFIED BY PASSWORD '*2B60229'", "GRANT USAGE ON *.* TO 'app_clone'@'%'"],
    ["GRANT USAGE ON *.* TO `app`@`%` IDENTIFIED BY PASSWORD '*2B6' REQUIRE SSL", "GRANT USAGE ON *.* TO 'app_clone'@'%' REQUIRE SSL"],
    ["GRANT USAGE ON *.* TO `app`@`%` IDENTIFIED VIA ed25519 USING 'abc' WITH MAX_QUERIES_PER_HOUR 5", "GRANT USAGE ON *.* TO 'app_clone'@'%' WITH MAX_QUERIES_PER_HOUR 5"],
    ['GRANT `reader` TO `app`@`%`', "GRANT `reader` TO 'app_clone'@'%'"],
    ['SET DEFAULT ROLE `reader` FOR `app`@`%`', "SET DEFAULT ROLE `reader` FOR 'app_clone'@'%'"],
    ["GRANT SELECT ON `db`.* TO 'app'@'%'", "GRANT SELECT ON `db`.* TO 'app_clone'@'%'"],
    ['REVOKE SELECT ON `mysql`.* FROM `app`@`%`', "REVOKE SELECT ON `mysql`.* FROM 'app_clone'@'%'"],
  ])('%s', (line, expected) => {
    expect(grantFor(line, current, clone, quote)?.statement).toBe(expected);
  });

  test('a grantee named in the privileges is not mistaken for the grantee: the last TO wins', () => {
    const line = 'GRANT `app`@`%` TO `app`@`%`';
    expect(grantFor(line, current, clone, quote)?.statement).toBe("GRANT `app`@`%` TO 'app_clone'@'%'");
  });

  test('quotes and backticks in names', () => {
    const odd = { user: "o'k `x`", host: '%' };
    expect(grantFor('GRANT SELECT ON *.* TO `o\'k ``x```@`%`', odd, { user: "o'k `x`_clone", host: '%' }, quote)?.statement)
      .toBe("GRANT SELECT ON *.* TO 'o\\'k `x`_clone'@'%'");
  });

  test('a statement of another kind, or an unknown grantee form, is an error that quotes nothing after the first word', () => {
    expect(() => grantFor("ALTER USER `app`@`%` IDENTIFIED BY PASSWORD '*HASH'", current, clone, quote)).toThrow(/^SHOW GRANTS printed a statement this strategy cannot copy \(ALTER \.\.\.\)$/);
    expect(() => grantFor("GRANT USAGE ON *.* TO someone IDENTIFIED BY PASSWORD '*HASH'", current, clone, quote)).toThrow(/does not name the current user .*\(GRANT \.\.\.\)$/);
  });

  test('parseAccount splits at the last @', () => {
    expect(parseAccount('a@b@%')).toEqual({ user: 'a@b', host: '%' });
    expect(parseAccount('app@10.0.%')).toEqual({ user: 'app', host: '10.0.%' });
  });
});
