import { OPTION_SET_TAG, PasswordOptionSet, selectOptionSet } from '../../src/private/contract';
import { testOptionSet } from '../support/strategies';

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:api-key-AbCdEf';
const long: PasswordOptionSet = { passwordPolicy: { ...testOptionSet('generic').passwordPolicy, passwordLength: 64 } };
const json = testOptionSet('generic', 'password');
const declared = { optionSets: { a1b2c3d4: long, e5f6a7b8: json } };

describe('a secret selects its password option set', () => {
  test('by its tag, among the sets the function declares', () => {
    expect(selectOptionSet(declared, { arn: ARN, tags: { [OPTION_SET_TAG]: 'a1b2c3d4' } })).toBe(long);
    expect(selectOptionSet(declared, { arn: ARN, tags: { [OPTION_SET_TAG]: 'e5f6a7b8', other: 'x' } })).toBe(json);
  });

  test('a secret without the tag selects nothing: no set is chosen for it', () => {
    expect(() => selectOptionSet(declared, { arn: ARN, tags: { owner: 'billing' } }))
      .toThrow('the secret selects no password option set: it has no tag `cdk-rotating-secrets:password-options` naming one of the sets this rotation function declares (it declares a1b2c3d4, e5f6a7b8)');
  });

  test('a tag naming a set the function does not declare fails, whoever wrote it', () => {
    expect(() => selectOptionSet(declared, { arn: ARN, tags: { [OPTION_SET_TAG]: 'weak' } }))
      .toThrow('the secret\'s password option set is unknown: its tag `cdk-rotating-secrets:password-options` names "weak", which this rotation function does not declare (it declares a1b2c3d4, e5f6a7b8); a secret may only select among the sets its stack declared');
    // The tag's text is anyone's to write: a long one is cut short in the message.
    expect(() => selectOptionSet(declared, { arn: ARN, tags: { [OPTION_SET_TAG]: 'x'.repeat(200) } })).toThrow(`names "${'x'.repeat(64)}..."`);
    // Inherited object properties are not sets.
    expect(() => selectOptionSet(declared, { arn: ARN, tags: { [OPTION_SET_TAG]: 'constructor' } })).toThrow(/names "constructor", which this rotation function does not declare/);
  });

  test('a secret the app could not tag is named by ARN (or partial ARN) in the configuration, and a tag cannot override that', () => {
    const byArn = { ...declared, optionSetBySecret: { 'arn:aws:secretsmanager:us-east-1:123456789012:secret:api-key': 'e5f6a7b8' } };
    expect(selectOptionSet(byArn, { arn: ARN, tags: {} })).toBe(json);
    expect(selectOptionSet(byArn, { arn: ARN, tags: { [OPTION_SET_TAG]: 'a1b2c3d4' } })).toBe(json);
  });
});
