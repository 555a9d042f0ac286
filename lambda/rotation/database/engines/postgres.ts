import { createAtomically } from './create-atomically';
import { checkCreateUserSpec, UserCreatingEngine } from './engine';
import { POSTGRES_FAMILY, POSTGRES_USERNAME_LIMIT } from '../../../../src/private/contract';
import { connectPostgres, PostgresClient } from '../pg-client';

/**
 * PostgreSQL. ALTER USER and CREATE ROLE take no bind parameters, so names are quoted with the driver's
 * escapeIdentifier and passwords with escapeLiteral.
 */
export const POSTGRES_ENGINE: UserCreatingEngine<PostgresClient> = {
  family: POSTGRES_FAMILY,
  connect: connectPostgres,
  probeSql: 'SELECT NOW()',

  usernameLimit: () => POSTGRES_USERNAME_LIMIT,

  async setOwnPassword(client, username, password) {
    await setPassword(client, username, password);
  },

  async setAlternateUserPassword(change) {
    const { master, alternateUsername } = change;
    if (await POSTGRES_ENGINE.userExists(master, alternateUsername)) {
      await setPassword(master, alternateUsername, change.password);
      return 'updated';
    }
    // A member of the current user holds the same privileges, as with AWS's template.
    const created = await createLoginRole(master, { username: alternateUsername, password: change.password, memberOf: [change.currentUsername] });
    // Another invocation created it first, with the same membership: only the password is left to set.
    if (!created) await setPassword(master, alternateUsername, change.password);
    return created ? 'created' : 'updated';
  },

  async userExists(master, username) {
    return (await master.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [username])).length > 0;
  },

  async createUser(master, { username, password, spec }) {
    checkCreateUserSpec(spec);
    try {
      return await createLoginRole(master, { username, password, memberOf: spec.memberOf ?? [] }) ? 'created' : 'existed';
    } catch (error) {
      throw new Error(`creating the user failed (the master needs CREATEROLE, and ADMIN OPTION on each role of \`memberOf\`): ${(error as Error).message}`);
    }
  },

  async grantSpec(master, _session, username, spec) {
    checkCreateUserSpec(spec);
    for (const role of spec.memberOf ?? []) await master.query(`GRANT ${master.escapeIdentifier(role)} TO ${master.escapeIdentifier(username)}`);
  },
};

async function setPassword(client: PostgresClient, username: string, password: string): Promise<void> {
  await client.query(
    `ALTER USER ${client.escapeIdentifier(username)} WITH PASSWORD ${client.escapeLiteral(password)}`,
    undefined,
    { sensitive: [password] },
  );
}

/**
 * Creates a role that logs in with `password` and is a member of `memberOf`, in one transaction. False when another
 * invocation created it first.
 */
async function createLoginRole(master: PostgresClient, role: { username: string; password: string; memberOf: readonly string[] }): Promise<boolean> {
  const name = master.escapeIdentifier(role.username);
  return createAtomically(master, async () => {
    await master.query(`CREATE ROLE ${name} WITH LOGIN PASSWORD ${master.escapeLiteral(role.password)}`, undefined, { sensitive: [role.password] });
    for (const member of role.memberOf) await master.query(`GRANT ${master.escapeIdentifier(member)} TO ${name}`);
  });
}
