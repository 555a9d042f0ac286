import { randomBytes } from 'node:crypto';
import { accountOptionsOf, AccountOptions } from './mysql-account-options';
import { grantFor, MySqlAccount, parseAccount } from './mysql-grants';
import { DatabaseQueryError } from '../client';
import { checkCreateUserSpec, UserCreatingEngine } from './engine';
import { CreateUserSpec, MYSQL_FAMILY, mysqlUsernameLimit } from '../../../../src/private/contract';
import { connectMySql, MySqlClient } from '../mysql-client';

/** ER_CANNOT_USER: CREATE USER found the account already there (it raced with another invocation). */
const CANNOT_USER = 'ER_CANNOT_USER';

/**
 * The host of a user createUser makes: any, as for RDS's master user; security groups decide who reaches the
 * database.
 */
const NEW_USER_HOST = '%';

/**
 * MySQL and MariaDB. Values are escaped by mysql2 (`?` placeholders, or `escape` where a statement holds text the
 * server printed, since placeholders are not quote-aware); accounts are `user`@`host`, and the host part of an
 * existing user is read from the server (CURRENT_USER()), never assumed to be `%`.
 */
export const MYSQL_ENGINE: UserCreatingEngine<MySqlClient> = {
  family: MYSQL_FAMILY,
  connect: connectMySql,
  probeSql: 'SELECT 1',
  usernameLimit: mysqlUsernameLimit,

  async setOwnPassword(client, username, password) {
    const account = await loggedInAccount(client, username);
    // MariaDB refuses ALTER USER on one's own account without the CREATE USER privilege, but lets any user
    // SET PASSWORD for itself; MySQL 5.7+ lets any user ALTER USER itself and has no PASSWORD() function.
    const sql = await isMariaDb(client) ? 'SET PASSWORD FOR ?@? = PASSWORD(?)' : 'ALTER USER ?@? IDENTIFIED BY ?';
    await client.query(sql, [account.user, account.host, password], { sensitive: [password] });
  },

  async setAlternateUserPassword(change) {
    const { master, password } = change;
    // The alternate user lives on the same host pattern as the account the current secret logged in as.
    const current = await loggedInAccount(change.current, change.currentUsername);
    const alternate: MySqlAccount = { user: change.alternateUsername, host: current.host };
    // The pending password is set last, after the privileges and account options: "the pending secret logs in" then
    // always means "as the current user may", whatever step a crash or a concurrent invocation interrupted.
    const existing = await master.query('SELECT 1 AS found FROM mysql.user WHERE User = ? AND Host = ?', [alternate.user, alternate.host]);
    let outcome: 'created' | 'updated' = 'updated';
    if (existing.length === 0) {
      // A throwaway password nobody knows until the grants are in place.
      const placeholder = randomBytes(24).toString('base64url');
      try {
        await master.query('CREATE USER ?@? IDENTIFIED BY ?', [alternate.user, alternate.host, placeholder], { sensitive: [placeholder] });
        outcome = 'created';
      } catch (error) {
        // Another invocation created it first: replay the privileges below like for any existing user.
        if (!(error instanceof DatabaseQueryError && error.code === CANNOT_USER)) throw error;
      }
    }
    // Replaying is harmless, and repairs a user left without privileges by an interrupted earlier attempt.
    const options = await copyAccount(master, current, alternate, outcome === 'created');
    // The TLS requirement and the other options take effect with the password, in one statement.
    const clauses = options.clauses === '' ? '' : ` ${options.clauses}`;
    await master.query(`ALTER USER ${accountSql(master, alternate)} IDENTIFIED BY ${master.escape(password)}${clauses}`, undefined, { sensitive: [password] });
    return outcome;
  },

  async userExists(master, username) {
    // On any host: a user with this name elsewhere (`app`@`10.0.%`) has a password of its own, which is never reset,
    // and a second account beside it would be confusing at best.
    return (await master.query('SELECT 1 AS found FROM mysql.user WHERE User = ? LIMIT 1', [username])).length > 0;
  },

  async createUser(master, { username, password, spec }) {
    checkCreateUserSpec(spec);
    const account: MySqlAccount = { user: username, host: NEW_USER_HOST };
    let outcome: 'created' | 'existed' = 'created';
    try {
      await master.query('CREATE USER ?@? IDENTIFIED BY ?', [account.user, account.host, password], { sensitive: [password] });
    } catch (error) {
      if (!(error instanceof DatabaseQueryError && error.code === CANNOT_USER)) throw new Error(`creating the user failed: ${error instanceof Error ? error.message : String(error)}`);
      // Another invocation is creating it with the same password: grant as it does, in case it dies before it has.
      outcome = 'existed';
    }
    await grantPrivileges(master, account, spec, outcome === 'created');
    return outcome;
  },

  async grantSpec(master, session, username, spec) {
    checkCreateUserSpec(spec);
    await grantPrivileges(master, await loggedInAccount(session, username), spec, false);
  },
};

