import * as fc from 'fast-check';
import { CHECK_TIMEOUT_SECONDS, CheckProperties, decodeCheckProperties, encodeCheckProperties } from '../../src/private/contract';

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:app-AbCdEf';
const LOG_GROUP = '/aws/lambda/rotation';

function properties(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:provider', SecretArn: SECRET_ARN, RotationFingerprint: 'fingerprint-1', RotationLogGroup: LOG_GROUP, ...overrides };
}

describe('the check\'s properties', () => {
  test('round trip: any properties read back equal from what the construct writes', () => {
    const arbitrary: fc.Arbitrary<CheckProperties> = fc.record({
      secretArn: fc.stringMatching(/^[A-Za-z0-9/_+=.@-]{1,40}$/).map((name) => `arn:aws:secretsmanager:eu-west-1:111111111111:secret:${name}`),
      rotationFingerprint: fc.string({ minLength: 1, maxLength: 32 }),
      timeoutSeconds: fc.integer({ min: 1, max: CHECK_TIMEOUT_SECONDS.max }),
      repairStalePending: fc.boolean(),
      rotationLogGroup: fc.stringMatching(/^[.\-_/#A-Za-z0-9]{1,60}$/),
    });
    fc.assert(fc.property(arbitrary, (props) => {
      expect(decodeCheckProperties(encodeCheckProperties(props))).toEqual(props);
    }), { numRuns: 300 });
  });

  test('defaults are left out of the template and applied when read', () => {
    const encoded = encodeCheckProperties({
      secretArn: SECRET_ARN, rotationFingerprint: 'f', timeoutSeconds: CHECK_TIMEOUT_SECONDS.default, repairStalePending: false, rotationLogGroup: LOG_GROUP,
    });
    expect(encoded).toEqual({ SecretArn: SECRET_ARN, RotationFingerprint: 'f', RotationLogGroup: LOG_GROUP });
    expect(decodeCheckProperties(encoded)).toMatchObject({ timeoutSeconds: 600, repairStalePending: false });
  });

  test.each([
    ['SecretArn', 'my-secret', 'Property `SecretArn` must be a Secrets Manager secret ARN, got "my-secret"'],
    ['TimeoutSeconds', '0', /Property `TimeoutSeconds` must be a whole number from 1 to 3300, got "0"/],
    ['TimeoutSeconds', '1.5', /Property `TimeoutSeconds` must be .* got "1.5"/],
    ['RepairStalePending', 'yes', 'Property `RepairStalePending` must be "true" or "false", got "yes"'],
    ['RotationLogGroup', 'bad group name', 'Property `RotationLogGroup` must be a CloudWatch Logs log group name, got "bad group name"'],
    ['RotationFingerprint', '', 'Property `RotationFingerprint` must not be empty'],
    ['TimeoutSeconds', 900, 'Property `TimeoutSeconds` must be a string, got number'],
  ])('rejects %s = %j by name', (name, value, expected) => {
    expect(() => decodeCheckProperties(properties({ [name]: value }))).toThrow(expected);
  });

  test('names a missing property', () => {
    const { RotationLogGroup: _omitted, ...rest } = properties();
    expect(() => decodeCheckProperties(rest)).toThrow('Property `RotationLogGroup` is required, but is not set');
    expect(() => decodeCheckProperties(undefined)).toThrow(/Property `SecretArn` is required/);
  });
});
