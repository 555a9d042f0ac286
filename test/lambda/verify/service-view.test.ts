import { judgeService, labelledVersions } from '../../../lambda/verify/service-view';

const CURRENT = 'cccccccc-cccc-4ccc-8ccc-cccccccccccc';
const PENDING = 'pppppppp-pppp-4ppp-8ppp-pppppppppppp';
const PREVIOUS = 'oooooooo-oooo-4ooo-8ooo-oooooooooooo';
const STAGES = { [CURRENT]: ['AWSCURRENT'], [PENDING]: ['AWSPENDING'], [PREVIOUS]: ['AWSPREVIOUS'], other: ['custom'] };

function answered(outcomes: Record<string, string>, reasons?: Record<string, string>) {
  return { answered: true as const, result: { outcomes: outcomes as Record<string, 'accepted'>, ...(reasons ? { reasons } : {}) } };
}

test('the versions worth asking about: AWSCURRENT, AWSPENDING, AWSPREVIOUS, each once', () => {
  expect(labelledVersions(STAGES)).toEqual([
    { versionId: CURRENT, label: 'AWSCURRENT' }, { versionId: PENDING, label: 'AWSPENDING' }, { versionId: PREVIOUS, label: 'AWSPREVIOUS' },
  ]);
  expect(labelledVersions({ [CURRENT]: ['AWSCURRENT', 'AWSPENDING'] })).toEqual([{ versionId: CURRENT, label: 'AWSCURRENT' }]);
});

describe('judgeService', () => {
  test('no service (generic strategy)', () => {
    expect(judgeService(STAGES, answered({ [CURRENT]: 'no-service', [PENDING]: 'no-service', [PREVIOUS]: 'no-service' }))).toEqual({ kind: 'no-service' });
  });

  test('AWSCURRENT accepted wins, whatever the others (alternating users accept both)', () => {
    expect(judgeService(STAGES, answered({ [CURRENT]: 'accepted', [PENDING]: 'accepted', [PREVIOUS]: 'refused' }))).toEqual({ kind: 'current-accepted' });
  });

  test('AWSCURRENT refused: the newest accepted version, pending before previous', () => {
    expect(judgeService(STAGES, answered({ [CURRENT]: 'refused', [PENDING]: 'accepted', [PREVIOUS]: 'accepted' })))
      .toEqual({ kind: 'other-accepted', versionId: PENDING, label: 'AWSPENDING' });
    expect(judgeService(STAGES, answered({ [CURRENT]: 'refused', [PENDING]: 'refused', [PREVIOUS]: 'accepted' })))
      .toEqual({ kind: 'other-accepted', versionId: PREVIOUS, label: 'AWSPREVIOUS' });
  });

  test('every password refused', () => {
    expect(judgeService(STAGES, answered({ [CURRENT]: 'refused', [PENDING]: 'refused', [PREVIOUS]: 'refused' }))).toEqual({ kind: 'none-accepted' });
  });

  test('an unreachable service or a function that cannot answer is unknown, with the reason', () => {
    expect(judgeService(STAGES, answered({ [CURRENT]: 'unreachable', [PENDING]: 'unreachable', [PREVIOUS]: 'unreachable' }, { [CURRENT]: 'connect ETIMEDOUT' })))
      .toEqual({ kind: 'unknown', reason: 'the service could not be reached (connect ETIMEDOUT)' });
    expect(judgeService(STAGES, { answered: false, reason: 'Task timed out after 60.00 seconds' }))
      .toEqual({ kind: 'unknown', reason: 'the rotation function did not answer the probe: Task timed out after 60.00 seconds' });
  });
});
