import { ResourceExistsError, RotationError } from './errors';
import { safeErrorMessage } from './log';
import { generatePassword } from './password';
import type {
  Logger,
  PasswordOptionSet,
  ProtectedService,
  RotationEvent,
  RotationStep,
  SecretDescription,
  SecretsStore,
  StepContext,
} from './types';
import { AWSCURRENT, AWSPENDING } from '../../src/private/contract';

/** What the protocol runs against: everything with a side effect comes in here. */
export interface ProtocolDependencies {
  readonly store: SecretsStore;
  readonly service: ProtectedService;
  /** The password option set the described secret selects; throws when it selects none the function declares. */
  readonly optionsFor: (secret: SecretDescription) => PasswordOptionSet;
  readonly log: Logger;
}

/** The steps Secrets Manager invokes, in order. */
export const ROTATION_STEPS: readonly RotationStep[] = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];

/** A version id (ClientRequestToken): 32 to 64 characters (a UUID in practice). */
export const VERSION_ID_PATTERN = /^[a-zA-Z0-9-]{32,64}$/;

/** Which step, secret and token an error or log line is about. */
interface Where {
  readonly step: string;
  readonly secretArn: string;
  readonly token: string;
}

/**
 * Runs one step of Secrets Manager's four-step rotation protocol, as AWS's rotation templates do, with
 * fewer API calls: a whole generic rotation makes 9 Secrets Manager calls (4 + 1 + 2 + 2).
 *
 * Every step is safe to run twice, or concurrently, with the same token: createSecret never overwrites a
 * pending value, and a lost race (ResourceExists on PutSecretValue, a failed move in finishSecret) counts as
 * success once Secrets Manager shows the winner's result.
 *
 * Errors are RotationErrors naming the step, the secret ARN and the token; they never hold a secret value.
 */
export async function runRotationStep(event: unknown, deps: ProtocolDependencies): Promise<void> {
  const { Step: step, SecretId: secretId, ClientRequestToken: token, RotationToken: rotationToken } = validateEvent(event);
  let where: Where = { step, secretArn: secretId, token };
  // Before any call: an unknown step must fail even when the token is already AWSCURRENT (where the entry
  // checks would end the step as done).
  if (!(ROTATION_STEPS as readonly string[]).includes(step)) {
    throw failure(where, `unknown step; expected one of ${ROTATION_STEPS.join(', ')}`);
  }
  try {
    const description = await deps.store.describe(secretId);
    where = { ...where, secretArn: description.arn };
    if (!passesEntryChecks(description, where, deps.log, deps.service.name)) {
      // A finishSecret that failed after moving AWSCURRENT is retried: what it had left to do, it does now.
      if (step === 'finishSecret' && deps.service.retirePrevious) await deps.service.retirePrevious(stepContext(description, token, deps));
      return;
    }
    const context = stepContext(description, token, deps);

    switch (step as RotationStep) {
      case 'createSecret':
        return await createSecret(context, deps, rotationToken);
      case 'setSecret':
        return await deps.service.setSecret(context);
      case 'testSecret':
        return await deps.service.testSecret(context);
      case 'finishSecret':
        await finishSecret(description, where, deps);
        return await deps.service.retirePrevious?.(context);
    }
  } catch (error) {
    if (error instanceof RotationError) throw error;
    throw failure(where, safeErrorMessage(error), error);
  }
}

function stepContext(description: SecretDescription, token: string, deps: ProtocolDependencies): StepContext {
  const options = deps.optionsFor(description);
  return {
    secretArn: description.arn,
    token,
    store: deps.store,
    log: deps.log,
    options,
    generatePassword: () => generatePassword(options.passwordPolicy),
  };
}

/** Checks the event's shape before anything else; errors name the field. */
export function validateEvent(event: unknown): RotationEvent {
  if (typeof event !== 'object' || event === null) {
    throw new RotationError(`invalid rotation event: expected an object, got ${event === null ? 'null' : typeof event}`);
  }
  const { Step, SecretId, ClientRequestToken, RotationToken } = event as Record<string, unknown>;
  if (typeof Step !== 'string') {
    throw new RotationError(`invalid rotation event: \`Step\` must be a string, got ${typeof Step}`);
  }
  if (typeof SecretId !== 'string' || SecretId.length === 0) {
    throw new RotationError(`invalid rotation event: \`SecretId\` must be a non-empty string, got ${describeValue(SecretId)}`);
  }
  if (typeof ClientRequestToken !== 'string' || !VERSION_ID_PATTERN.test(ClientRequestToken)) {
    throw new RotationError(`invalid rotation event: \`ClientRequestToken\` must be 32 to 64 characters of [a-zA-Z0-9-], got ${describeValue(ClientRequestToken)}`);
  }
  if (RotationToken !== undefined && (typeof RotationToken !== 'string' || RotationToken.length === 0)) {
    throw new RotationError(`invalid rotation event: \`RotationToken\` must be a non-empty string when present, got ${describeValue(RotationToken)}`);
  }
  return { Step, SecretId, ClientRequestToken, RotationToken };
}

