import { createAtomically } from './create-atomically';
import { checkCreateUserSpec, UserCreatingEngine } from './engine';
import { Memberships, membershipsOf, membershipStatements } from './redshift-memberships';
import { REDSHIFT_FAMILY, REDSHIFT_USERNAME_LIMIT, redshiftPasswordProblem } from '../../../../src/private/contract';
import { connectPostgres, PostgresClient } from '../pg-client';

const NO_MEMBERSHIPS: Memberships = { groups: [], roles: [] };

/**
 * Amazon Redshift (provisioned), over the PostgreSQL protocol and driver. Statements follow Redshift's SQL
 * reference: `ALTER USER <name> PASSWORD '<password>'`, `CREATE USER <name> PASSWORD '<password>'`,
 * `ALTER GROUP <group> ADD USER <name>`, `GRANT ROLE <role> TO <name>`. Names are quoted with the driver's
 * escapeIdentifier, passwords with escapeLiteral (a Redshift password has no quote or backslash to escape).
 */
export const REDSHIFT_ENGINE: UserCreatingEngine<PostgresClient> = {
  family: REDSHIFT_FAMILY,
  connect: connectPostgres,
  probeSql: 'SELECT 1',
  passwordProblem: redshiftPasswordProblem,

  usernameLimit: () => REDSHIFT_USERNAME_LIMIT,

  async setOwnPassword(client, username, password) {
    await setPassword(client, username, password);
  },

  async setAlternateUserPassword(change) {
    const { master, currentUsername, alternateUsername, password } = change;
    const wanted = await membershipsOf(master, currentUsername);
    if (!await REDSHIFT_ENGINE.userExists(master, alternateUsername) && await createUserWith(master, alternateUsername, password, wanted)) {
      return 'created';
    }
    // Before the password: a pending password that logs in means the clone has every membership.
    await addMemberships(master, alternateUsername, wanted);
    await setPassword(master, alternateUsername, password);
    return 'updated';
  },

  async userExists(master, username) {
    return (await master.query('SELECT 1 FROM pg_user WHERE usename = $1', [username])).length > 0;
  },

  async createUser(master, { username, password, spec }) {
    checkCreateUserSpec(spec);
    try {
      return await createUserWith(master, username, password, { groups: spec.memberOf ?? [], roles: [] }) ? 'created' : 'existed';
    } catch (error) {
      throw new Error(`creating the user failed (the master must be a superuser, as a cluster's admin user is, and each group of \`memberOf\` must exist): ${(error as Error).message}`);
    }
  },

  async grantSpec(master, _session, username, spec) {
    checkCreateUserSpec(spec);
    await addMemberships(master, username, { groups: spec.memberOf ?? [], roles: [] });
  },
};

async function setPassword(client: PostgresClient, username: string, password: string): Promise<void> {
  await client.query(`ALTER USER ${client.escapeIdentifier(username)} PASSWORD ${client.escapeLiteral(password)}`, undefined, { sensitive: [password] });
}

/** Adds the memberships of `wanted` that the user lacks. */
async function addMemberships(master: PostgresClient, username: string, wanted: Memberships): Promise<void> {
  const statements = membershipStatements(master, username, wanted, await membershipsOf(master, username));
  for (const statement of statements) await master.query(statement);
}

/** Creates a user that logs in with `password`, with `memberships`, in one transaction. False when another invocation created it first. */
async function createUserWith(master: PostgresClient, username: string, password: string, memberships: Memberships): Promise<boolean> {
  return createAtomically(master, async () => {
    await master.query(`CREATE USER ${master.escapeIdentifier(username)} PASSWORD ${master.escapeLiteral(password)}`, undefined, { sensitive: [password] });
    for (const statement of membershipStatements(master, username, memberships, NO_MEMBERSHIPS)) await master.query(statement);
  });
}
