/**
 * The statements the Redshift strategies may send, as the Amazon Redshift Database Developer Guide's SQL reference
 * documents them, written here from its syntax blocks and independent of the rotation code: no Redshift runs in the
 * tests, so this table is the judge of the statements PostgreSQL cannot run or would run differently.
 *
 * - ALTER USER:  `ALTER USER username [ WITH ] option [, ... ]`, option `PASSWORD { 'password' | 'md5hash' | DISABLE }`
 * - CREATE USER: `CREATE USER name [ WITH ] PASSWORD { 'password' | 'md5hash' | 'sha256hash' | DISABLE } [ option ... ]`
 * - ALTER GROUP: `ALTER GROUP group_name { ADD USER username [, ... ] | DROP USER ... | RENAME TO new_name }`
 * - GRANT (roles): `GRANT { ROLE role_name } [, ...] TO { { user_name [ WITH ADMIN OPTION ] } | ROLE role_name } [, ...]`
 * - BEGIN, COMMIT, ROLLBACK
 * - catalog reads: PG_USER (usename, usesysid), PG_GROUP (groname, grosysid, grolist),
 *   SVV_USER_GRANTS (user_id, user_name, role_id, role_name, admin_option)
 *
 * Names and identifiers: a delimited identifier is in double quotes, a double quote in it doubled. A clear-text
 * password (CREATE USER): 8 to 64 characters, an uppercase letter, a lowercase letter and a digit, ASCII 33 to 126
 * except ' " \ / @. A value `md5` followed by the hash, or `sha256|...`, is taken as a hash, not as the password.
 */

export interface DocumentedStatement {
  /** The reference's statement the text matches. */
  readonly form: string;
  /** The names the statement uses, unquoted, in order. */
  readonly names: readonly string[];
  /** The clear-text password it sets, if it sets one. */
  readonly password?: string;
}

type Token = { readonly kind: 'string' | 'identifier' | 'word' | 'symbol'; readonly value: string };

function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < sql.length) {
    const char = sql[at];
    if (/\s/.test(char)) {
      at++;
    } else if (char === "'" || char === '"') {
      let value = '';
      let end = at + 1;
      for (; end < sql.length; end++) {
        if (sql[end] === char && sql[end + 1] === char) {
          value += char;
          end++;
        } else if (sql[end] === char) {
          break;
        } else {
          value += sql[end];
        }
      }
      if (end >= sql.length) throw new Error(`unterminated ${char} literal`);
      tokens.push({ kind: char === '"' ? 'identifier' : 'string', value });
      at = end + 1;
    } else if (/[A-Za-z_]/.test(char)) {
      const word = /^[A-Za-z0-9_$]+/.exec(sql.slice(at))![0];
      tokens.push({ kind: 'word', value: word.toUpperCase() });
      at += word.length;
    } else {
      tokens.push({ kind: 'symbol', value: char });
      at++;
    }
  }
  return tokens;
}

/** Forms: words must match (case-insensitively), `name` a delimited identifier, `'password'` a string. */
const FORMS: ReadonlyArray<{ readonly form: string; readonly pattern: readonly string[] }> = [
  { form: 'ALTER USER username PASSWORD \'password\'', pattern: ['ALTER', 'USER', 'name', 'PASSWORD', 'password'] },
  { form: 'ALTER USER username WITH PASSWORD \'password\'', pattern: ['ALTER', 'USER', 'name', 'WITH', 'PASSWORD', 'password'] },
  { form: 'CREATE USER name PASSWORD \'password\'', pattern: ['CREATE', 'USER', 'name', 'PASSWORD', 'password'] },
  { form: 'CREATE USER name WITH PASSWORD \'password\'', pattern: ['CREATE', 'USER', 'name', 'WITH', 'PASSWORD', 'password'] },
  { form: 'ALTER GROUP group_name ADD USER username', pattern: ['ALTER', 'GROUP', 'name', 'ADD', 'USER', 'name'] },
  { form: 'GRANT ROLE role_name TO user_name', pattern: ['GRANT', 'ROLE', 'name', 'TO', 'name'] },
  { form: 'GRANT ROLE role_name TO user_name WITH ADMIN OPTION', pattern: ['GRANT', 'ROLE', 'name', 'TO', 'name', 'WITH', 'ADMIN', 'OPTION'] },
  { form: 'BEGIN', pattern: ['BEGIN'] },
  { form: 'COMMIT', pattern: ['COMMIT'] },
  { form: 'ROLLBACK', pattern: ['ROLLBACK'] },
];

