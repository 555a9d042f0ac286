import { randomInt } from 'node:crypto';
import { PasswordOptions, RotatingSecret, RotationStrategy } from '../src';
import { LocalCloud } from './support/cloud';

/**
 * The password options' whole journey: random option sets, given to the public construct, synthesized and deployed
 * on the local CloudFormation, where the deploy-time check runs the shipped rotation function; the password it
 * generated must obey exactly its secret's options. Whatever carries the options from construct to function (its
 * environment, a tag) is crossed as users cross it, so a field lost or swapped on the way shows here.
 *
 * The passwords are long, so that every character type the options include appears in them: a type of one character
 * (the space) is missing from 2,000 random characters out of ~95 with a probability below 1e-9.
 */

// A stack of several secrets, each checked by its own function's first rotation (a process start each); nothing timed.
jest.setTimeout(600_000);

// The classes as Secrets Manager's GetRandomPassword documents them.
const CLASSES = {
  uppercase: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  lowercase: 'abcdefghijklmnopqrstuvwxyz',
  numbers: '0123456789',
  punctuation: '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
  space: ' ',
} as const;
type ClassName = keyof typeof CLASSES;

const OPTION_SETS = 6;

/** Random options that can make a password: at least one class is left, with characters to spare. */
function randomOptions(): Required<PasswordOptions> {
  for (;;) {
    const coin = () => randomInt(2) === 1;
    const all = Object.values(CLASSES).join('');
    const excludeCharacters = [...new Set(Array.from({ length: randomInt(0, 12) }, () => all[randomInt(all.length)]))].join('');
    const options = {
      passwordLength: randomInt(2_000, 4_097),
      excludeCharacters,
      excludeNumbers: coin(),
      excludePunctuation: coin(),
      excludeUppercase: coin(),
      excludeLowercase: coin(),
      includeSpace: coin(),
      requireEachIncludedType: coin(),
    };
    if (allowedCharacters(options).length >= 5) return options;
  }
}

/**
 * Option sets that between them take every option both ways, and exclude one letter case but not the other, so
 * that a lost or swapped option shows whatever the draw.
 */
function randomOptionSets(count: number): Array<Required<PasswordOptions>> {
  for (;;) {
    const sets = Array.from({ length: count }, randomOptions);
    const fields = Object.keys(sets[0]).filter((key) => typeof sets[0][key as keyof PasswordOptions] === 'boolean') as Array<keyof PasswordOptions>;
    const bothWays = fields.every((field) => new Set(sets.map((set) => set[field])).size === 2);
    if (bothWays && sets.some((set) => set.excludeUppercase !== set.excludeLowercase)) return sets;
  }
}

function includedClasses(options: Required<PasswordOptions>): ClassName[] {
  const excluded: Record<ClassName, boolean> = {
    uppercase: options.excludeUppercase,
    lowercase: options.excludeLowercase,
    numbers: options.excludeNumbers,
    punctuation: options.excludePunctuation,
    space: !options.includeSpace,
  };
  return (Object.keys(CLASSES) as ClassName[]).filter((name) => !excluded[name] && allowedOf(name, options).length > 0);
}

function allowedOf(name: ClassName, options: Required<PasswordOptions>): string {
  return [...CLASSES[name]].filter((char) => !options.excludeCharacters.includes(char)).join('');
}

function allowedCharacters(options: Required<PasswordOptions>): string {
  return includedClasses(options).map((name) => allowedOf(name, options)).join('');
}

/** How `password` departs from `options`; empty when it obeys them exactly. */
function departures(password: string, options: Required<PasswordOptions>): string[] {
  const problems: string[] = [];
  if (password.length !== options.passwordLength) problems.push(`${password.length} characters, not ${options.passwordLength}`);
  const allowed = allowedCharacters(options);
  const foreign = [...new Set(password)].filter((char) => !allowed.includes(char));
  if (foreign.length > 0) problems.push(`characters the options leave out: ${JSON.stringify(foreign.join(''))}`);
  for (const name of includedClasses(options)) {
    if (![...password].some((char) => CLASSES[name].includes(char))) problems.push(`no ${name} character, which the options include`);
  }
  return problems;
}

let cloud: LocalCloud;
beforeAll(async () => (cloud = await LocalCloud.start({ databases: false })));
afterAll(() => cloud?.stop());

test('every password the shipped function generates obeys exactly its secret\'s options', async () => {
  const optionSets = randomOptionSets(OPTION_SETS);
  const deployed = await cloud.deploy('PasswordOptions', (stack) => {
    optionSets.forEach((options, index) => new RotatingSecret(stack, `Secret${index}`, { strategy: RotationStrategy.randomPassword(options) }));
  });
  expect(deployed.status).toBe('CREATE_COMPLETE');

  const results = [];
  for (const [index, options] of optionSets.entries()) {
    const arn = cloud.physicalId('PasswordOptions', `Secret${index}`);
    const labels = await cloud.settledLabels(arn);
    // The check's rotation made AWSCURRENT; the value CloudFormation generated first is AWSPREVIOUS.
    expect(Object.values(labels).flat().sort()).toEqual(['AWSCURRENT', 'AWSPREVIOUS']);
    results.push({ options, problems: departures(await cloud.value(arn), options) });
  }
  // The options are printed with every failure; a password never is.
  expect(results).toEqual(optionSets.map((options) => ({ options, problems: [] })));
  await cloud.cfn.delete('PasswordOptions');
});
