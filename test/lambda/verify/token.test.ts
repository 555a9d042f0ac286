import * as fc from 'fast-check';
import { STACK_ID } from './fixtures';
import { ROTATION_TOKEN_PATTERN, deriveRotationToken, isTokenOfResource } from '../../../lambda/verify/token';

const request = { StackId: STACK_ID, LogicalResourceId: 'SecretRotationCheck', RequestId: '2b7e1d4c-0000-4000-8000-000000000001' };

describe('deriveRotationToken', () => {
  test('is UUID-shaped and fits ClientRequestToken (32-64 of [a-zA-Z0-9-]) for any input', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (StackId, LogicalResourceId, RequestId) => {
        const token = deriveRotationToken({ StackId, LogicalResourceId, RequestId });
        expect(token).toMatch(ROTATION_TOKEN_PATTERN);
        expect(token).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      }),
    );
  });

  test('is the same for a retried request', () => {
    expect(deriveRotationToken({ ...request })).toBe(deriveRotationToken(request));
  });

  test('differs when the stack, the resource or the request differs', () => {
    const token = deriveRotationToken(request);
    expect(deriveRotationToken({ ...request, RequestId: 'another-request' })).not.toBe(token);
    expect(deriveRotationToken({ ...request, LogicalResourceId: 'OtherCheck' })).not.toBe(token);
    expect(deriveRotationToken({ ...request, StackId: `${STACK_ID}-other` })).not.toBe(token);
  });

  test('a field boundary cannot be shifted to produce the same token', () => {
    const a = deriveRotationToken({ StackId: 'stack', LogicalResourceId: 'ab', RequestId: 'c' });
    const b = deriveRotationToken({ StackId: 'stack', LogicalResourceId: 'a', RequestId: 'bc' });
    expect(a).not.toBe(b);
  });
});

describe('isTokenOfResource', () => {
  test('recognises tokens of any request of the same resource', () => {
    fc.assert(
      fc.property(fc.string(), (RequestId) => {
        expect(isTokenOfResource(deriveRotationToken({ ...request, RequestId }), request)).toBe(true);
      }),
    );
  });

  test('rejects tokens of another resource and ordinary version ids', () => {
    const other = deriveRotationToken({ ...request, LogicalResourceId: 'OtherCheck' });
    expect(isTokenOfResource(other, request)).toBe(false);
    expect(isTokenOfResource('11111111-1111-4111-8111-111111111111', request)).toBe(false);
    expect(isTokenOfResource('short', request)).toBe(false);
  });
});
