import { assessRotation, findStalePending, versionWithLabel } from '../../../lambda/verify/staging-labels';

const TOKEN = 'tttttttt-tttt-4ttt-8ttt-tttttttttttt';
const OLD = 'oooooooo-oooo-4ooo-8ooo-oooooooooooo';
const OTHER = 'xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx';

describe('findStalePending (the invariant)', () => {
  test('holds without AWSPENDING, or with AWSPENDING on the AWSCURRENT version', () => {
    expect(findStalePending({ [OLD]: ['AWSCURRENT'] })).toBeUndefined();
    expect(findStalePending({ [OLD]: ['AWSCURRENT', 'AWSPENDING'], [OTHER]: ['AWSPREVIOUS'] })).toBeUndefined();
    expect(findStalePending({})).toBeUndefined();
  });

  test('is violated by AWSPENDING on another version, and says which', () => {
    expect(findStalePending({ [OLD]: ['AWSCURRENT'], [OTHER]: ['AWSPENDING'] })).toEqual({
      pendingVersionId: OTHER,
      currentVersionId: OLD,
    });
    expect(findStalePending({ [OTHER]: ['AWSPENDING'] })).toEqual({ pendingVersionId: OTHER, currentVersionId: undefined });
  });

  test('versionWithLabel finds a label among others', () => {
    expect(versionWithLabel({ [OLD]: ['custom', 'AWSPREVIOUS'] }, 'AWSPREVIOUS')).toBe(OLD);
    expect(versionWithLabel({ [OLD]: ['AWSCURRENT'] }, 'AWSPENDING')).toBeUndefined();
  });
});

describe('assessRotation', () => {
  test('in progress while the token holds AWSPENDING only', () => {
    expect(assessRotation({ [OLD]: ['AWSCURRENT'], [TOKEN]: ['AWSPENDING'] }, TOKEN, OLD)).toEqual({ status: 'in-progress' });
  });

  test('complete when the token is AWSCURRENT and the old version AWSPREVIOUS', () => {
    expect(assessRotation({ [TOKEN]: ['AWSCURRENT'], [OLD]: ['AWSPREVIOUS'] }, TOKEN, OLD)).toEqual({
      status: 'complete',
      newVersionId: TOKEN,
      previousVersionId: OLD,
    });
    expect(assessRotation({ [TOKEN]: ['AWSCURRENT', 'AWSPENDING'], [OLD]: ['AWSPREVIOUS'] }, TOKEN, OLD).status).toBe('complete');
  });

  test('complete without a previous version to check (a secret that had no AWSCURRENT)', () => {
    expect(assessRotation({ [TOKEN]: ['AWSCURRENT'] }, TOKEN, undefined)).toEqual({
      status: 'complete',
      newVersionId: TOKEN,
      previousVersionId: undefined,
    });
  });

  test('inconsistent: a stray AWSPENDING, or AWSPREVIOUS not on the old version', () => {
    const stray = assessRotation({ [TOKEN]: ['AWSCURRENT'], [OLD]: ['AWSPREVIOUS'], [OTHER]: ['AWSPENDING'] }, TOKEN, OLD);
    expect(stray).toEqual({ status: 'inconsistent', problems: [`AWSPENDING is on version ${OTHER}, not on the AWSCURRENT version`] });

    const missingPrevious = assessRotation({ [TOKEN]: ['AWSCURRENT'] }, TOKEN, OLD);
    expect(missingPrevious.status).toBe('inconsistent');
    expect(missingPrevious).toEqual(expect.objectContaining({
      problems: [expect.stringContaining(`AWSPREVIOUS is on no version, but it belongs on version ${OLD}`)],
    }));
  });

  test('interrupted when the token lost its labels or holds neither AWSCURRENT nor AWSPENDING', () => {
    expect(assessRotation({ [OTHER]: ['AWSCURRENT'] }, TOKEN, OLD)).toEqual({ status: 'interrupted', tokenLabels: [] });
    expect(assessRotation({ [OTHER]: ['AWSCURRENT'], [TOKEN]: ['AWSPREVIOUS'] }, TOKEN, OLD)).toEqual({
      status: 'interrupted',
      tokenLabels: ['AWSPREVIOUS'],
    });
  });
});