/** The documented form `sql` matches; throws naming the statement's shape when it matches none. */
export function documentedStatement(sql: string): DocumentedStatement {
  const tokens = tokenize(sql);
  for (const { form, pattern } of FORMS) {
    if (tokens.length !== pattern.length) continue;
    const names: string[] = [];
    let password: string | undefined;
    const matches = pattern.every((expected, i) => {
      const token = tokens[i];
      if (expected === 'name') {
        if (token.kind !== 'identifier' || token.value.length === 0) return false;
        names.push(token.value);
        return true;
      }
      if (expected === 'password') {
        if (token.kind !== 'string') return false;
        password = token.value;
        return true;
      }
      return token.kind === 'word' && token.value === expected;
    });
    if (matches) return { form, names, ...(password === undefined ? {} : { password }) };
  }
  throw new Error(`not a documented Amazon Redshift statement: ${tokens.map((t) => (t.kind === 'word' || t.kind === 'symbol' ? t.value : t.kind)).join(' ')}`);
}

/** Why Redshift would not take `password` as a clear-text password (or would read it as a hash), or undefined. */
export function clearTextPasswordProblem(password: string): string | undefined {
  if (password.length < 8 || password.length > 64) return 'length';
  if (!/[A-Z]/.test(password) || !/[a-z]/.test(password) || !/[0-9]/.test(password)) return 'character classes';
  if (![...password].every((c) => c >= '!' && c <= '~' && !'\'"\\/@'.includes(c))) return 'characters';
  if (/^md5/.test(password) || /^sha256\|/.test(password)) return 'hash';
  return undefined;
}

/** The documented columns of the catalog tables and views the strategies read. */
export const CATALOG_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  pg_user: ['usename', 'usesysid'],
  pg_group: ['groname', 'grosysid', 'grolist'],
  svv_user_grants: ['user_id', 'user_name', 'role_id', 'role_name', 'admin_option'],
};

/**
 * Checks a catalog query: it reads only the tables above, and each `alias.column` or bare column it names is one
 * of theirs. Returns the tables read.
 */
export function documentedCatalogRead(sql: string): string[] {
  const from = /\bFROM\s+(.+?)(\s+WHERE\b|\s+ORDER\b|$)/is.exec(sql);
  if (!/^SELECT\b/i.test(sql) || !from) throw new Error('not a catalog read');
  const aliases = new Map<string, string>();
  const tables = from[1].split(',').map((part) => {
    const [table, alias] = part.trim().split(/\s+/);
    if (!(table in CATALOG_COLUMNS)) throw new Error(`reads ${table}, which is not among the documented catalog tables`);
    aliases.set(alias ?? table, table);
    return table;
  });
  const columns = new Set(tables.flatMap((table) => CATALOG_COLUMNS[table]));
  for (const [, alias, column] of sql.matchAll(/\b([a-z_]+)\.([a-z_]+)\b/g)) {
    const table = aliases.get(alias);
    if (table === undefined || !CATALOG_COLUMNS[table].includes(column)) throw new Error(`names ${alias}.${column}, not a documented column`);
  }
  const bare = sql.replace(/\b[a-z_]+\.[a-z_]+\b/g, '').replace(/\$\d+|'[^']*'/g, '');
  const words = bare.match(/\b[a-z_]+\b/g) ?? [];
  for (const word of words) {
    if (!columns.has(word) && !(word in CATALOG_COLUMNS) && !aliases.has(word)) throw new Error(`names ${word}, not a documented column`);
  }
  return tables;
}
