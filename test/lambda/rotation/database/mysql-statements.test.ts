import { escape, escapeId } from 'mysql2';
import type { QueryOptions, Row } from '../../../../lambda/rotation/database/client';
import { MYSQL_ENGINE } from '../../../../lambda/rotation/database/engines/mysql';
import type { MySqlClient } from '../../../../lambda/rotation/database/mysql-client';

/**
 * The MySQL 8 branch, on the statements it issues. No MySQL 8 server runs here (the real-server tests use MariaDB),
 * so a client answers SHOW GRANTS and SHOW CREATE USER as MySQL 8.0 prints them and records every statement, with
 * the driver's own escaping. MariaDB runs the same code against a real server in mysql-alternating-users.test.ts and
 * mysql-tls.test.ts.
 */

interface Statement {
  readonly sql: string;
  readonly params?: readonly unknown[];
  readonly sensitive?: readonly string[];
}

/** A MySQL 8 session: `answers` by statement, everything else answers no rows. */
function mysql8Session(answers: Record<string, Row[]>, statements: Statement[]): MySqlClient {
  return {
    async query(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<Row[]> {
      statements.push({ sql, ...(params === undefined ? {} : { params }), ...(options?.sensitive ? { sensitive: options.sensitive } : {}) });
      return answers[sql] ?? [];
    },
    async end() {},
    escape: (value) => escape(value),
    escapeId: (name) => escapeId(name),
  };
}

const SHOW_GRANTS = [
  'GRANT USAGE ON *.* TO `app`@`%`',
  'GRANT SELECT, INSERT ON `orders`.* TO `app`@`%`',
  'GRANT `reader`@`%`,`writer`@`%` TO `app`@`%`',
  // partial_revokes: the clone must not get more than the original.
  'REVOKE INSERT ON `mysql`.* FROM `app`@`%`',
];

function showCreateUser(require: string): string {
  return "CREATE USER `app`@`%` IDENTIFIED WITH 'caching_sha2_password' AS '$A$005$\u0011x\\'y\\\\z0123456789abcdefghijklmnopqrstuvwxyzABCDEFG' " +
    `DEFAULT ROLE \`reader\`@\`%\`,\`writer\`@\`%\` ${require} PASSWORD EXPIRE DEFAULT ACCOUNT UNLOCK PASSWORD HISTORY DEFAULT ` +
    'PASSWORD REUSE INTERVAL DEFAULT PASSWORD REQUIRE CURRENT DEFAULT';
}

function cloneOf(require: string, password: string) {
  const master: Statement[] = [];
  const current: Statement[] = [];
  const answers = {
    'SELECT CURRENT_USER() AS account': [{ account: 'app@%' }],
    'SHOW GRANTS FOR ?@?': SHOW_GRANTS.map((line) => ({ 'Grants for app@%': line })),
    'SHOW CREATE USER ?@?': [{ 'CREATE USER for app@%': showCreateUser(require) }],
  };
  const change = {
    master: mysql8Session(answers, master),
    current: mysql8Session(answers, current),
    currentUsername: 'app',
    alternateUsername: 'app_clone',
    password,
  };
  return { change, master, current };
}

test('the first clone: privileges, roles and revokes from SHOW GRANTS, default roles and REQUIRE X509 from SHOW CREATE USER, the password last', async () => {
  const { change, master, current } = cloneOf('REQUIRE X509', 'new-password');

  expect(await MYSQL_ENGINE.setAlternateUserPassword(change)).toBe('created');

  expect(current).toEqual([{ sql: 'SELECT CURRENT_USER() AS account' }]);
  const placeholder = master[1].params?.[2];
  expect(master).toEqual([
    { sql: 'SELECT 1 AS found FROM mysql.user WHERE User = ? AND Host = ?', params: ['app_clone', '%'] },
    { sql: 'CREATE USER ?@? IDENTIFIED BY ?', params: ['app_clone', '%', placeholder], sensitive: [placeholder] },
    { sql: 'SHOW GRANTS FOR ?@?', params: ['app', '%'] },
    { sql: "GRANT USAGE ON *.* TO 'app_clone'@'%'" },
    { sql: "GRANT SELECT, INSERT ON `orders`.* TO 'app_clone'@'%'" },
    { sql: "GRANT `reader`@`%`,`writer`@`%` TO 'app_clone'@'%'" },
    { sql: "REVOKE INSERT ON `mysql`.* FROM 'app_clone'@'%'" },
    { sql: 'SHOW CREATE USER ?@?', params: ['app', '%'] },
    { sql: "ALTER USER 'app_clone'@'%' DEFAULT ROLE `reader`@`%`,`writer`@`%`" },
    {
      sql: "ALTER USER 'app_clone'@'%' IDENTIFIED BY 'new-password' REQUIRE X509 PASSWORD EXPIRE DEFAULT PASSWORD HISTORY DEFAULT " +
        'PASSWORD REUSE INTERVAL DEFAULT PASSWORD REQUIRE CURRENT DEFAULT',
      sensitive: ['new-password'],
    },
  ]);
  expect(placeholder).toEqual(expect.any(String));
  expect(placeholder).not.toBe('new-password');
});

test('the statement that carries server text takes no placeholders: a `?` in a TLS subject stays in the subject', async () => {
  const password = "p'?\\x";
  const { change, master } = cloneOf("REQUIRE SUBJECT '/CN=who?' AND ISSUER '/CN=it''s'", password);

  await MYSQL_ENGINE.setAlternateUserPassword(change);

  const last = master[master.length - 1];
  expect(last.params).toBeUndefined();
  expect(last.sql).toBe(`ALTER USER 'app_clone'@'%' IDENTIFIED BY ${escape(password)} REQUIRE SUBJECT '/CN=who?' AND ISSUER '/CN=it''s' ` +
    'PASSWORD EXPIRE DEFAULT PASSWORD HISTORY DEFAULT PASSWORD REUSE INTERVAL DEFAULT PASSWORD REQUIRE CURRENT DEFAULT');
  expect(last.sensitive).toEqual([password]);
});

test('createUser: CREATE USER with the password, then each grant of the spec, names quoted by the driver', async () => {
  const statements: Statement[] = [];
  const master = mysql8Session({}, statements);

  const outcome = await MYSQL_ENGINE.createUser(master, {
    username: 'app',
    password: 'pw',
    spec: { grants: [{ privileges: ['SELECT', 'INSERT'], on: 'app_db.*' }, { privileges: ['DELETE'], on: 'app_db.order_lines' }, { privileges: ['EXECUTE'], on: '*.*' }] },
  });

  expect(outcome).toBe('created');
  expect(statements).toEqual([
    { sql: 'CREATE USER ?@? IDENTIFIED BY ?', params: ['app', '%', 'pw'], sensitive: ['pw'] },
    // At database level `_` is a wildcard even in backticks: escaped, the grant names one database.
    { sql: 'GRANT SELECT, INSERT ON `app\\_db`.* TO ?@?', params: ['app', '%'] },
    { sql: 'GRANT DELETE ON `app_db`.`order_lines` TO ?@?', params: ['app', '%'] },
    { sql: 'GRANT EXECUTE ON *.* TO ?@?', params: ['app', '%'] },
  ]);
});

test('createUser refuses a spec that was not validated, before any statement', async () => {
  const statements: Statement[] = [];
  const master = mysql8Session({}, statements);

  await expect(MYSQL_ENGINE.createUser(master, { username: 'app', password: 'pw', spec: { grants: [{ privileges: ['ALL; DROP'], on: 'db.*' }] } }))
    .rejects.toThrow(/the create-user spec is invalid: `grants` privileges "ALL; DROP" are not among/);
  await expect(MYSQL_ENGINE.createUser(master, { username: 'app', password: 'pw', spec: { grants: [{ privileges: ['SELECT'], on: 'db`.*' }] } }))
    .rejects.toThrow(/`grants` target "db`\.\*" must be/);
  expect(statements).toEqual([]);
});
