import { LOG_GROUP, secretArn } from './fixtures';
import { diagnoseStall } from '../../../lambda/verify/diagnosis';
import {
  MAX_MESSAGE_LENGTH,
  SecretFacts,
  inconsistentLabelsMessage,
  resumeIncompleteMessage,
  stalePendingMessage,
  stepFailedMessage,
  timedOutMessage,
} from '../../../lambda/verify/messages';
import type { ServiceView } from '../../../lambda/verify/service-view';

const ARN = secretArn('app/database');
const TOKEN = 'tttttttt-tttt-4ttt-8ttt-tttttttttttt';
const OLD = 'oooooooo-oooo-4ooo-8ooo-oooooooooooo';
const STAGES = { [OLD]: ['AWSCURRENT'], [TOKEN]: ['AWSPENDING'] };
const REMOVE_PENDING = `--version-stage AWSPENDING --remove-from-version-id ${TOKEN}`;

function facts(versionIdsToStages: Record<string, string[]> = STAGES): SecretFacts {
  return { secret: { arn: ARN, name: 'app/database', versionIdsToStages }, logGroup: LOG_GROUP };
}
const failure = { step: 'testSecret', error: 'the pending password is refused' };

const VIEWS: Record<string, ServiceView> = {
  'no-service': { kind: 'no-service' },
  'current-accepted': { kind: 'current-accepted' },
  'pending-accepted': { kind: 'other-accepted', versionId: TOKEN, label: 'AWSPENDING' },
  'none-accepted': { kind: 'none-accepted' },
  'unknown': { kind: 'unknown', reason: 'the service could not be reached' },
};

describe('advice about a pending label', () => {
  test.each(Object.keys(VIEWS))('%s: removing the label is advised only when the AWSCURRENT password works (or no service uses one)', (name) => {
    const view = VIEWS[name];
    const removable = view.kind === 'no-service' || view.kind === 'current-accepted';
    const messages = [
      stepFailedMessage(facts(), { token: TOKEN, failure, view, resumed: false }),
      stalePendingMessage(facts(), { pendingVersionId: TOKEN, view, repairAllowed: false }),
    ];
    for (const message of messages) {
      expect(message.includes(REMOVE_PENDING)).toBe(removable);
      expect(message.includes('clients keep working')).toBe(view.kind === 'current-accepted');
    }
  });

  test('when only the pending password works: keep the label, and the command that moves AWSCURRENT to it', () => {
    const message = stepFailedMessage(facts(), { token: TOKEN, failure, view: VIEWS['pending-accepted'], resumed: false });

    expect(message).toContain(`Do not remove AWSPENDING from version ${TOKEN}: its value is the one that works.`);
    expect(message).toContain(`--version-stage AWSCURRENT --move-to-version-id ${TOKEN} --remove-from-version-id ${OLD}`);
  });

  test('a stale label the repair could not settle says what the repair does', () => {
    const message = stalePendingMessage(facts(), { pendingVersionId: TOKEN, view: VIEWS.unknown, repairAllowed: true });

    expect(message).toContain('repairStalePending is set, but the check removes the label only when the service accepts the AWSCURRENT password');
  });
});

describe('failure messages', () => {
  test('stay one line and within their budget with many versions and a long error', () => {
    const stages: Record<string, string[]> = { ...STAGES };
    for (let i = 0; i < 18; i++) stages[`custom-version-${String(i).padStart(20, '0')}`] = [`custom-label-${i}`];

    const message = stepFailedMessage(facts(stages), { token: TOKEN, failure: { step: 'setSecret', error: 'e'.repeat(400) }, view: VIEWS.unknown, resumed: false });

    expect(message.length).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH);
    expect(message).not.toContain('\n');
    // The interesting versions come first; the rest are counted.
    expect(message).toContain(`Versions: ${OLD} [AWSCURRENT]; ${TOKEN} [AWSPENDING] (this rotation);`);
    expect(message).toContain('; and 14 more.');
  });

  test('labels left inconsistent by a finished rotation, and a resumed rotation that did not finish, say what to look at', () => {
    const stages = { [TOKEN]: ['AWSCURRENT'], [OLD]: ['AWSPENDING'] };

    expect(inconsistentLabelsMessage(facts(stages), TOKEN, ['AWSPENDING is on version x'])).toBe(
      `Rotation of secret "app/database" (${ARN}) moved AWSCURRENT to the new version ${TOKEN}, but the staging labels are inconsistent: `
      + `AWSPENDING is on version x. Versions: ${TOKEN} [AWSCURRENT] (this rotation); ${OLD} [AWSPENDING]. `
      + 'Clients use the new AWSCURRENT value. Fix the labels with aws secretsmanager update-secret-version-stage and deploy again. '
      + `Details: CloudWatch log group ${LOG_GROUP}, search for ${TOKEN}.`,
    );
    expect(resumeIncompleteMessage(facts(), TOKEN)).toMatch(new RegExp(`^Resuming rotation ${TOKEN} of secret "app/database" \\(${ARN}\\): every step succeeded, but version ${TOKEN} is not AWSCURRENT`));
  });

  test('a resumed rotation is named as such', () => {
    expect(stepFailedMessage(facts(), { token: TOKEN, failure, view: VIEWS['current-accepted'], resumed: true }))
      .toMatch(new RegExp(`^Resuming rotation ${TOKEN} of secret "app/database" \\(${ARN}\\) failed in step testSecret`));
  });

  test('timed out: quote the diagnosis of each evidence', () => {
    const texts = (['missing', 'stored', 'unknown'] as const).map((evidence) =>
      timedOutMessage(facts(), {
        token: TOKEN,
        timeoutSeconds: 300,
        diagnosis: diagnoseStall(TOKEN, evidence),
        logLookup: { kind: 'none' },
        runtimeFailures: [],
        view: VIEWS['current-accepted'],
      }));

    expect(texts[0]).toContain('so createSecret did not complete.');
    expect(texts[1]).toContain('so setSecret, testSecret or finishSecret did not complete.');
    expect(texts[2]).toContain('so one of createSecret, setSecret, testSecret or finishSecret did not complete.');
    for (const text of texts) expect(text).toContain('did not finish within 300 seconds');
  });

  test('diagnoseStall lists the possible steps', () => {
    expect(diagnoseStall(TOKEN, 'missing').possibleSteps).toEqual(['createSecret']);
    expect(diagnoseStall(TOKEN, 'stored').possibleSteps).toEqual(['setSecret', 'testSecret', 'finishSecret']);
    expect(diagnoseStall(TOKEN, 'unknown').possibleSteps).toHaveLength(4);
  });
});
