/**
 * The account statements of MySQL 8.0 and 5.7, as their reference manuals document them (MySQL 8.0 Reference
 * Manual 15.7.1 "Account Management Statements": ALTER USER, CREATE USER, GRANT, REVOKE, SET PASSWORD; MySQL 5.7
 * Reference Manual 13.7.1), written here from the manuals' syntax blocks and independent of the rotation code: no
 * MySQL 8 or 5.7 server runs in the tests, so this table is the judge of the statements the MySQL branch sends.
 *
 * A statement (as the driver sends it, placeholders filled in) is split into tokens, accounts and string
 * literals are abstracted, and the result must match one documented form of the version. The password a
 * statement sets (`IDENTIFIED BY 'auth_string'`, `SET PASSWORD ... = 'auth_string'`) is returned unescaped, so a
 * test can check it is the password meant, not a hash (`IDENTIFIED BY PASSWORD 'hash'`, a 5.7 form that takes a
 * hash) or another value.
 */

export type MySqlVersion = '8.0' | '5.7';

export interface DocumentedStatement {
  /** The manual's statement the text matches. */
  readonly form: string;
  /** The cleartext password the statement sets, if it sets one. */
  readonly password?: string;
}

type Token = { readonly kind: 'string' | 'identifier' | 'word' | 'number' | 'symbol'; readonly text: string; readonly value: string };

/** MySQL's lexical rules for what these statements contain: quoted strings ('' and backslash escapes), backtick names. */
function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  const escapes: Record<string, string> = { 0: '\0', b: '\b', n: '\n', r: '\r', t: '\t', Z: '\x1a' };
  let at = 0;
  while (at < sql.length) {
    const char = sql[at];
    if (/\s/.test(char)) {
      at++;
    } else if (char === "'" || char === '"' || char === '`') {
      let value = '';
      let end = at + 1;
      for (; end < sql.length; end++) {
        if (sql[end] === char && sql[end + 1] === char) {
          value += char;
          end++;
        } else if (sql[end] === char) {
          break;
        } else if (sql[end] === '\\' && char !== '`') {
          end++;
          value += escapes[sql[end]] ?? sql[end];
        } else {
          value += sql[end];
        }
      }
      if (end >= sql.length) throw new Error(`unterminated ${char} literal`);
      tokens.push({ kind: char === '`' ? 'identifier' : 'string', text: sql.slice(at, end + 1), value });
      at = end + 1;
    } else if (/[A-Za-z_$]/.test(char)) {
      const word = /^[A-Za-z0-9_$]+/.exec(sql.slice(at))![0];
      tokens.push({ kind: 'word', text: word, value: word });
      at += word.length;
    } else if (/[0-9]/.test(char)) {
      const number = /^[0-9]+/.exec(sql.slice(at))![0];
      tokens.push({ kind: 'number', text: number, value: number });
      at += number.length;
    } else {
      tokens.push({ kind: 'symbol', text: char, value: char });
      at++;
    }
  }
  return tokens;
}

/**
 * The statement in the grammar's terms: `user` for an account (`'name'@'host'`, quoted either way), `'s'` for a
 * string literal, `name` for a quoted identifier, `N` for a number, keywords upper-cased. Returns the string
 * literals in order too.
 */
function abstract(tokens: readonly Token[]): { shape: string; strings: string[] } {
  const words: string[] = [];
  const strings: string[] = [];
  const quoted = (token: Token | undefined) => token !== undefined && (token.kind === 'string' || token.kind === 'identifier');
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (quoted(token) && tokens[i + 1]?.text === '@' && quoted(tokens[i + 2])) {
      words.push('user');
      i += 2;
    } else if (token.kind === 'string') {
      words.push("'s'");
      strings.push(token.value);
    } else if (token.kind === 'identifier') {
      words.push('name');
    } else if (token.kind === 'number') {
      words.push('N');
    } else {
      words.push(token.kind === 'word' ? token.text.toUpperCase() : token.text);
    }
  }
  return { shape: words.join(' ').replace(/ \. /g, '.').replace(/ ,/g, ','), strings };
}

// The manuals' syntax blocks, over the abstracted statement.
const LIST = (item: string) => `${item}(?:, ${item})*`;
const PRIV_LEVEL = '(?:\\*|\\*\\.\\*|name\\.\\*|name\\.name|name)';
const PRIV_TYPE = '(?:[A-Z_]+(?: [A-Z_]+)*)';
const TLS_OPTION = "(?:SSL|X509|CIPHER 's'|ISSUER 's'|SUBJECT 's')";
const REQUIRE = `REQUIRE (?:NONE|${TLS_OPTION}(?: (?:AND )?${TLS_OPTION})*)`;
const RESOURCE = 'WITH (?:(?:MAX_QUERIES_PER_HOUR|MAX_UPDATES_PER_HOUR|MAX_CONNECTIONS_PER_HOUR|MAX_USER_CONNECTIONS) N ?)+';
const PASSWORD_EXPIRE = 'PASSWORD EXPIRE(?: DEFAULT| NEVER| INTERVAL N DAY)?';
const LOCK = 'ACCOUNT (?:LOCK|UNLOCK)';

