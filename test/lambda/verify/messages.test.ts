import { LOG_GROUP, SECRET_ARN, SECRET_NAME } from './fixtures';
import { diagnoseStall } from '../../../lambda/verify/diagnosis';
import { MAX_MESSAGE_LENGTH, RotationContext, stepFailedMessage, timedOutMessage } from '../../../lambda/verify/messages';

const TOKEN = 'tttttttt-tttt-4ttt-8ttt-tttttttttttt';
const OLD = 'oooooooo-oooo-4ooo-8ooo-oooooooooooo';

function context(versionIdsToStages: Record<string, string[]>): RotationContext {
  return { secret: { arn: SECRET_ARN, name: SECRET_NAME, versionIdsToStages }, token: TOKEN, previousVersionId: OLD, logGroup: LOG_GROUP };
}

describe('failure messages', () => {
  test('stay one line and within the CloudFormation budget with many versions and a long error', () => {
    const stages: Record<string, string[]> = { [OLD]: ['AWSCURRENT'], [TOKEN]: ['AWSPENDING'] };
    for (let i = 0; i < 18; i++) stages[`custom-version-${String(i).padStart(20, '0')}`] = [`custom-label-${i}`];

    const message = stepFailedMessage(context(stages), { step: 'setSecret', error: 'e'.repeat(400) });

    expect(message.length).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH);
    expect(message).not.toContain('\n');
    // The interesting versions come first; the rest are counted.
    expect(message).toContain(`Versions: ${OLD} [AWSCURRENT]; ${TOKEN} [AWSPENDING] (this rotation);`);
    expect(message).toContain('; and 14 more.');
    expect(message).toContain(`--remove-from-version-id ${TOKEN}`);
  });

  test('say where AWSCURRENT is when it is no longer the version from before the rotation', () => {
    const message = stepFailedMessage(context({ other: ['AWSCURRENT'], [TOKEN]: ['AWSPENDING'] }), { step: 'finishSecret', error: 'x' });

    expect(message).toContain('AWSCURRENT is on version other.');
    expect(message).not.toContain('still on version');
  });

  test('timed out: quote the diagnosis of each evidence', () => {
    const stages = { [OLD]: ['AWSCURRENT'], [TOKEN]: ['AWSPENDING'] };
    const texts = (['missing', 'stored', 'unknown'] as const).map((evidence) =>
      timedOutMessage(context(stages), {
        timeoutSeconds: 300,
        diagnosis: diagnoseStall(TOKEN, evidence),
        logLookup: { kind: 'none' },
        runtimeFailures: [],
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