/**
 * The checks AWS's templates make before every step. Returns false when the token is already AWSCURRENT:
 * the rotation has finished and the step has nothing left to do.
 */
function passesEntryChecks(description: SecretDescription, where: Where, log: Logger, strategy: string): boolean {
  if (!description.rotationEnabled) {
    throw failure(where, 'rotation is not enabled for this secret');
  }
  const stages = stagesOf(description, where.token);
  if (stages === undefined) {
    throw failure(where, 'the token is not a version of this secret, so it has no stage for rotation');
  }
  if (stages.includes(AWSCURRENT)) {
    log.info(`version is already ${AWSCURRENT}; nothing to do`, { ...where, strategy });
    return false;
  }
  if (!stages.includes(AWSPENDING)) {
    throw failure(where, `the token's version is not ${AWSPENDING} (its stages: [${stages.join(', ')}])`);
  }
  return true;
}

/** Stores the pending value under the token, once: a value already there is never overwritten. */
async function createSecret(context: StepContext, deps: ProtocolDependencies, rotationToken: string | undefined): Promise<void> {
  const { store, log, secretArn, token } = context;
  const fields = { step: 'createSecret', secretArn, token, strategy: deps.service.name };
  if (await readPending(store, secretArn, token) !== undefined) {
    log.info('pending value already exists; keeping it', fields);
    return;
  }
  const readCurrent = async () => {
    const current = await store.getValue(secretArn, { stage: AWSCURRENT });
    if (current === undefined) {
      throw failure({ step: 'createSecret', secretArn, token }, `the secret has no ${AWSCURRENT} value to derive the pending value from`);
    }
    return current;
  };
  const pending = await deps.service.createPendingValue(readCurrent, context);
  try {
    await store.putPendingValue(secretArn, token, pending, rotationToken);
  } catch (error) {
    // A concurrent createSecret with the same token stored its value first: that value stands.
    if (error instanceof ResourceExistsError && await readPending(store, secretArn, token) !== undefined) {
      log.info('a concurrent createSecret stored the pending value first; keeping it', fields);
      await deps.service.discardPendingValue?.(pending, context);
      return;
    }
    throw error;
  }
  log.info('pending value stored', fields);
}

/** Moves AWSCURRENT to the token; Secrets Manager moves AWSPREVIOUS to the old version itself. */
async function finishSecret(description: SecretDescription, where: Where, deps: ProtocolDependencies): Promise<void> {
  const { store, log } = deps;
  const fields = { ...where, strategy: deps.service.name };
  // The entry checks returned already if the token holds AWSCURRENT, so another version holds it here.
  const currentVersion = Object.keys(description.versionIdsToStages).find((id) => stagesOf(description, id)?.includes(AWSCURRENT));
  if (currentVersion === undefined) {
    throw failure(where, `no version of the secret holds ${AWSCURRENT}`);
  }
  try {
    await store.moveCurrent(where.secretArn, where.token, currentVersion);
  } catch (error) {
    const again = await store.describe(where.secretArn);
    if (stagesOf(again, where.token)?.includes(AWSCURRENT)) {
      log.info(`a concurrent finishSecret already moved ${AWSCURRENT} to this version`, fields);
      return;
    }
    throw failure(where, `could not move ${AWSCURRENT} from version ${currentVersion}: ${safeErrorMessage(error)}`, error);
  }
  log.info(`${AWSCURRENT} moved to the new version`, { ...fields, previousVersion: currentVersion });
}

function readPending(store: SecretsStore, secretArn: string, token: string): Promise<string | undefined> {
  return store.getValue(secretArn, { versionId: token, stage: AWSPENDING });
}

function stagesOf(description: SecretDescription, versionId: string): readonly string[] | undefined {
  return Object.hasOwn(description.versionIdsToStages, versionId) ? description.versionIdsToStages[versionId] : undefined;
}

function failure(where: Where, problem: string, cause?: unknown): RotationError {
  const message = `${where.step} failed for secret ${where.secretArn} (token ${where.token}): ${problem}`;
  return new RotationError(message, cause === undefined ? undefined : { cause });
}

/** An event field for an error: identifiers, not secrets, but they may be anything, so only type and length. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `a string of ${value.length} characters`;
  if (Array.isArray(value)) return `a list of ${value.length}`;
  return value === null ? 'null' : typeof value;
}
