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

/**
 * Rewrites one line of `SHOW GRANTS FOR current` so that it grants the same to `target`, or returns
 * undefined for a line that is not a GRANT or SET DEFAULT ROLE statement.
 *
 * The grantee is the last ` TO <current>` (or ` FOR <current>` in MariaDB's `SET DEFAULT ROLE` lines); servers
 * write it as `user`@`host` (MySQL 8, MariaDB) or 'user'@'host' (MySQL 5.7). What follows it is kept
 * (`WITH GRANT OPTION`, `REQUIRE SSL`, resource limits) except an `IDENTIFIED ...` clause: MariaDB prints the
 * current user's password hash there, and replaying it would give the new user the current user's password.
 * `quote` is the driver's string escaping, used for the new grantee.
 */
export function grantFor(line: string, current: MySqlAccount, target: MySqlAccount, quote: (value: string) => string): CopiedGrant | undefined {
  if (!/^(GRANT|SET DEFAULT ROLE) /i.test(line)) return undefined;
  const keyword = /^SET DEFAULT ROLE /i.test(line) ? ' FOR ' : ' TO ';
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
    throw new Error(`a line of SHOW GRANTS does not name the current user as its grantee in a form this strategy knows (${line.slice(0, line.indexOf(' '))} ...)`);
  }
  const head = line.slice(0, position);
  const tail = line.slice(position + grantee.length).replace(/^ IDENTIFIED (?:BY PASSWORD '[^']*'|(?:VIA|WITH) .*?)(?= REQUIRE | WITH |$)/i, '');
  return { statement: `${head}${keyword}${quote(target.user)}@${quote(target.host)}${tail}`, summary: head };
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
