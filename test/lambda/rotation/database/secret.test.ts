import { parseAlternatingUsersSecret, parseDatabaseSecret, parseMasterSecret } from '../../../../lambda/rotation/database/secret';
import { MYSQL_FAMILY, POSTGRES_FAMILY } from '../../../../src/private/contract';

const SECRET_VALUE = 'Sup3r-Secret-Value';
const where = 'the AWSCURRENT secret';
const base = { engine: 'postgres', host: 'db.example.com', username: 'app', password: SECRET_VALUE };

function parse(fields: Record<string, unknown>) {
  return parseDatabaseSecret(JSON.stringify(fields), POSTGRES_FAMILY, where);
}

/** Runs `fn`, expects it to throw, and returns the message after checking it quotes no secret value. */
function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    const message = (error as Error).message;
    expect(message).not.toContain(SECRET_VALUE);
    return message;
  }
  throw new Error('expected an error');
}

describe('parseDatabaseSecret', () => {
  test('applies the PostgreSQL defaults and keeps unknown fields', () => {
    const secret = parse({ ...base, extra: 1 });
    expect(secret).toMatchObject({ engine: 'postgres', host: 'db.example.com', port: 5432, dbname: 'postgres', tls: 'verify-full' });
    expect(secret.fields).toEqual({ ...base, extra: 1 });
  });

  test('MySQL has port 3306 and no default database', () => {
    const secret = parseDatabaseSecret(JSON.stringify({ ...base, engine: 'mariadb' }), MYSQL_FAMILY, where);
    expect(secret.port).toBe(3306);
    expect(secret.dbname).toBeUndefined();
  });

  test.each(['postgres', 'aurora-postgresql'])('PostgreSQL accepts engine %s', (engine) => {
    expect(parse({ ...base, engine }).engine).toBe(engine);
  });

  test.each(['mysql', 'mariadb', 'aurora-mysql', 'aurora'])('MySQL accepts engine %s', (engine) => {
    expect(parseDatabaseSecret(JSON.stringify({ ...base, engine }), MYSQL_FAMILY, where).engine).toBe(engine);
  });

  test('an engine of the other family is refused, naming `engine`', () => {
    expect(messageOf(() => parse({ ...base, engine: 'mysql' }))).toMatch(/the AWSCURRENT secret: `engine` must be one of postgres, aurora-postgresql/);
    expect(messageOf(() => parseDatabaseSecret(JSON.stringify(base), MYSQL_FAMILY, where))).toMatch(/`engine` must be one of mysql, mariadb, aurora-mysql, aurora/);
  });

  test('a port given as a numeric string is accepted', () => {
    expect(parse({ ...base, port: '6432' }).port).toBe(6432);
  });

  test.each([
    ['not JSON', `{"password":"${SECRET_VALUE}"`, /the AWSCURRENT secret is not valid JSON/],
    ['a JSON array', `["${SECRET_VALUE}"]`, /is not a JSON object/],
    ['a JSON string', `"${SECRET_VALUE}"`, /is not a JSON object/],
  ])('%s is refused without quoting it', (_name, value, expected) => {
    expect(messageOf(() => parseDatabaseSecret(value, POSTGRES_FAMILY, where))).toMatch(expected);
  });

  test.each(['engine', 'host', 'username', 'password'])('a missing `%s` is named', (key) => {
    const fields: Record<string, unknown> = { ...base };
    delete fields[key];
    expect(messageOf(() => parse(fields))).toMatch(new RegExp(`\`${key}\` is missing`));
  });

  test.each([
    ['username', 42, /`username` must be a non-empty string, got a number/],
    ['password', '', /`password` must be a non-empty string, got an empty string/],
    ['host', ['a'], /`host` must be a non-empty string, got an array/],
    ['dbname', false, /`dbname` must be a non-empty string, got a boolean/],
    ['port', SECRET_VALUE, /`port` must be a whole number from 1 to 65535, as a number or a numeric string \(got a string\)/],
    ['port', 70000, /`port` must be a whole number/],
    ['port', 54.5, /`port` must be a whole number/],
    ['ssl', 'yes', /`ssl` must be true, false, "true" or "false"/],
    ['ssl', 3, /`ssl` must be true, false, "true" or "false" .*got a number/],
  ])('a wrong `%s` is named and not quoted', (key, value, expected) => {
    expect(messageOf(() => parse({ ...base, [key]: value }))).toMatch(expected);
  });

  test('the password itself, whatever its type, is never quoted', () => {
    expect(messageOf(() => parse({ ...base, username: SECRET_VALUE.length, password: { nested: SECRET_VALUE } }))).toMatch(/`username`/);
    expect(messageOf(() => parse({ ...base, password: [SECRET_VALUE] }))).toMatch(/`password` must be a non-empty string, got an array/);
  });
});

describe('parseAlternatingUsersSecret', () => {
  test('requires `masterarn`', () => {
    expect(messageOf(() => parseAlternatingUsersSecret(JSON.stringify(base), POSTGRES_FAMILY, where))).toMatch(/`masterarn` is missing/);
    expect(parseAlternatingUsersSecret(JSON.stringify({ ...base, masterarn: 'arn:m' }), POSTGRES_FAMILY, where).masterarn).toBe('arn:m');
  });
});

describe('parseMasterSecret', () => {
  test('an RDS-managed master secret holds only username and password', () => {
    expect(parseMasterSecret(JSON.stringify({ username: 'admin', password: SECRET_VALUE }), POSTGRES_FAMILY, 'the master secret')).toEqual({
      username: 'admin',
      password: SECRET_VALUE,
    });
  });

  test('optional fields are validated when present', () => {
    const parsed = parseMasterSecret(JSON.stringify({ username: 'a', password: 'p', host: 'h', port: 5433, ssl: 'false', engine: 'postgres' }), POSTGRES_FAMILY, 'm');
    expect(parsed).toEqual({ username: 'a', password: 'p', host: 'h', port: 5433, tls: 'disable', engine: 'postgres' });
    expect(messageOf(() => parseMasterSecret(JSON.stringify({ username: 'a', password: SECRET_VALUE, engine: 'mysql' }), POSTGRES_FAMILY, 'the master secret')))
      .toMatch(/the master secret: `engine` must be one of/);
    expect(messageOf(() => parseMasterSecret(JSON.stringify({ username: 'a' }), POSTGRES_FAMILY, 'the master secret'))).toMatch(/`password` is missing/);
  });
});
