/**
 * What `SHOW CREATE USER` (MySQL 5.7+, MariaDB 10.2+) says about an account besides its name and password, so the
 * clone of the alternating-users strategy is never weaker than the original. MySQL 5.7 and 8 no longer print the TLS
 * requirement (REQUIRE SSL, X509, ISSUER, SUBJECT, CIPHER) or resource limits in SHOW GRANTS, and MySQL 8 prints its
 * default roles only here; MariaDB prints password policies only here.
 */
export interface AccountOptions {
  /** MySQL 8's default roles as the server printed them (`r`@`%`, ...); MariaDB lists them in SHOW GRANTS. */
  readonly defaultRoles?: string;
  /**
   * The clauses ALTER USER takes after IDENTIFIED BY, as the server printed them, in its order: REQUIRE, WITH
   * (resource limits), PASSWORD policies, FAILED_LOGIN_ATTEMPTS, PASSWORD_LOCK_TIME, COMMENT, ATTRIBUTE. Left out:
   * IDENTIFIED (it holds the password hash) and two states that are not policies: ACCOUNT LOCK or UNLOCK, and a
   * password already expired (a bare PASSWORD EXPIRE), which would lock the clone out.
   */
  readonly clauses: string;
}

/** A token of the statement: its place in the text, and its upper-cased text when it is a bare word. */
interface Token {
  readonly start: number;
  readonly end: number;
  readonly word?: string;
}

/** Clauses copied as printed. */
const COPIED = new Set(['REQUIRE', 'WITH', 'FAILED_LOGIN_ATTEMPTS', 'PASSWORD_LOCK_TIME', 'COMMENT', 'ATTRIBUTE']);
/** The keywords of an IDENTIFIED clause, MySQL 8's second factors included. */
const IDENTIFICATION_KEYWORDS = new Set(['BY', 'PASSWORD', 'WITH', 'AS', 'VIA', 'USING', 'OR', 'AND', 'IDENTIFIED']);
/** The keywords after which an IDENTIFIED clause has a name or value that may be a bare word (a plugin, a hex hash). */
const BEFORE_NAME_OR_VALUE = new Set(['WITH', 'VIA', 'OR', 'AS', 'USING', 'BY']);

/**
 * Reads one `SHOW CREATE USER` line. A clause it does not know is an error, as in SHOW GRANTS: copying must not
 * silently copy less than the current user has. Errors quote bare keywords only, never a quoted text (the password
 * hash is one).
 */
export function accountOptionsOf(statement: string): AccountOptions {
  const tokens = tokenize(statement);
  const wordAt = (index: number) => tokens[index]?.word;
  if (wordAt(0) !== 'CREATE' || wordAt(1) !== 'USER') throw new Error('SHOW CREATE USER printed something other than a CREATE USER statement');
  // The account: `user`@`host` (MySQL 8, MariaDB) or 'user'@'host' (MySQL 5.7).
  let index = statement.slice(tokens[3]?.start ?? 0, tokens[3]?.end ?? 0) === '@' ? 5 : 3;

  const isClauseStart = (at: number): boolean => {
    switch (wordAt(at)) {
      case 'IDENTIFIED': return wordAt(at - 1) !== 'AND'; // MySQL 8's second factor belongs to the first IDENTIFIED
      case 'WITH': return wordAt(at - 1) !== 'IDENTIFIED'; // IDENTIFIED WITH <plugin>
      case 'REQUIRE': return wordAt(at - 1) !== 'PASSWORD'; // PASSWORD REQUIRE CURRENT
      case 'PASSWORD': return ['EXPIRE', 'HISTORY', 'REUSE', 'REQUIRE'].includes(wordAt(at + 1) ?? ''); // not IDENTIFIED BY PASSWORD '<hash>'
      case 'DEFAULT': return wordAt(at + 1) === 'ROLE'; // not PASSWORD EXPIRE DEFAULT
      case 'ACCOUNT':
      case 'FAILED_LOGIN_ATTEMPTS':
      case 'PASSWORD_LOCK_TIME':
      case 'COMMENT':
      case 'ATTRIBUTE':
        return true;
      default:
        return false;
    }
  };
  const clauseEnd = (from: number): number => {
    let at = from;
    while (at < tokens.length && !isClauseStart(at)) at += 1;
    return at;
  };
  // Ends at the first word that is not part of an identification, so a clause it does not know is not skipped with it.
  const identificationEnd = (from: number): number => {
    let at = from;
    for (; at < tokens.length && !isClauseStart(at); at += 1) {
      const word = wordAt(at);
      if (word !== undefined && !IDENTIFICATION_KEYWORDS.has(word) && !BEFORE_NAME_OR_VALUE.has(wordAt(at - 1) ?? '')) break;
    }
    return at;
  };
  const text = (from: number, to: number) => statement.slice(tokens[from].start, tokens[to - 1].end);

  const clauses: string[] = [];
  let defaultRoles: string | undefined;
  while (index < tokens.length) {
    const keyword = wordAt(index);
    if (keyword === undefined || !isClauseStart(index)) {
      throw new Error(`SHOW CREATE USER printed a clause this strategy does not know (${keyword ?? 'a quoted text'} ...)`);
    }
    let end: number;
    if (keyword === 'IDENTIFIED') end = identificationEnd(index + 1);
    else if (keyword === 'ACCOUNT') end = index + 2; // LOCK or UNLOCK
    else end = clauseEnd(index + 1);
    const expiredNow = keyword === 'PASSWORD' && wordAt(index + 1) === 'EXPIRE' && end === index + 2;
    if (keyword === 'DEFAULT') {
      if (end <= index + 2) throw new Error('SHOW CREATE USER printed DEFAULT ROLE without a role');
      defaultRoles = text(index + 2, end);
    } else if (COPIED.has(keyword) || (keyword === 'PASSWORD' && !expiredNow)) {
      clauses.push(text(index, end));
    }
    index = end;
  }
  return { clauses: clauses.join(' '), ...(defaultRoles === undefined ? {} : { defaultRoles }) };
}

/** Splits the statement into quoted texts ('...', "...", `...`), the symbols @ , ( ) and bare words. */
function tokenize(statement: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < statement.length) {
    const char = statement[at];
    if (/\s/.test(char)) {
      at += 1;
    } else if (char === "'" || char === '"' || char === '`') {
      const end = endOfQuoted(statement, at);
      tokens.push({ start: at, end });
      at = end;
    } else if ('@,()'.includes(char)) {
      tokens.push({ start: at, end: at + 1 });
      at += 1;
    } else {
      let end = at;
      while (end < statement.length && !/[\s'"`@,()]/.test(statement[end])) end += 1;
      tokens.push({ start: at, end, word: statement.slice(at, end).toUpperCase() });
      at = end;
    }
  }
  return tokens;
}

/** The end of the quoted text starting at `start`: quotes are doubled, and in strings a backslash escapes. */
function endOfQuoted(statement: string, start: number): number {
  const quote = statement[start];
  let at = start + 1;
  while (at < statement.length) {
    if (quote !== '`' && statement[at] === '\\') {
      at += 2;
    } else if (statement[at] === quote) {
      if (statement[at + 1] !== quote) return at + 1;
      at += 2;
    } else {
      at += 1;
    }
  }
  throw new Error('SHOW CREATE USER printed a quoted text without its closing quote');
}
