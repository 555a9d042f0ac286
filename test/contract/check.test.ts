import * as fc from 'fast-check';
import { CHECK_POLL_INTERVAL_SECONDS, CHECK_TIMEOUT_SECONDS, CheckProperties, CheckedFunction, CheckedSecret, decodeCheckProperties, encodeCheckProperties } from '../../src/private/contract';

const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:rotation';
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:app-AbCdEf';

const functionArn = fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/).map((name) => `arn:aws:lambda:eu-west-1:111111111111:function:${name}`);
const logGroupName = fc.stringMatching(/^[.\-_/#A-Za-z0-9]{1,60}$/);
const timeoutSeconds = fc.integer({ min: 1, max: 900 });
/** This library's functions always have a log group; a foreign one's may be unknown. */
const functions: fc.Arbitrary<CheckedFunction[]> = fc.array(fc.oneof(
  fc.record({ arn: functionArn, logGroup: logGroupName, timeoutSeconds, kind: fc.constant('library' as const) }),
  fc.record({ arn: functionArn, logGroup: fc.option(logGroupName, { nil: undefined }), timeoutSeconds, kind: fc.constant('foreign' as const) }),
), { minLength: 1, maxLength: 4 });

function secretsFor(count: number): fc.Arbitrary<CheckedSecret[]> {
  return fc.array(fc.record({
    secretArn: fc.stringMatching(/^[A-Za-z0-9/_+=.@-]{1,40}$/).map((name) => `arn:aws:secretsmanager:eu-west-1:111111111111:secret:${name}`),
    fingerprint: fc.string({ minLength: 1, maxLength: 32 }),
    functionIndex: fc.integer({ min: 0, max: count - 1 }),
    scheduleExpression: fc.constantFrom('rate(30 days)', 'rate(4 hours)', 'cron(0 3 ? * SUN *)'),
    duration: fc.option(fc.constantFrom('1h', '12h'), { nil: undefined }),
    timeoutSeconds: fc.integer({ min: 1, max: CHECK_TIMEOUT_SECONDS.max }),
    pollSeconds: fc.integer({ min: 1, max: CHECK_POLL_INTERVAL_SECONDS.max }),
    repairStalePending: fc.boolean(),
    verify: fc.boolean(),
    connection: fc.option(fc.dictionary(fc.constantFrom('engine', 'host', 'port', 'dbname', 'ssl', 'masterarn'), fc.oneof(fc.string(), fc.integer(), fc.boolean())), { nil: undefined }),
  }), { maxLength: 6 });
}

/** Drops keys whose value is undefined: an absent optional field and an undefined one mean the same. */
function defined<T>(value: T): T {
  return JSON.parse(JSON.stringify(value));
}

describe('the check\'s properties', () => {
  test('round trip: any properties read back equal from what the construct writes', () => {
    const arbitrary: fc.Arbitrary<CheckProperties> = functions.chain((fns) => secretsFor(fns.length).map((secrets) => ({ functions: fns, secrets })));
    fc.assert(fc.property(arbitrary, (props) => {
      expect(decodeCheckProperties(encodeCheckProperties(props))).toEqual(defined(props));
    }), { numRuns: 300 });
  });

  test('an entry\'s defaults are left out of the template (every secret carries these bytes) and applied when read', () => {
    const encoded = encodeCheckProperties({
      functions: [{ arn: FUNCTION_ARN, logGroup: '/aws/lambda/rotation', timeoutSeconds: 60, kind: 'library' }],
      secrets: [{
        secretArn: SECRET_ARN,
        fingerprint: 'f',
        functionIndex: 0,
        scheduleExpression: 'rate(30 days)',
        timeoutSeconds: CHECK_TIMEOUT_SECONDS.default,
        pollSeconds: CHECK_POLL_INTERVAL_SECONDS.default,
        repairStalePending: false,
        verify: true,
      }],
    });
    expect(encoded.RotatedSecrets).toEqual([{ SecretArn: SECRET_ARN, Fingerprint: 'f', FunctionIndex: '0', ScheduleRule: 'rate(30 days)' }]);
    expect(decodeCheckProperties(encoded).secrets[0]).toMatchObject({
      timeoutSeconds: 600, pollSeconds: 10, repairStalePending: false, verify: true,
    });
  });

  const valid = () => encodeCheckProperties({
    functions: [{ arn: FUNCTION_ARN, logGroup: '/aws/lambda/rotation', timeoutSeconds: 60, kind: 'library' }],
    secrets: [{ secretArn: SECRET_ARN, fingerprint: 'f', functionIndex: 0, scheduleExpression: 'rate(30 days)', timeoutSeconds: 600, pollSeconds: 10, repairStalePending: false, verify: true }],
  });

  test.each([
    ['SecretArn', 'my-secret', 'RotatedSecrets[0]: Property `SecretArn` must be a Secrets Manager secret ARN, got "my-secret"'],
    ['TimeoutSeconds', '0', /RotatedSecrets\[0\]: Property `TimeoutSeconds` must be a whole number from 1 to 3300, got "0"/],
    ['TimeoutSeconds', '1.5', /RotatedSecrets\[0\]: Property `TimeoutSeconds` must be .* got "1.5"/],
    ['RepairStalePending', 'yes', 'RotatedSecrets[0]: Property `RepairStalePending` must be "true" or "false", got "yes"'],
    ['ScheduleRule', 'daily', 'RotatedSecrets[0]: Property `ScheduleRule` must be a rate(...) or cron(...) expression, got "daily"'],
    ['FunctionIndex', '3', 'RotatedSecrets[0]: Property `FunctionIndex` must name one of the 1 functions, got 3'],
    ['ConnectionFields', '[1]', 'RotatedSecrets[0]: Property `ConnectionFields` must be a JSON object'],
    ['Fingerprint', '', 'RotatedSecrets[0]: Property `Fingerprint` must not be empty'],
    ['TimeoutSeconds', 900, 'RotatedSecrets[0]: Property `TimeoutSeconds` must be a string, got number'],
  ])('rejects a secret\'s %s = %j, naming the entry and the property', (name, value, expected) => {
    const props = valid();
    props.RotatedSecrets[0] = { ...props.RotatedSecrets[0], [name]: value as string };
    expect(() => decodeCheckProperties(props)).toThrow(expected);
  });

  test('names a missing property or list', () => {
    const { LogGroupName: _omitted, ...fn } = valid().RotationFunctions[0];
    expect(() => decodeCheckProperties({ ...valid(), RotationFunctions: [fn] })).toThrow('RotationFunctions[0]: Property `LogGroupName` is required for a library rotation function, but is not set');
    // A function that is not this library's may come without one: the check then cannot search its logs.
    expect(decodeCheckProperties({ ...valid(), RotationFunctions: [{ ...fn, FunctionKind: 'foreign' }] }).functions[0]).toEqual({
      arn: fn.FunctionArn, timeoutSeconds: 60, kind: 'foreign',
    });
    expect(() => decodeCheckProperties({ ...valid(), RotationFunctions: [{ ...fn, FunctionKind: 'borrowed' }] })).toThrow('RotationFunctions[0]: Property `FunctionKind` must be one of library, foreign, got "borrowed"');
    expect(() => decodeCheckProperties(undefined)).toThrow('Property `RotationFunctions` must be a list, got nothing');
    expect(() => decodeCheckProperties({ ...valid(), RotatedSecrets: [null] })).toThrow('RotatedSecrets[0] must be an object, got null');
  });
});
