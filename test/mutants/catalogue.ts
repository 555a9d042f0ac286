/**
 * Deliberate bugs the test suite must catch, each with the one test expected to fail on it. A mutant replaces one
 * exact text (it must occur once in its file) with a broken version; when the code it names moves, the runner says
 * the mutant does not apply, and this catalogue follows the code.
 */
export interface Mutant {
  readonly id: string;
  readonly description: string;
  readonly file: string;
  readonly find: string;
  readonly replace: string;
  /** The test expected to fail: its file and a part of its full name (not a snapshot test). */
  readonly test: { readonly file: string; readonly name: string };
  /** The sources change but the bundles are not rebuilt: the run must refuse the stale bundles. */
  readonly staleBundle?: boolean;
}

/** Where the constructs encode each password option set into the rotation function's environment. */
const OPTION_SET_ENCODING = '    encoded[id] = { ...encodeRecord(fields, passwordPolicy), ...key };\n';
const PASSWORD_ROUND_TRIP = { file: 'test/password-round-trip.test.ts', name: 'every password the shipped function generates obeys exactly its secret\'s options' };

export const MUTANTS: readonly Mutant[] = [
  {
    id: 'environment-case-swapped',
    description: 'the construct writes EXCLUDE_UPPERCASE and EXCLUDE_LOWERCASE swapped',
    file: 'src/private/contract/option-sets.ts',
    find: OPTION_SET_ENCODING,
    replace: '    encoded[id] = ((set: Record<string, string>) => ({ ...set, EXCLUDE_UPPERCASE: set.EXCLUDE_LOWERCASE, EXCLUDE_LOWERCASE: set.EXCLUDE_UPPERCASE }))'
      + '({ ...encodeRecord(fields, passwordPolicy), ...key });\n',
    test: PASSWORD_ROUND_TRIP,
  },
  {
    id: 'environment-space-off',
    description: 'the construct writes INCLUDE_SPACE=false whatever the options say',
    file: 'src/private/contract/option-sets.ts',
    find: OPTION_SET_ENCODING,
    replace: '    encoded[id] = { ...encodeRecord(fields, passwordPolicy), ...key, INCLUDE_SPACE: \'false\' };\n',
    test: PASSWORD_ROUND_TRIP,
  },
  {
    id: 'log-password-prefix',
    description: 'createSecret logs the first 12 characters of every new value',
    file: 'lambda/rotation/protocol.ts',
    find: '  const pending = await deps.service.createPendingValue(readCurrent, context);\n',
    replace: '  const pending = await deps.service.createPendingValue(readCurrent, context);\n  log.info(\'pending value made\', { ...fields, start: pending.slice(0, 12) });\n',
    test: { file: 'test/reliability/crash-recovery.generic.test.ts', name: 'no secret value reached a log line or an error' },
  },
  {
    id: 'redact-off',
    description: 'redact() returns the driver\'s message unchanged',
    file: 'lambda/rotation/database/redact.ts',
    find: '  let result = message;\n',
    replace: '  let result = message;\n  if (result) return result;\n',
    test: { file: 'test/reliability/redaction.test.ts', name: 'no part of the password reaches the logs' },
  },
  {
    id: 'mysql8-identified-by-password',
    description: 'the MySQL 8 branch sets its own password with IDENTIFIED BY PASSWORD (a hash)',
    file: 'lambda/rotation/database/engines/mysql.ts',
    find: "'ALTER USER ?@? IDENTIFIED BY ?'",
    replace: "'ALTER USER ?@? IDENTIFIED BY PASSWORD ?'",
    test: { file: 'test/lambda/rotation/database/mysql-statements.test.ts', name: 'every statement is a documented MySQL form' },
  },
  {
    id: 'finish-ignores-failed-move',
    description: 'finishSecret reports success when moving AWSCURRENT fails',
    file: 'lambda/rotation/protocol.ts',
    find: '    throw failure(where, `could not move ${AWSCURRENT}',
    replace: '    return void failure(where, `could not move ${AWSCURRENT}',
    test: { file: 'test/reliability/crash-recovery.generic.test.ts', name: 'the trials kept every invariant' },
  },
  {
    id: 'alarm-key-any-account',
    description: 'the alarm topic\'s key policy lets CloudWatch and EventBridge of any account use the key',
    file: 'src/private/failure-alarms.ts',
    find: "        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },\n",
    replace: '',
    test: { file: 'test/operating.test.ts', name: 'our grants of the topic\'s key to CloudWatch and EventBridge hold for this account only' },
  },
  {
    id: 'conformance-wrong-expectation',
    description: 'a conformance scenario expects a wrong AWS message before the step where moto is known to deviate',
    file: 'test/conformance/scenarios.ts',
    find: '`The operation failed because the secret ${name} already exists.`',
    replace: '`The operation failed because the secret ${name} exists.`',
    test: {
      file: 'test/conformance/conformance.test.ts',
      name: 'moto CreateSecret: a taken name is ResourceExistsException; a name scheduled for deletion is InvalidRequestException [moto deviates',
    },
  },
  {
    id: 'registry-wrong-engine',
    description: 'the database function\'s strategy table runs mysql-single-user on the PostgreSQL engine',
    file: 'lambda/rotation/database/strategies.ts',
    find: "'mysql-single-user': (config, options) => new SingleUserRotation(config.strategy, MYSQL_ENGINE,",
    replace: "'mysql-single-user': (config, options) => new SingleUserRotation(config.strategy, POSTGRES_ENGINE,",
    test: { file: 'test/reliability/crash-recovery.mysql.test.ts', name: 'a crash at every API-call boundary of the shipped function' },
  },
  {
    id: 'redshift-admin-option-dropped',
    description: 'the Redshift clone gets the user\'s roles without WITH ADMIN OPTION where the user has it',
    file: 'lambda/rotation/database/engines/redshift-memberships.ts',
    find: "${grant.adminOption ? ' WITH ADMIN OPTION' : ''}",
    replace: '',
    test: { file: 'test/lambda/rotation/database/redshift-statements.test.ts', name: 'the first clone: created with the password' },
  },
  {
    id: 'redshift-password-before-memberships',
    description: 'a later Redshift rotation sets the clone\'s password before its missing memberships',
    file: 'lambda/rotation/database/engines/redshift.ts',
    find: '    await addMemberships(master, alternateUsername, wanted);\n    await setPassword(master, alternateUsername, password);\n',
    replace: '    await setPassword(master, alternateUsername, password);\n    await addMemberships(master, alternateUsername, wanted);\n',
    test: { file: 'test/lambda/rotation/database/redshift-statements.test.ts', name: 'a later rotation adds the memberships the clone lacks before its new password' },
  },
  {
    id: 'redshift-hash-lookalike-kept',
    description: 'a generated Redshift password that starts like an MD5 or SHA-256 hash is used as it is',
    file: 'src/private/contract/redshift.ts',
    find: "  if (password.startsWith('md5') || password.startsWith('sha256|'))",
    replace: '  if (false as boolean)',
    test: { file: 'test/lambda/rotation/database/redshift-on-postgres.test.ts', name: 'a generated password that Redshift would read as a hash is replaced' },
  },
  {
    id: 'redshift-password-options-unchecked',
    description: 'the Redshift strategies take password options Redshift refuses (no digit required)',
    file: 'src/private/redshift-options.ts',
    find: '  if (problem !== undefined) throw new PropError(problem);',
    replace: '',
    test: { file: 'test/redshift-strategies.test.ts', name: 'refuses {"excludeNumbers":true} at synth' },
  },
  {
    id: 'iam-current-key-deletable',
    description: 'createSecret may delete the key AWSCURRENT holds to free a slot',
    file: 'lambda/rotation/iam-access-key.ts',
    find: '    let candidates = keys.filter((key) => key.accessKeyId !== current.accessKeyId);',
    replace: '    let candidates = [...keys].reverse();',
    // Three clean rotations cannot show it (the inactive key goes first either way); a crash leaves an orphan active key.
    test: { file: 'test/reliability/crash-recovery.iam-access-key.test.ts', name: 'the trials kept every invariant' },
  },
  {
    id: 'iam-previous-key-left-active',
    description: 'finishSecret leaves the previous access key active',
    file: 'lambda/rotation/iam-access-key.ts',
    find: '    await this.iam.deactivateKey(previous.userName, previous.accessKeyId);',
    replace: '',
    test: { file: 'test/reliability/crash-recovery.iam-access-key.test.ts', name: 'the previous key is inactive' },
  },
  {
    id: 'iam-keys-kept-on-delete',
    description: 'Custom::RotatedAccessKeys deletes nothing, so CloudFormation cannot delete the user',
    file: 'lambda/rotation/iam-access-key-resource.ts',
    find: '    await deps.iam.deleteKey(userName, key.accessKeyId);',
    replace: '',
    test: { file: 'test/lifecycle/iam-access-keys.test.ts', name: 'a first deploy that fails after the first rotation rolls back completely' },
  },
  {
    id: 'stale-database-bundle',
    description: 'a database source changes and the bundle is not rebuilt',
    file: 'lambda/rotation/database/redact.ts',
    find: "export const REDACTED = '[redacted]';",
    replace: "export const REDACTED = '[hidden]';",
    test: { file: 'test/bundles.test.ts', name: 'every shipped bundle is what its sources build' },
    staleBundle: true,
  },
];
