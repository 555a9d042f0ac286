import { LOG_GROUP, SECRET_ARN, properties } from './fixtures';
import { parseProperties } from '../../../lambda/verify/properties';

describe('parseProperties', () => {
  test('parses the strings CloudFormation delivers', () => {
    expect(parseProperties(properties({ RepairStalePending: 'true', TimeoutSeconds: '900' }))).toEqual({
      secretArn: SECRET_ARN,
      rotationFingerprint: 'fingerprint-1',
      timeoutSeconds: 900,
      repairStalePending: true,
      rotationLogGroup: LOG_GROUP,
    });
  });

  test.each([
    ['SecretArn', 'my-secret', /`SecretArn` must be a full Secrets Manager secret ARN, got "my-secret"/],
    ['TimeoutSeconds', '0', /`TimeoutSeconds` must be a whole number of seconds, at least 1, got "0"/],
    ['TimeoutSeconds', '1.5', /`TimeoutSeconds` must be .* got "1.5"/],
    ['RepairStalePending', 'yes', /`RepairStalePending` must be "true" or "false", got "yes"/],
    ['RotationLogGroup', 'bad group name', /`RotationLogGroup` must be a CloudWatch Logs log group name, got "bad group name"/],
    ['RotationFingerprint', '', /`RotationFingerprint` is required \(a non-empty string\), got ""/],
  ])('rejects %s = %j by name', (name, value, expected) => {
    expect(() => parseProperties(properties({ [name]: value }))).toThrow(expected);
  });

  test('names a missing property', () => {
    const { RotationLogGroup: _omitted, ...rest } = properties();
    expect(() => parseProperties(rest)).toThrow(/`RotationLogGroup` is required \(a non-empty string\), got nothing/);
    expect(() => parseProperties(undefined)).toThrow(/`SecretArn` is required/);
  });
});
