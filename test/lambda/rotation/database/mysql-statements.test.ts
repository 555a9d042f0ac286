import { escape, escapeId, format } from 'mysql2';
import type { QueryOptions, Row } from '../../../../lambda/rotation/database/client';
import { MYSQL_ENGINE } from '../../../../lambda/rotation/database/engines/mysql';
import type { MySqlClient } from '../../../../lambda/rotation/database/mysql-client';
import { documentedStatement, MySqlVersion } from '../../../support/mysql-reference';

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

describe.each<[MySqlVersion, { grants: string[]; createUser: string }]>([
  ['8.0', { grants: SHOW_GRANTS, createUser: showCreateUser('REQUIRE SSL') }],
  ['5.7', {
    // MySQL 5.7 prints grantees in single quotes and has no roles; its SHOW CREATE USER has no history or reuse options.
    grants: ["GRANT USAGE ON *.* TO 'app'@'%'", "GRANT SELECT, INSERT ON `orders`.* TO 'app'@'%' WITH GRANT OPTION"],
    createUser: "CREATE USER 'app'@'%' IDENTIFIED WITH 'mysql_native_password' AS '*6BB4837EB74329105EE4568DDA7DC67ED2CA2AD9' "
      + 'REQUIRE SSL PASSWORD EXPIRE DEFAULT ACCOUNT UNLOCK',
  }],
])('MySQL %s', (version, server) => {
  /** Every statement a path sends, judged by the reference manual's forms; returns the passwords they set. */
  async function passwordsSet(path: (session: () => MySqlClient) => Promise<unknown>): Promise<string[]> {
    const statements: Statement[] = [];
    const answers = {
      'SELECT VERSION() AS version': [{ version: version === '8.0' ? '8.0.36' : '5.7.44-log' }],
      'SELECT CURRENT_USER() AS account': [{ account: 'app@%' }],
      'SHOW GRANTS FOR ?@?': server.grants.map((line) => ({ 'Grants for app@%': line })),
      'SHOW CREATE USER ?@?': [{ 'CREATE USER for app@%': server.createUser }],
    };
    await path(() => mysql8Session(answers, statements));
    return statements.flatMap((statement) => {
      const sent = statement.params === undefined ? statement.sql : format(statement.sql, statement.params as Parameters<typeof format>[1]);
      const { password } = documentedStatement(version, sent);
      if (password === undefined) return [];
      // What a statement sets is what the engine marked as sensitive in it: the password, or a placeholder.
      expect([sent, password]).toEqual([sent, statement.sensitive?.[0]]);
      return [password];
    });
  }

  test('every statement is a documented MySQL form, and sets the cleartext password meant', async () => {
    expect(await passwordsSet((session) => MYSQL_ENGINE.setOwnPassword(session(), 'app', "own'pass\\word"))).toEqual(["own'pass\\word"]);

    const clonePasswords = await passwordsSet((session) => MYSQL_ENGINE.setAlternateUserPassword({
      master: session(), current: session(), currentUsername: 'app', alternateUsername: 'app_clone', password: 'clone-password',
    }));
    expect(clonePasswords).toEqual([expect.any(String), 'clone-password']);

    const grantsOnly = { grants: [{ privileges: ['SELECT'], on: 'app_db.*' }] };
    expect(await passwordsSet((session) => MYSQL_ENGINE.createUser(session(), { username: 'new_app', password: 'new-password', spec: grantsOnly })))
      .toEqual(['new-password']);
  });
});

test.each<[MySqlVersion, string]>([
  ['8.0', "ALTER USER 'app'@'%' IDENTIFIED BY PASSWORD '*6BB4837EB74329105EE4568DDA7DC67ED2CA2AD9'"],
  ['8.0', "SET PASSWORD FOR 'app'@'%' = PASSWORD('x')"],
  ['5.7', "GRANT `reader`@`%` TO 'app'@'%'"],
  ['5.7', "ALTER USER 'app'@'%' DEFAULT ROLE `reader`@`%`"],
  ['5.7', "ALTER USER 'app'@'%' IDENTIFIED BY 'x' PASSWORD HISTORY 5"],
  ['8.0', "GRANT SELECT ON `orders`.* TO 'app'@'%' IDENTIFIED BY 'x'"],
])('the reference refuses what MySQL %s does not document: %s', (version, sql) => {
  expect(() => documentedStatement(version, sql)).toThrow(`MySQL ${version} documents no statement of the form`);
});

test('the reference reads the cleartext a statement sets, unescaped, and none from a hash', () => {
  expect(documentedStatement('8.0', "ALTER USER 'app'@'%' IDENTIFIED BY 'it''s \\\\ \\'x' REQUIRE SSL")).toEqual({
    form: "ALTER USER ... IDENTIFIED BY 'auth_string'", password: "it's \\ 'x",
  });
  expect(documentedStatement('5.7', "CREATE USER 'app'@'%' IDENTIFIED BY PASSWORD '*6BB4837EB74329105EE4568DDA7DC67ED2CA2AD9'").password).toBeUndefined();
});
