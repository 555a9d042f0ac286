import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as fc from 'fast-check';
import type { ProtectedService } from '../../lambda/rotation/types';
import type { SecretsManagerSimulator } from '../../simulator';
import { DatabaseFixtures, familyOf, startDatabaseFixtures } from './support/database-fixtures';
import { databaseStrategy, DatabaseStrategyName, isAlternating } from './support/databases';
import { reportFigures } from './support/figures';
import { LeakAudit } from './support/leaks';
import { InProcessRotation, registerInProcessRotation } from './support/rotation-function';
import { valueAt } from './support/secrets';
import { createSecret } from './support/simulator';
import { rotateAndWait } from './support/trials';

/**
 * User names and passwords fuzzed through the database strategies, end to end: the secret travels through the
 * simulator's Secrets Manager API, the real strategy sets the password on a real server, and the bare driver
 * checks the result.
 *
 * Already covered in test/lambda/rotation/db (not repeated here): single-user PostgreSQL with printable and
 * Unicode names and printable passwords, single-user MySQL with printable names and passwords, and fixed
 * injection strings for every strategy. Added here: alternating users on both engines (the names go through
 * CREATE ROLE/GRANT, or CREATE USER and the replay of SHOW GRANTS, as the master) for two rotations (the clone is
 * created, then the original user's password is changed), Unicode names for MySQL, and Unicode passwords for all
 * four strategies.
 */

// Trials are bounded, but a loaded CI machine may need more than the default 60 s for one test.
jest.setTimeout(180_000);

const RUNS_PER_STRATEGY = 12;
const STRATEGIES: readonly DatabaseStrategyName[] = ['postgres-alternating-users', 'mysql-alternating-users', 'postgres-single-user', 'mysql-single-user'];

/** The 32 punctuation characters of GetRandomPassword, quotes and backslash included. */
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
const printableCharacter = fc.oneof(fc.constantFrom(...PUNCTUATION), fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)));
const printable = (maxLength: number) => fc.string({ unit: printableCharacter, minLength: 1, maxLength });
const unicode = (maxLength: number) => fc.string({ unit: 'grapheme', minLength: 1, maxLength }).filter((text) => !text.includes('\u0000'));
/** Printable ASCII, Unicode, or both mixed. */
const mixed = (maxLength: number) => fc.tuple(printable(maxLength), unicode(4)).map(([a, b]) => a + b);
const text = (maxLength: number) => fc.oneof(printable(maxLength), unicode(maxLength), mixed(maxLength));

/**
 * PostgreSQL counts name bytes (63 at most, `_clone` and the unique prefix included). MariaDB allows 80
 * characters, compares names without trailing spaces, and keeps them as utf8mb3: a character outside the Basic
 * Multilingual Plane is stored as `?`, so the strategy (rightly) refuses to change an account whose CURRENT_USER()
 * is not the secret's `username`.
 */
function namePart(strategy: DatabaseStrategyName): fc.Arbitrary<string> {
  return strategy.startsWith('postgres')
    ? text(30).filter((part) => Buffer.byteLength(part) <= 38)
    : text(30).filter((part) => [...part].length <= 50 && !part.endsWith(' ') && [...part].every((c) => c.codePointAt(0)! <= 0xffff));
}

/** SASLprep's non-ASCII spaces and characters mapped to nothing (RFC 4013). */
const SASLPREP_MAPPED = /[\u00a0\u1680\u2000-\u200b\u202f\u205f\u3000\u00ad\u034f\u1806\u180b-\u180d\u200c\u200d\u2060\ufe00-\ufe0f\ufeff]/;

/**
 * A password PostgreSQL and node-postgres hash alike. The server applies SASLprep only to passwords whose
 * characters were all assigned in Unicode 3.2 (otherwise it hashes the raw bytes); node-postgres always applies
 * NFKC and the mappings. So a password that SASLprep would change and that holds a newer character (U+1EE00, say)
 * never logs in through node-postgres, whatever sets it. Generated passwords are ASCII; see RELIABILITY.md.
 */
function postgresCompatible(value: string): boolean {
  return value.normalize('NFKC') === value && !SASLPREP_MAPPED.test(value);
}

function password(strategy: DatabaseStrategyName): fc.Arbitrary<string> {
  return strategy.startsWith('postgres') ? text(30).filter(postgresCompatible) : text(30);
}