const OPTIONS: Record<MySqlVersion, string> = {
  '8.0': `(?: (?:${REQUIRE}|${RESOURCE}|${PASSWORD_EXPIRE}|PASSWORD HISTORY (?:DEFAULT|N)|PASSWORD REUSE INTERVAL (?:DEFAULT|N DAY)`
    + '|PASSWORD REQUIRE CURRENT(?: DEFAULT| OPTIONAL)?|FAILED_LOGIN_ATTEMPTS N|PASSWORD_LOCK_TIME (?:N|UNBOUNDED)'
    + `|${LOCK}|COMMENT 's'|ATTRIBUTE 's'))*`,
  '5.7': `(?: (?:${REQUIRE}|${RESOURCE}|${PASSWORD_EXPIRE}|${LOCK}))*`,
};

/** A role: `'name'@'host'`, or a name without host. */
const ROLE = "(?:user|'s'|name)";

interface Form {
  readonly name: string;
  readonly pattern: RegExp;
  /** Which string literal of the statement holds the cleartext password, if it sets one. */
  readonly passwordAt?: number;
}

function forms(version: MySqlVersion): Form[] {
  const options = OPTIONS[version];
  const common: Form[] = [
    { name: 'CREATE USER ... IDENTIFIED BY \'auth_string\'', pattern: new RegExp(`^CREATE USER (?:IF NOT EXISTS )?user IDENTIFIED BY 's'${options}$`), passwordAt: 0 },
    {
      name: 'ALTER USER ... IDENTIFIED BY \'auth_string\'',
      pattern: version === '8.0'
        ? new RegExp(`^ALTER USER (?:IF EXISTS )?user IDENTIFIED BY 's'(?: REPLACE 's')?(?: RETAIN CURRENT PASSWORD)?${options}$`)
        : new RegExp(`^ALTER USER (?:IF EXISTS )?user IDENTIFIED BY 's'${options}$`),
      passwordAt: 0,
    },
    { name: 'ALTER USER ... (options)', pattern: new RegExp(`^ALTER USER (?:IF EXISTS )?user${options}$`) },
    { name: 'GRANT priv_type ON priv_level TO user', pattern: new RegExp(`^GRANT ${LIST(PRIV_TYPE)} ON (?:TABLE |FUNCTION |PROCEDURE )?${PRIV_LEVEL} TO ${LIST('user')}(?: WITH GRANT OPTION)?$`) },
    { name: 'REVOKE priv_type ON priv_level FROM user', pattern: new RegExp(`^REVOKE ${LIST(PRIV_TYPE)} ON (?:TABLE |FUNCTION |PROCEDURE )?${PRIV_LEVEL} FROM ${LIST('user')}$`) },
    { name: 'SHOW GRANTS FOR user', pattern: /^SHOW GRANTS FOR user$/ },
    { name: 'SHOW CREATE USER user', pattern: /^SHOW CREATE USER user$/ },
    { name: 'SELECT', pattern: /^SELECT / },
  ];
  if (version === '8.0') {
    return [
      ...common,
      { name: 'GRANT role TO user', pattern: new RegExp(`^GRANT ${LIST(ROLE)} TO ${LIST('user')}(?: WITH ADMIN OPTION)?$`) },
      { name: 'ALTER USER ... DEFAULT ROLE', pattern: new RegExp(`^ALTER USER (?:IF EXISTS )?user DEFAULT ROLE (?:NONE|ALL|${LIST(ROLE)})$`) },
      { name: 'SET PASSWORD FOR user = \'auth_string\'', pattern: /^SET PASSWORD FOR user = 's'(?: REPLACE 's')?(?: RETAIN CURRENT PASSWORD)?$/, passwordAt: 0 },
    ];
  }
  return [
    ...common,
    // 5.7 also takes a hash where 8.0 does not: these set no cleartext password.
    { name: 'CREATE USER ... IDENTIFIED BY PASSWORD \'hash_string\'', pattern: new RegExp(`^CREATE USER (?:IF NOT EXISTS )?user IDENTIFIED BY PASSWORD 's'${options}$`) },
    { name: 'CREATE USER ... IDENTIFIED WITH plugin AS \'hash_string\'', pattern: new RegExp(`^CREATE USER (?:IF NOT EXISTS )?user IDENTIFIED WITH (?:[A-Z_]+|'s') AS 's'${options}$`) },
    { name: 'SET PASSWORD FOR user = \'auth_string\'', pattern: /^SET PASSWORD FOR user = 's'$/, passwordAt: 0 },
    { name: 'SET PASSWORD FOR user = PASSWORD(\'auth_string\') (deprecated)', pattern: /^SET PASSWORD FOR user = PASSWORD \( 's' \)$/, passwordAt: 0 },
  ];
}

/** The documented form `sql` is, and the password it sets; throws when MySQL `version` documents no such statement. */
export function documentedStatement(version: MySqlVersion, sql: string): DocumentedStatement {
  const { shape, strings } = abstract(tokenize(sql));
  const form = forms(version).find((candidate) => candidate.pattern.test(shape));
  if (form === undefined) throw new Error(`MySQL ${version} documents no statement of the form: ${shape}`);
  return { form: form.name, ...(form.passwordAt === undefined ? {} : { password: strings[form.passwordAt] }) };
}
