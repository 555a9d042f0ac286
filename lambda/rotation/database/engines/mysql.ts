import { randomBytes } from 'node:crypto';
import { grantFor, MySqlAccount, parseAccount } from './mysql-grants';
import { DatabaseQueryError } from '../client';
import type { AlternateUserChange, DatabaseEngine } from './engine';
import { MYSQL_FAMILY, mysqlUsernameLimit } from '../../../../src/private/contract';
import { connectMySql, MySqlClient } from '../mysql-client';

/** ER_CANNOT_USER: CREATE USER found the account already there (it raced with another invocation). */
const CANNOT_USER = 'ER_CANNOT_USER';

/**
 * MySQL and MariaDB. Values are escaped by mysql2's `query()` placeholders; accounts are `user`@`host`, and the
 * host part is read from the server (CURRENT_USER()), never assumed to be `%`.
 */
export const MYSQL_ENGINE: DatabaseEngine<MySqlClient> = {
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
    // The pending password is set last, after the privileges: "the pending secret logs in" then always means
    // "with the current user's privileges", whatever step a crash or a concurrent invocation interrupted.
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
    // Replaying grants is harmless, and repairs a user left without them by an interrupted earlier attempt.
    await copyGrants(change, current, alternate, outcome === 'created');
    await alterPassword(master, alternate, password);
    return outcome;
  },
};

async function alterPassword(master: MySqlClient, account: MySqlAccount, password: string): Promise<void> {
  await master.query('ALTER USER ?@? IDENTIFIED BY ?', [account.user, account.host, password], { sensitive: [password] });
}

/**
 * Replays SHOW GRANTS of the current user for the new one. DDL cannot be rolled back in MySQL, so if a grant
 * fails the new user is dropped: a retry then starts over instead of finding a user without privileges.
 */
async function copyGrants(
  { master }: AlternateUserChange<MySqlClient>, current: MySqlAccount, alternate: MySqlAccount, dropOnFailure: boolean,
): Promise<void> {
  let step = 'SHOW GRANTS';
  try {
    const rows = await master.query('SHOW GRANTS FOR ?@?', [current.user, current.host]);
    for (const row of rows) {
      const grant = grantFor(String(Object.values(row)[0]), current, alternate, (value) => master.escape(value));
      step = grant.summary;
      await master.query(grant.statement);
    }
  } catch (error) {
    // A user made by this attempt is dropped, so a retry starts clean; an existing one may be in use (AWSPREVIOUS).
    if (dropOnFailure) await master.query('DROP USER ?@?', [alternate.user, alternate.host]).catch(() => undefined);
    throw new Error(
      `copying the current user's privileges to the alternate user failed at \`${step}\`${dropOnFailure ? ', so the alternate user was dropped' : ''} ` +
      `(the master needs each privilege WITH GRANT OPTION and each role WITH ADMIN OPTION): ${(error as Error).message}`,
    );
  }
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
