/** A MySQL account: user name and host pattern, e.g. `app`@`%`. */
export interface MySqlAccount {
  readonly user: string;
  readonly host: string;
}

/** A statement of SHOW GRANTS rewritten for another grantee. */
export interface CopiedGrant {
  readonly statement: string;
  /** The statement up to its grantee (`GRANT SELECT ON \`db\`.*`), for messages: it holds no password hash. */
  readonly summary: string;
}

/** The statements SHOW GRANTS prints, and the keyword before the grantee in each. */
const GRANTEE_KEYWORDS: ReadonlyArray<[RegExp, string]> = [
  [/^GRANT /i, ' TO '],
  // MySQL 8 with partial_revokes: skipping these would give the new user more than the current one has.
  [/^REVOKE /i, ' FROM '],
  // MariaDB prints the default role among the grants.
  [/^SET DEFAULT ROLE /i, ' FOR '],
];

/**
 * Rewrites one line of `SHOW GRANTS FOR current` so that it applies the same to `target`. A line of any other
 * kind is an error: copying privileges must not silently copy less, or more, than the current user has.
 *
 * The grantee is the last ` TO <current>` (` FROM` for REVOKE, ` FOR` for SET DEFAULT ROLE); servers
 * write it as `user`@`host` (MySQL 8, MariaDB) or 'user'@'host' (MySQL 5.7). What follows it is kept
 * (`WITH GRANT OPTION`, `REQUIRE SSL`, resource limits) except an `IDENTIFIED ...` clause: MariaDB prints the
 * current user's password hash there, and replaying it would give the new user the current user's password.
 * `quote` is the driver's string escaping, used for the new grantee.
 */
export function grantFor(line: string, current: MySqlAccount, target: MySqlAccount, quote: (value: string) => string): CopiedGrant {
  const keyword = GRANTEE_KEYWORDS.find(([pattern]) => pattern.test(line))?.[1];
  if (keyword === undefined) {
    throw new Error(`SHOW GRANTS printed a statement this strategy cannot copy (${firstWord(line)} ...)`);
  }
  let position = -1;
  let grantee = '';
  for (const form of granteeForms(current)) {
    const found = line.lastIndexOf(keyword + form);
    if (found > position) {
      position = found;
      grantee = keyword + form;
    }
  }
  if (position < 0) {
    // The line is not quoted: it may hold a password hash.
    throw new Error(`a line of SHOW GRANTS does not name the current user as its grantee in a form this strategy knows (${firstWord(line)} ...)`);
  }
  const head = line.slice(0, position);
  const tail = line.slice(position + grantee.length).replace(/^ IDENTIFIED (?:BY PASSWORD '[^']*'|(?:VIA|WITH) .*?)(?= REQUIRE | WITH |$)/i, '');
  return { statement: `${head}${keyword}${quote(target.user)}@${quote(target.host)}${tail}`, summary: head };
}

function firstWord(line: string): string {
  return line.split(' ', 1)[0];
}

/** How servers print an account in SHOW GRANTS. */
function granteeForms({ user, host }: MySqlAccount): string[] {
  const backtick = (text: string) => '`' + text.replace(/`/g, '``') + '`';
  const single = (text: string) => "'" + text.replace(/\\/g, '\\\\').replace(/'/g, "\\'") + "'";
  const singleDoubled = (text: string) => "'" + text.replace(/'/g, "''") + "'";
  return [
    `${backtick(user)}@${backtick(host)}`,
    `${single(user)}@${single(host)}`,
    `${singleDoubled(user)}@${singleDoubled(host)}`,
  ];
}

/** Splits CURRENT_USER()'s `user@host`; the host part cannot contain `@`, the user part can. */
export function parseAccount(value: string): MySqlAccount {
  const at = value.lastIndexOf('@');
  if (at < 0) throw new Error('CURRENT_USER() did not return user@host');
  return { user: value.slice(0, at), host: value.slice(at + 1) };
}
