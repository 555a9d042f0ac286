import * as fc from 'fast-check';
import { STACK_ID, secretArn } from './fixtures';
import {
  deriveMergeToken,
  deriveRotationToken,
  isTokenOfResource,
  physicalResourceId,
  verifiedFingerprint,
  verifiedFingerprints,
  withVerified,
} from '../../../lambda/verify/token';

const request = { StackId: STACK_ID, LogicalResourceId: 'RotationCheck', RequestId: '2b7e1d4c-0000-4000-8000-000000000001' };
const ARN = secretArn('app/database');
/** ClientRequestToken and version ids: 32 to 64 of these characters. */
const ROTATION_TOKEN_PATTERN = /^[a-zA-Z0-9-]{32,64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('deriveRotationToken', () => {
  test('is UUID-shaped and fits ClientRequestToken (32-64 of [a-zA-Z0-9-]) for any input', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), fc.string(), (StackId, LogicalResourceId, RequestId, arn) => {
        const token = deriveRotationToken({ StackId, LogicalResourceId, RequestId }, arn);
        expect(token).toMatch(ROTATION_TOKEN_PATTERN);
        expect(token).toMatch(UUID);
      }),
    );
  });

  test('is the same for a retried or continued request', () => {
    expect(deriveRotationToken({ ...request }, ARN)).toBe(deriveRotationToken(request, ARN));
  });

  test('differs when the stack, the resource, the request or the secret differs', () => {
    const token = deriveRotationToken(request, ARN);
    expect(deriveRotationToken({ ...request, RequestId: 'another-request' }, ARN)).not.toBe(token);
    expect(deriveRotationToken({ ...request, LogicalResourceId: 'OtherCheck' }, ARN)).not.toBe(token);
    expect(deriveRotationToken({ ...request, StackId: `${STACK_ID}-other` }, ARN)).not.toBe(token);
    expect(deriveRotationToken(request, secretArn('app/other'))).not.toBe(token);
  });

  test('a field boundary cannot be shifted to produce the same token', () => {
    const a = deriveRotationToken({ StackId: 'stack', LogicalResourceId: 'ab', RequestId: 'c' }, ARN);
    const b = deriveRotationToken({ StackId: 'stack', LogicalResourceId: 'a', RequestId: 'bc' }, ARN);
    expect(a).not.toBe(b);
  });
});

describe('isTokenOfResource', () => {
  test('recognises tokens of any request of the same resource, for any secret', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (RequestId, arn) => {
        expect(isTokenOfResource(deriveRotationToken({ ...request, RequestId }, arn), request)).toBe(true);
      }),
    );
  });

  test('rejects tokens of another resource, merge tokens and ordinary version ids', () => {
    expect(isTokenOfResource(deriveRotationToken({ ...request, LogicalResourceId: 'OtherCheck' }, ARN), request)).toBe(false);
    expect(isTokenOfResource(deriveMergeToken(ARN, '11111111-1111-4111-8111-111111111111', '{"port":5432}'), request)).toBe(false);
    expect(isTokenOfResource('11111111-1111-4111-8111-111111111111', request)).toBe(false);
    expect(isTokenOfResource('short', request)).toBe(false);
  });
});

test('a merge token depends on the secret, the version merged into and the fields, and fits ClientRequestToken', () => {
  const token = deriveMergeToken(ARN, 'v1', '{"port":5432}');
  expect(token).toMatch(UUID);
  expect(deriveMergeToken(ARN, 'v1', '{"port":5432}')).toBe(token);
  expect(deriveMergeToken(ARN, 'v2', '{"port":5432}')).not.toBe(token);
  expect(deriveMergeToken(ARN, 'v1', '{"port":5433}')).not.toBe(token);
  expect(deriveMergeToken(secretArn('app/other'), 'v1', '{"port":5432}')).not.toBe(token);
});

test('the verified fingerprint binds the entry\'s fingerprint to the rotation function, and fits a tag value', () => {
  const fingerprint = verifiedFingerprint('abc', 'arn:aws:lambda:eu-west-1:123456789012:function:rotate');
  expect(fingerprint).toMatch(/^[0-9a-f]{32}$/);
  expect(verifiedFingerprint('abc', 'arn:aws:lambda:eu-west-1:123456789012:function:rotate-2')).not.toBe(fingerprint);
  expect(verifiedFingerprint('abd', 'arn:aws:lambda:eu-west-1:123456789012:function:rotate')).not.toBe(fingerprint);
});

test('the verified tag keeps the two fingerprints verified last, newest first, each once', () => {
  expect(verifiedFingerprints(undefined)).toEqual([]);
  expect(withVerified(undefined, 'a')).toBe('a');
  expect(withVerified('a', 'b')).toBe('b a');
  expect(withVerified('b a', 'c')).toBe('c b');
  expect(withVerified('b a', 'a')).toBe('a b');
  expect(verifiedFingerprints('c b')).toEqual(['c', 'b']);
});

test('the physical id is readable, stable per stack and logical id, and differs between them', () => {
  const id = physicalResourceId(request);
  expect(id).toMatch(/^RotationCheck-[0-9a-f]{12}$/);
  expect(physicalResourceId({ ...request, RequestId: 'other' } as typeof request)).toBe(id);
  expect(physicalResourceId({ ...request, StackId: `${STACK_ID}-2` })).not.toBe(id);
});
