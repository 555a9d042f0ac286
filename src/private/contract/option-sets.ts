/**
 * Password option sets: one rotation function serves every secret of its strategy and placement in a stack, whatever
 * their password options. The function's environment holds the option sets the stack declared, each under a short id;
 * a secret selects its set with a tag the function reads from the DescribeSecret it makes on every step anyway (a
 * secret the app cannot tag is named by ARN in the environment instead). Whoever may tag a secret can only choose among
 * the declared sets: a selection the function does not declare, or none, fails the rotation.
 */
import { ContractError, FieldCodec, RecordCodec, bool, decodeRecord, encodeRecord, jsonObjectVariable, text, wholeNumber } from './codec';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, PasswordPolicy, POLICY_DEFAULTS, passwordPolicyProblem } from './password-policy';

/** The tag on a secret that names its option set. */
export const OPTION_SET_TAG = 'cdk-rotating-secrets:password-options';

/** An option set's id: short, lower-case letters and digits (the constructs write 8 hex digits of a hash). */
export const OPTION_SET_ID_PATTERN = /^[a-z0-9]{1,16}$/;

/** What one secret's rotated value looks like. */
export interface PasswordOptionSet {
  /** How new passwords are generated. */
  readonly passwordPolicy: PasswordPolicy;
  /** Generic strategy only: the JSON key that holds the password; undefined for plain-string secrets. */
  readonly generateStringKey?: string;
}

/**
 * A set's fields, named as AWS's rotation templates name their variables. A field equal to the contract's default
 * is left out (the function's environment has 4 KB for every set), and read back as that same default.
 */
function policyFields(defaultExcludeCharacters: string): RecordCodec<PasswordPolicy> {
  return {
    passwordLength: wholeNumber('PASSWORD_LENGTH', MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH, POLICY_DEFAULTS.passwordLength),
    excludeCharacters: text('EXCLUDE_CHARACTERS', { defaultValue: defaultExcludeCharacters }),
    excludeNumbers: bool('EXCLUDE_NUMBERS', POLICY_DEFAULTS.excludeNumbers),
    excludePunctuation: bool('EXCLUDE_PUNCTUATION', POLICY_DEFAULTS.excludePunctuation),
    excludeUppercase: bool('EXCLUDE_UPPERCASE', POLICY_DEFAULTS.excludeUppercase),
    excludeLowercase: bool('EXCLUDE_LOWERCASE', POLICY_DEFAULTS.excludeLowercase),
    includeSpace: bool('INCLUDE_SPACE', POLICY_DEFAULTS.includeSpace),
    requireEachIncludedType: bool('REQUIRE_EACH_INCLUDED_TYPE', POLICY_DEFAULTS.requireEachIncludedType),
  };
}

/** The set's field that names the JSON key holding the password (generic strategy). */
export const GENERATE_STRING_KEY_FIELD = 'GENERATE_STRING_KEY';
const GENERATE_STRING_KEY = text(GENERATE_STRING_KEY_FIELD, { nonEmpty: true });

/** The names of a set's fields, for messages and for readers of the contract. */
export const OPTION_SET_FIELD_NAMES = [...Object.values(policyFields('')).map((field) => field.name), GENERATE_STRING_KEY.name];

/** The sets as JSON: `{ "<id>": { "PASSWORD_LENGTH": "40", ... } }`, defaults left out. */
export function encodeOptionSets(sets: Readonly<Record<string, PasswordOptionSet>>, defaultExcludeCharacters: string): string {
  const fields = policyFields(defaultExcludeCharacters);
  const encoded: Record<string, Record<string, string>> = {};
  for (const id of Object.keys(sets).sort()) {
    const { passwordPolicy, generateStringKey } = sets[id];
    const key = generateStringKey === undefined ? {} : { [GENERATE_STRING_KEY.name]: generateStringKey };
    encoded[id] = { ...encodeRecord(fields, passwordPolicy), ...key };
  }
  return JSON.stringify(encoded);
}

