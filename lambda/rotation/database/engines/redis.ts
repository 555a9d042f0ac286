import type { DatabaseEngine } from './engine';
import { REDIS_FAMILY, REDIS_USERNAME_LIMIT } from '../../../../src/private/contract';
import { connectRedis, RedisClient, replyOf } from '../redis-client';
import type { RespValue } from '../resp';

/**
 * Redis and Valkey ACL users. A password is set with one `ACL SETUSER`, which Redis applies whole or not at all:
 * `resetpass` (every password the user had, and `nopass`, gone) then `>password`, so afterwards the user has exactly
 * the new password. `<old` would remove only the one password the secret knew, and Redis refuses it when that password
 * is already gone (a second invocation of the step).
 *
 * Single user: the user sets its own password, so it must be allowed `ACL SETUSER`, which in Redis may change any user:
 * an administrator. Alternating users: the master makes the alternate user a copy of the current one (its key,
 * channel and command rules and selectors, `ACL GETUSER`) with the new password, on every rotation.
 */
export const REDIS_ENGINE: DatabaseEngine<RedisClient> = {
  family: REDIS_FAMILY,
  connect: connectRedis,
  // The login is `AUTH`; then HELLO (no arguments: it changes nothing), which every ACL user may run, where PING needs +ping.
  probeSql: 'HELLO',
  usernameLimit: () => REDIS_USERNAME_LIMIT,

  async setOwnPassword(client, username, password) {
    await client.query('ACL', ['SETUSER', username, 'resetpass', `>${password}`], { sensitive: [password] });
  },

  async setAlternateUserPassword({ master, currentUsername, alternateUsername, password }) {
    const current = replyOf(await master.query('ACL', ['GETUSER', currentUsername]));
    if (current === null) throw new Error(`ACL GETUSER found no user "${currentUsername}", though its secret logged in`);
    const existed = replyOf(await master.query('ACL', ['GETUSER', alternateUsername])) !== null;
    // `reset` first: the alternate user ends up with the current user's rules and nothing else.
    await master.query('ACL', ['SETUSER', alternateUsername, 'reset', ...copiedRules(current), `>${password}`], { sensitive: [password] });
    return existed ? 'updated' : 'created';
  },
};

/**
 * The rules of a user, from Redis 7's (and Valkey's) `ACL GETUSER` answer, as `ACL SETUSER` arguments: `on`, the
 * payload-sanitizing flag, key patterns, channels (after `resetchannels`, so the server's `acl-pubsub-default` adds
 * nothing) and command rules, then each selector in parentheses. Passwords are not copied.
 */
export function copiedRules(getUser: RespValue): string[] {
  const fields = fieldsOf(getUser, 'ACL GETUSER');
  const flags = fields.flags;
  if (!Array.isArray(flags)) throw new Error('ACL GETUSER answered no `flags` list');
  const sanitizing = flags.filter((flag): flag is string => flag === 'sanitize-payload' || flag === 'skip-sanitize-payload');
  const selectors = fields.selectors ?? [];
  if (!Array.isArray(selectors)) throw new Error('ACL GETUSER answered a `selectors` field that is not a list');
  return [
    'on',
    ...sanitizing,
    ...selectorRules(fields, 'ACL GETUSER'),
    ...selectors.map((selector, index) => `(${selectorRules(fieldsOf(selector, `selector ${index + 1}`), `selector ${index + 1}`).join(' ')})`),
  ];
}

/** A selector's (or the root's) rules: keys, channels, commands. */
function selectorRules(fields: Record<string, RespValue>, where: string): string[] {
  return [
    ...words(fields.keys, 'keys', where),
    'resetchannels',
    ...words(fields.channels, 'channels', where),
    ...words(fields.commands, 'commands', where),
  ];
}

/** A flat `[name, value, name, value, ...]` reply as a record. */
function fieldsOf(reply: RespValue, where: string): Record<string, RespValue> {
  if (!Array.isArray(reply) || reply.length % 2 !== 0) throw new Error(`${where} did not answer a list of names and values`);
  const fields: Record<string, RespValue> = {};
  for (let i = 0; i < reply.length; i += 2) fields[String(reply[i])] = reply[i + 1];
  return fields;
}

/**
 * Redis 7 answers keys, channels and commands as one string of space-separated rules (Redis 6 answered lists, which
 * this strategy does not read). A pattern containing a space comes back split, and `ACL SETUSER` then refuses the
 * pieces: the copy fails, it never weakens.
 */
function words(value: RespValue | undefined, field: string, where: string): string[] {
  if (typeof value !== 'string') throw new Error(`${where}: \`${field}\` is not a string of rules (Redis 7 or Valkey is needed)`);
  return value.split(' ').filter((word) => word !== '');
}
