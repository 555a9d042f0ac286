import { DatabaseQueryError } from '../client';
import type { PostgresClient } from '../pg-client';

/**
 * Amazon Redshift's user groups and roles. Redshift has no role inheritance between users (no `GRANT <user> TO
 * <user>`): a user holds privileges directly, through the groups it is in (`ALTER GROUP ... ADD USER`), and, since
 * role-based access control, through roles granted to it (`GRANT ROLE ... TO`). The alternate user gets the groups and
 * roles of the current one.
 */

/** A role granted to a user, and whether the user may grant it on. */
export interface RoleGrant {
  readonly role: string;
  readonly adminOption: boolean;
}

/** What a user is a member of. */
export interface Memberships {
  readonly groups: readonly string[];
  readonly roles: readonly RoleGrant[];
}

/** PostgreSQL's undefined_table: a cluster without role-based access control has no SVV_USER_GRANTS. */
const UNDEFINED_TABLE = '42P01';

/** The groups and roles of `username`, as the administrator sees them. */
export async function membershipsOf(master: PostgresClient, username: string): Promise<Memberships> {
  return { groups: await groupsOf(master, username), roles: await rolesOf(master, username) };
}

/** Groups whose member list (`pg_group.grolist`, user ids) holds the user. */
async function groupsOf(master: PostgresClient, username: string): Promise<string[]> {
  const rows = await master.query(
    'SELECT g.groname FROM pg_group g, pg_user u WHERE u.usename = $1 AND u.usesysid = ANY(g.grolist) ORDER BY g.groname',
    [username],
  );
  return rows.map((row) => String(row.groname));
}

/**
 * Roles granted to the user explicitly (SVV_USER_GRANTS, which a superuser sees whole). None on a cluster that
 * predates roles.
 */
async function rolesOf(master: PostgresClient, username: string): Promise<RoleGrant[]> {
  try {
    const rows = await master.query('SELECT role_name, admin_option FROM svv_user_grants WHERE user_name = $1 ORDER BY role_name', [username]);
    return rows.map((row) => ({ role: String(row.role_name), adminOption: row.admin_option === true || row.admin_option === 't' }));
  } catch (error) {
    if (error instanceof DatabaseQueryError && error.code === UNDEFINED_TABLE) return [];
    throw error;
  }
}

/**
 * The statements that give `username` the memberships in `wanted` that `held` lacks: a group the user is in is not
 * added again, a role it holds without the admin option is granted again with it.
 */
export function membershipStatements(master: PostgresClient, username: string, wanted: Memberships, held: Memberships): string[] {
  const user = master.escapeIdentifier(username);
  const groups = wanted.groups
    .filter((group) => !held.groups.includes(group))
    .map((group) => `ALTER GROUP ${master.escapeIdentifier(group)} ADD USER ${user}`);
  const roles = wanted.roles
    .filter((grant) => !held.roles.some((h) => h.role === grant.role && (h.adminOption || !grant.adminOption)))
    .map((grant) => `GRANT ROLE ${master.escapeIdentifier(grant.role)} TO ${user}${grant.adminOption ? ' WITH ADMIN OPTION' : ''}`);
  return [...groups, ...roles];
}