let fixtures: DatabaseFixtures;
let sim: SecretsManagerSimulator;
let client: SecretsManagerClient;
let servers: DatabaseFixtures['servers'];
let masters: DatabaseFixtures['masters'];
const functions = new Map<DatabaseStrategyName, InProcessRotation>();
const secrets: string[] = [];
const audit = new LeakAudit();
const figures = { propertyRuns: 0, rotations: 0, converged: 0, unicodeNames: 0, unicodePasswords: 0 };
let nextPassword = '';
let count = 0;

/** The strategy, with the next password chosen by the test instead of the generator. */
function withChosenPassword(service: ProtectedService): ProtectedService {
  return {
    name: service.name,
    createPendingValue: (readCurrent, context) => service.createPendingValue(readCurrent, { ...context, generatePassword: () => nextPassword }),
    setSecret: (context) => service.setSecret(context),
    testSecret: (context) => service.testSecret(context),
    probe: (readValue) => service.probe(readValue),
  };
}


const isAscii = (value: string) => /^[\x20-\x7e]*$/.test(value);

beforeAll(async () => {
  fixtures = await startDatabaseFixtures();
  ({ sim, client, servers, masters } = fixtures);
  secrets.push(masters.postgres, masters.mysql);
  for (const strategy of STRATEGIES) {
    const engine = servers[familyOf(strategy)].engine;
    functions.set(strategy, registerInProcessRotation(sim, { name: `fuzz-${strategy}`, strategy, service: () => withChosenPassword(databaseStrategy(strategy, engine)) }));
  }
}, 60_000);

afterAll(async () => {
  for (const fn of functions.values()) fn.destroy();
  await fixtures?.stop();
});

test.each(STRATEGIES)('%s: any user name and passwords rotate, twice, and log in', async (strategy) => {
  const server = servers[familyOf(strategy)];
  const fn = functions.get(strategy)!;
  await fc.assert(
    fc.asyncProperty(namePart(strategy), password(strategy), password(strategy), password(strategy), async (part, initial, first, second) => {
      figures.propertyRuns += 1;
      count += 1;
      const username = `f_${process.pid}_${count}_${part}`;
      if (!isAscii(part)) figures.unicodeNames += 1;
      if (![initial, first, second].every(isAscii)) figures.unicodePasswords += 1;
      for (const secret of [initial, first, second]) audit.addSecret(secret);
      audit.addPublic(`${username}_clone`);
      const masterarn = isAlternating(strategy) ? masters[familyOf(strategy)] : undefined;
      const user = await server.createUser({ username, password: initial, masterarn });
      const arn = await createSecret(client, `fuzz-${strategy}`, user.secretValue);
      secrets.push(arn);

      const logins: Array<{ username: string; password: string }> = [{ username, password: initial }];
      for (const next of [first, second]) {
        nextPassword = next;
        const run = await rotateAndWait(sim, client, arn, fn.arn);
        figures.rotations += 1;
        expect(run.events.filter((event) => event.type === 'RotationFailed').map((event) => event.error?.message)).toEqual([]);
        expect(run.labelProblems).toEqual([]);
        expect(run.converged).toBe(true);
        figures.converged += 1;
        const current = JSON.parse((await valueAt(client, arn, 'AWSCURRENT'))!);
        expect(current.password).toBe(next);
        expect(await server.access(current.username, next)).toBe('works');
        logins.push({ username: current.username, password: next });
      }

      if (isAlternating(strategy)) {
        // The users take turns: the clone keeps the first password, the original user has the second.
        expect(logins.map((login) => login.username)).toEqual([username, `${username}_clone`, username]);
        expect(await server.access(`${username}_clone`, first)).toBe('works');
      } else if (second !== first) {
        expect(await server.access(username, first)).toBe('refused');
      }
      if (initial !== second && (isAlternating(strategy) || initial !== first)) {
        expect(await server.access(username, initial)).toBe('refused');
      }
    }),
    { numRuns: RUNS_PER_STRATEGY },
  );
});

test('figures, and no secret value in any log line or error of these rotations', async () => {
  await audit.addStoredValues(client, secrets);
  audit.addSimulatorOutput(sim, [...functions.values()].map((fn) => fn.logGroup));
  const leaks = audit.hits();
  reportFigures('fuzz: user names and passwords', { ...figures, secretsAudited: audit.secretCount, textsAudited: audit.textCount, leakHits: leaks.length });
  expect(figures.propertyRuns).toBe(RUNS_PER_STRATEGY * STRATEGIES.length);
  expect(leaks).toEqual([]);
});
