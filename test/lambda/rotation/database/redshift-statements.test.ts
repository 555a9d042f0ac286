import { escapeIdentifier, escapeLiteral } from 'pg';
import { DatabaseQueryError, QueryOptions, Row } from '../../../../lambda/rotation/database/client';
import { REDSHIFT_ENGINE } from '../../../../lambda/rotation/database/engines/redshift';
import type { PostgresClient } from '../../../../lambda/rotation/database/pg-client';
import { clearTextPasswordProblem, documentedCatalogRead, documentedStatement } from '../../../support/redshift-reference';

/**
 * The Redshift engine on the statements it sends. No Redshift runs here: a session answers the catalog reads as a
 * Redshift cluster would (PG_GROUP, SVV_USER_GRANTS) and records every statement, quoted by the pg driver's own
 * escaping; the table in test/support/redshift-reference.ts, written from Redshift's SQL reference, judges them.
 * The statements PostgreSQL shares run against a real server in redshift-on-postgres.test.ts.
 */

interface Statement {
  readonly sql: string;
  readonly params?: readonly unknown[];
  readonly sensitive?: readonly string[];
}

type Answer = (params: readonly unknown[] | undefined) => Row[];

/** A session whose catalog reads are answered by `answers` (by the table read); other statements answer no rows. */
function redshiftSession(answers: Partial<Record<'groups' | 'roles' | 'users', Answer>>, statements: Statement[], fail: Record<string, DatabaseQueryError> = {}): PostgresClient {
  return {
    async query(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<Row[]> {
      statements.push({ sql, ...(params === undefined ? {} : { params }), ...(options?.sensitive ? { sensitive: options.sensitive } : {}) });
      const failure = Object.entries(fail).find(([prefix]) => sql.startsWith(prefix));
      if (failure) throw failure[1];
      if (sql.includes('FROM pg_group')) return answers.groups?.(params) ?? [];
      if (sql.includes('FROM svv_user_grants')) return answers.roles?.(params) ?? [];
      if (sql.includes('FROM pg_user')) return answers.users?.(params) ?? [];
      return [];
    },
    async end() {},
    escapeIdentifier,
    escapeLiteral,
  };
}

/** A cluster where `app` is in two groups and holds two roles, one with the admin option. */
const APP: Record<string, { groups: string[]; roles: Array<{ role_name: string; admin_option: boolean }> }> = {
  app: { groups: ['analysts', 'etl'], roles: [{ role_name: 'reader', admin_option: false }, { role_name: 'writer', admin_option: true }] },
};

function answersFor(users: typeof APP) {
  return {
    groups: (params: readonly unknown[] | undefined) => (users[String(params?.[0])]?.groups ?? []).map((groname) => ({ groname })),
    roles: (params: readonly unknown[] | undefined) => users[String(params?.[0])]?.roles ?? [],
    users: (params: readonly unknown[] | undefined) => (String(params?.[0]) in users ? [{ '?column?': 1 }] : []),
  };
}

/** Every statement is a documented statement or a documented catalog read; returns the statements that are not reads. */
function judged(statements: readonly Statement[]) {
  return statements.flatMap(({ sql, sensitive }) => {
    if (/^SELECT\b/.test(sql)) {
      documentedCatalogRead(sql);
      return [];
    }
    return [{ ...documentedStatement(sql), sensitive }];
  });
}

const PASSWORD = 'Xy7!#$%&()*+,-.;<=>?[]^_`{|}~Ab9';

test('the oracle refuses what Redshift does not document', () => {
  expect(() => documentedStatement('ALTER ROLE "app" WITH LOGIN PASSWORD \'x\'')).toThrow(/not a documented/);
  expect(() => documentedStatement('GRANT "reader" TO "app"')).toThrow(/not a documented/);
  expect(() => documentedStatement('CREATE ROLE "app" WITH LOGIN PASSWORD \'x\'')).toThrow(/not a documented/);
  expect(() => documentedCatalogRead('SELECT 1 FROM pg_roles WHERE rolname = $1')).toThrow(/pg_roles/);
  expect(() => documentedCatalogRead('SELECT g.rolname FROM pg_group g')).toThrow(/g.rolname/);
  expect(clearTextPasswordProblem('md5' + 'a'.repeat(29) + 'B1')).toBe('hash');
  expect(clearTextPasswordProblem(PASSWORD)).toBeUndefined();
});

test('the first clone: created with the password, then the current user\'s groups and roles, in one transaction', async () => {
  const statements: Statement[] = [];
  const master = redshiftSession(answersFor(APP), statements);

  const outcome = await REDSHIFT_ENGINE.setAlternateUserPassword({ master, current: master, currentUsername: 'app', alternateUsername: 'app_clone', password: PASSWORD });

  expect(outcome).toBe('created');
  expect(judged(statements)).toEqual([
    { form: 'BEGIN', names: [] },
    { form: 'CREATE USER name PASSWORD \'password\'', names: ['app_clone'], password: PASSWORD, sensitive: [PASSWORD] },
    { form: 'ALTER GROUP group_name ADD USER username', names: ['analysts', 'app_clone'] },
    { form: 'ALTER GROUP group_name ADD USER username', names: ['etl', 'app_clone'] },
    { form: 'GRANT ROLE role_name TO user_name', names: ['reader', 'app_clone'] },
    { form: 'GRANT ROLE role_name TO user_name WITH ADMIN OPTION', names: ['writer', 'app_clone'] },
    { form: 'COMMIT', names: [] },
  ]);
  expect(clearTextPasswordProblem(PASSWORD)).toBeUndefined();
});

test('a later rotation adds the memberships the clone lacks before its new password, and nothing twice', async () => {
  const statements: Statement[] = [];
  const users = { ...APP, app_clone: { groups: ['analysts'], roles: [{ role_name: 'reader', admin_option: false }, { role_name: 'writer', admin_option: false }] } };
  const master = redshiftSession(answersFor(users), statements);

  const outcome = await REDSHIFT_ENGINE.setAlternateUserPassword({ master, current: master, currentUsername: 'app', alternateUsername: 'app_clone', password: PASSWORD });

  expect(outcome).toBe('updated');
  expect(judged(statements)).toEqual([
    { form: 'ALTER GROUP group_name ADD USER username', names: ['etl', 'app_clone'] },
    // Held without the admin option: granted again with it, as the current user holds it.
    { form: 'GRANT ROLE role_name TO user_name WITH ADMIN OPTION', names: ['writer', 'app_clone'] },
    { form: 'ALTER USER username PASSWORD \'password\'', names: ['app_clone'], password: PASSWORD, sensitive: [PASSWORD] },
  ]);
});

test('a cluster without role-based access control (no SVV_USER_GRANTS): groups only', async () => {
  const statements: Statement[] = [];
  const master = redshiftSession(answersFor(APP), statements, {
    'SELECT role_name': new DatabaseQueryError('relation "svv_user_grants" does not exist', '42P01'),
  });

  await REDSHIFT_ENGINE.setAlternateUserPassword({ master, current: master, currentUsername: 'app', alternateUsername: 'app_clone', password: PASSWORD });

  expect(judged(statements).map((s) => s.form)).toEqual([
    'BEGIN', 'CREATE USER name PASSWORD \'password\'', 'ALTER GROUP group_name ADD USER username', 'ALTER GROUP group_name ADD USER username', 'COMMIT',
  ]);
});

test('any other failure to read the roles fails the step before a user is created', async () => {
  const statements: Statement[] = [];
  const master = redshiftSession(answersFor(APP), statements, {
    'SELECT role_name': new DatabaseQueryError('permission denied for relation svv_user_grants', '42501'),
  });

  await expect(REDSHIFT_ENGINE.setAlternateUserPassword({ master, current: master, currentUsername: 'app', alternateUsername: 'app_clone', password: PASSWORD }))
    .rejects.toThrow(/permission denied/);
  expect(statements.filter((s) => !/^SELECT\b/.test(s.sql))).toEqual([]);
});

test('a failed GRANT ROLE rolls the new user back', async () => {
  const statements: Statement[] = [];
  const master = redshiftSession(answersFor(APP), statements, { 'GRANT ROLE "writer"': new DatabaseQueryError('permission denied', '42501') });

  await expect(REDSHIFT_ENGINE.setAlternateUserPassword({ master, current: master, currentUsername: 'app', alternateUsername: 'app_clone', password: PASSWORD }))
    .rejects.toThrow(/permission denied/);
  expect(judged(statements).map((s) => s.form).slice(-2)).toEqual(['GRANT ROLE role_name TO user_name WITH ADMIN OPTION', 'ROLLBACK']);
});

test('another invocation created the clone first: its memberships are completed, then its password set', async () => {
  const statements: Statement[] = [];
  const master = redshiftSession(answersFor(APP), statements, { 'CREATE USER': new DatabaseQueryError('user "app_clone" already exists', '42710') });

  const outcome = await REDSHIFT_ENGINE.setAlternateUserPassword({ master, current: master, currentUsername: 'app', alternateUsername: 'app_clone', password: PASSWORD });

  expect(outcome).toBe('updated');
  expect(judged(statements).map((s) => s.form)).toEqual([
    'BEGIN', 'CREATE USER name PASSWORD \'password\'', 'ROLLBACK',
    'ALTER GROUP group_name ADD USER username', 'ALTER GROUP group_name ADD USER username',
    'GRANT ROLE role_name TO user_name', 'GRANT ROLE role_name TO user_name WITH ADMIN OPTION',
    'ALTER USER username PASSWORD \'password\'',
  ]);
});

test('single user: ALTER USER on its own session; quoted names survive the round trip', async () => {
  const statements: Statement[] = [];
  const session = redshiftSession({}, statements);

  await REDSHIFT_ENGINE.setOwnPassword(session, 'o"k; drop', PASSWORD);

  expect(judged(statements)).toEqual([{ form: 'ALTER USER username PASSWORD \'password\'', names: ['o"k; drop'], password: PASSWORD, sensitive: [PASSWORD] }]);
});

test('createUser: the user and its groups in one transaction; one that exists is reported, not changed', async () => {
  const statements: Statement[] = [];
  const master = redshiftSession({}, statements);
  const spec = { memberOf: ['analysts'] };

  expect(await REDSHIFT_ENGINE.createUser(master, { username: 'report', password: PASSWORD, spec })).toBe('created');
  expect(judged(statements)).toEqual([
    { form: 'BEGIN', names: [] },
    { form: 'CREATE USER name PASSWORD \'password\'', names: ['report'], password: PASSWORD, sensitive: [PASSWORD] },
    { form: 'ALTER GROUP group_name ADD USER username', names: ['analysts', 'report'] },
    { form: 'COMMIT', names: [] },
  ]);

  const again: Statement[] = [];
  const raced = redshiftSession({}, again, { 'CREATE USER': new DatabaseQueryError('user "report" already exists', '42710') });
  expect(await REDSHIFT_ENGINE.createUser(raced, { username: 'report', password: PASSWORD, spec })).toBe('existed');
  expect(judged(again).map((s) => s.form)).toEqual(['BEGIN', 'CREATE USER name PASSWORD \'password\'', 'ROLLBACK']);
});

test('grantSpec adds only the groups the user is not in', async () => {
  const statements: Statement[] = [];
  const master = redshiftSession(answersFor({ report: { groups: ['analysts'], roles: [] } }), statements);

  await REDSHIFT_ENGINE.grantSpec(master, master, 'report', { memberOf: ['analysts', 'etl'] });

  expect(judged(statements)).toEqual([{ form: 'ALTER GROUP group_name ADD USER username', names: ['etl', 'report'] }]);
});

test('the probe and testSecret statement, and the catalog reads, are documented', async () => {
  const statements: Statement[] = [];
  const master = redshiftSession(answersFor(APP), statements);
  await REDSHIFT_ENGINE.userExists(master, 'app');
  await REDSHIFT_ENGINE.setAlternateUserPassword({ master, current: master, currentUsername: 'app', alternateUsername: 'app_clone', password: PASSWORD });

  const reads = statements.filter((s) => /^SELECT\b/.test(s.sql)).map((s) => documentedCatalogRead(s.sql));
  expect(reads).toEqual([['pg_user'], ['pg_group', 'pg_user'], ['svv_user_grants'], ['pg_user']]);
  expect(REDSHIFT_ENGINE.probeSql).toBe('SELECT 1');
});