/**
 * Gives the clone what the current user has: SHOW GRANTS replayed (privileges, roles, partial revokes, MariaDB's
 * default role), then MySQL 8's default roles from SHOW CREATE USER. Returns the account options the password
 * statement must carry.
 */
async function copyAccount(master: MySqlClient, current: MySqlAccount, alternate: MySqlAccount, dropOnFailure: boolean): Promise<AccountOptions> {
  return changeAccount(master, alternate, dropOnFailure, 'copying the current user\'s privileges to the alternate user', async (at) => {
    at('SHOW GRANTS');
    for (const row of await master.query('SHOW GRANTS FOR ?@?', [current.user, current.host])) {
      const grant = grantFor(String(Object.values(row)[0]), current, alternate, (value) => master.escape(value));
      at(grant.summary);
      await master.query(grant.statement);
    }
    at('SHOW CREATE USER');
    const [row] = await master.query('SHOW CREATE USER ?@?', [current.user, current.host]);
    const options = accountOptionsOf(String(Object.values(row ?? {})[0] ?? ''));
    if (options.defaultRoles !== undefined) {
      at('ALTER USER ... DEFAULT ROLE');
      await master.query(`ALTER USER ${accountSql(master, alternate)} DEFAULT ROLE ${options.defaultRoles}`);
    }
    return options;
  });
}

/** GRANT <privileges> ON <target> TO the account, for each grant of the spec. */
async function grantPrivileges(master: MySqlClient, account: MySqlAccount, spec: CreateUserSpec, dropOnFailure: boolean): Promise<void> {
  await changeAccount(master, account, dropOnFailure, 'granting the user\'s privileges', async (at) => {
    for (const { privileges, on } of spec.grants ?? []) {
      const grant = `GRANT ${privileges.join(', ')} ON ${grantTarget(master, on)}`;
      at(grant);
      await master.query(`${grant} TO ?@?`, [account.user, account.host]);
    }
  });
}

/**
 * Runs statements that make an account what it should be. DDL cannot be rolled back in MySQL, so if one fails, a
 * user this attempt created is dropped: a retry then starts over instead of finding a user without privileges.
 * An existing user is left as it is (it may be in use). `at` names the statement running, for the message.
 */
async function changeAccount<T>(
  master: MySqlClient,
  account: MySqlAccount,
  dropOnFailure: boolean,
  what: string,
  work: (at: (step: string) => void) => Promise<T>,
): Promise<T> {
  let step = '';
  try {
    return await work((next) => { step = next; });
  } catch (error) {
    if (dropOnFailure) await master.query('DROP USER ?@?', [account.user, account.host]).catch(() => undefined);
    throw new Error(
      `${what} failed at \`${step}\`${dropOnFailure ? ', so the user was dropped' : ''} ` +
      `(the master needs each privilege WITH GRANT OPTION and each role WITH ADMIN OPTION): ${(error as Error).message}`,
    );
  }
}

/**
 * `*.*`, `db.*` or `db.table` with each name quoted by the driver. In a database-level grant `_` and `%` are
 * wildcards even inside backticks, so they are escaped: `app_db`.* must not also cover `appXdb`.
 */
function grantTarget(client: MySqlClient, on: string): string {
  if (on === '*.*') return on;
  const [database, table] = on.split('.');
  if (table === '*') return `${client.escapeId(database.replace(/[_%]/g, '\\$&'))}.*`;
  return `${client.escapeId(database)}.${client.escapeId(table)}`;
}

/** `'user'@'host'`, escaped by the driver. */
function accountSql(client: MySqlClient, account: MySqlAccount): string {
  return `${client.escape(account.user)}@${client.escape(account.host)}`;
}

/**
 * The account the session logged in as, from CURRENT_USER(). It must be `username`: a login that matched an
 * anonymous account, say, must not have its password changed.
 */
async function loggedInAccount(client: MySqlClient, username: string): Promise<MySqlAccount> {
  const [row] = await client.query('SELECT CURRENT_USER() AS account');
  const account = parseAccount(String(row?.account ?? ''));
  if (account.user !== username) {
    throw new Error('the session logged in as a different MySQL account than the secret\'s `username` (an anonymous or proxy account?)');
  }
  return account;
}

async function isMariaDb(client: MySqlClient): Promise<boolean> {
  const [row] = await client.query('SELECT VERSION() AS version');
  return /mariadb/i.test(String(row?.version ?? ''));
}