/** Reads the sets back; errors name the set and the field, and a set that cannot produce a password is refused. */
export function decodeOptionSets(raw: string, defaultExcludeCharacters: string): Record<string, PasswordOptionSet> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error('must be a JSON object of option sets');
  }
  if (!isObject(parsed)) throw new Error('must be a JSON object of option sets');
  const fields = policyFields(defaultExcludeCharacters);
  const sets: Record<string, PasswordOptionSet> = {};
  for (const [id, set] of Object.entries(parsed)) {
    if (!OPTION_SET_ID_PATTERN.test(id)) throw new Error(`has a set id ${quoted(id)}, which is not 1 to 16 lower-case letters and digits`);
    if (!isObject(set)) throw new Error(`set "${id}" must be an object`);
    const unknown = Object.keys(set).filter((name) => !OPTION_SET_FIELD_NAMES.includes(name));
    if (unknown.length > 0) throw new Error(`set "${id}" has unknown fields ${unknown.map(quoted).join(', ')}`);
    let policy: PasswordPolicy;
    let key: string | undefined;
    try {
      policy = decodeRecord(fields, set, 'variable');
      key = decodeRecord({ key: GENERATE_STRING_KEY }, set, 'variable', ['key']).key;
    } catch (error) {
      throw new Error(`set "${id}": ${(error as Error).message}`);
    }
    const problem = passwordPolicyProblem(policy);
    if (problem !== undefined) throw new Error(`set "${id}" cannot produce a password: ${problem}`);
    sets[id] = key === undefined ? { passwordPolicy: policy } : { passwordPolicy: policy, generateStringKey: key };
  }
  return sets;
}

/** Secret ARN to set id, for the secrets the app cannot tag (imported by ARN or name). */
export function optionSetBySecretVariable(name: string): FieldCodec<Readonly<Record<string, string>>> {
  return jsonObjectVariable(name, (parsed) => {
    if (Object.values(parsed).some((id) => typeof id !== 'string')) throw new Error('must be a JSON object of secret ARNs to set ids');
  });
}

/** What a secret tells about itself for the selection: its ARN and its tags. */
export interface SelectingSecret {
  readonly arn: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** The declared sets and the secrets named by ARN, as the rotation function's configuration holds them. */
export interface DeclaredOptionSets {
  readonly optionSets: Readonly<Record<string, PasswordOptionSet>>;
  readonly optionSetBySecret?: Readonly<Record<string, string>>;
}

/**
 * The set `secret` selects: by its ARN when the configuration names it (the app could not tag it; a tag cannot
 * override that), else by its tag. A missing or unknown selection throws, naming the tag and the declared ids.
 */
export function selectOptionSet(declared: DeclaredOptionSets, secret: SelectingSecret): PasswordOptionSet {
  const ids = Object.keys(declared.optionSets);
  const known = ids.length > 0 ? `it declares ${ids.sort().join(', ')}` : 'it declares none';
  const byArn = entryForSecret(declared.optionSetBySecret, secret.arn);
  const id = byArn ?? (Object.hasOwn(secret.tags, OPTION_SET_TAG) ? secret.tags[OPTION_SET_TAG] : undefined);
  if (id === undefined) {
    throw new Error(`the secret selects no password option set: it has no tag \`${OPTION_SET_TAG}\` naming one of the sets this rotation function declares (${known}); `
      + 'the constructs tag every secret they rotate, so the tag was removed or the secret is not one of this stack\'s');
  }
  if (!Object.hasOwn(declared.optionSets, id)) {
    const where = byArn !== undefined ? 'the function\'s configuration names' : `its tag \`${OPTION_SET_TAG}\` names`;
    throw new Error(`the secret's password option set is unknown: ${where} ${quoted(id)}, which this rotation function does not declare (${known}); `
      + 'a secret may only select among the sets its stack declared');
  }
  return declared.optionSets[id];
}

/**
 * The entry of `map` for a secret: keyed by the secret's ARN, or by its partial ARN (without the `-` and six characters
 * Secrets Manager appends) when the app knows the secret by name only.
 */
export function entryForSecret<T>(map: Readonly<Record<string, T>> | undefined, secretArn: string): T | undefined {
  if (map === undefined) return undefined;
  if (Object.hasOwn(map, secretArn)) return map[secretArn];
  const partialArn = /^(.+)-[A-Za-z0-9]{6}$/.exec(secretArn)?.[1];
  return partialArn !== undefined && Object.hasOwn(map, partialArn) ? map[partialArn] : undefined;
}

/** Refuses an id that is not a set id, naming it. */
export function checkOptionSetId(id: string): void {
  if (!OPTION_SET_ID_PATTERN.test(id)) throw new ContractError(`option set id ${quoted(id)} is not 1 to 16 lower-case letters and digits`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A tag value or id for a message: not a secret, but anyone may write it, so bounded. */
function quoted(value: string): string {
  return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}...` : value);
}
