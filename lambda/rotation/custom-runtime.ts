/**
 * The runtime entry point of `RotationStrategy.custom`, shipped as `cdk-rotating-secrets/runtime`: the user writes what
 * is specific to their service (set the pending value there, test it; optionally generate it), and this library's
 * protocol engine does the rest (entry checks, createSecret without overwriting, finishSecret, idempotency, labels),
 * logs the failure record the deploy-time check reads, and answers the check's probe with the user's test.
 *
 * Its public types are declared here, self-contained, because they are what the package's `runtime/index.d.ts` holds.
 */
import { answerProbeWith, runStepWith } from './handler';
import { safeErrorMessage } from './log';
import type { ProbeVerdict, ProtectedService, StepContext } from './types';
import { AWSCURRENT, AWSPENDING, GENERIC_EXCLUDE_CHARACTERS, isProbeRequest, passwordPolicyWithDefaults } from '../../src/private/contract';

/** A structured log: one JSON line per call. Never pass it a secret value. */
export interface RotationLog {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** What each of your functions is told about the rotation. */
export interface RotationContext {
  readonly secretArn: string;
  /** The new version's id (Secrets Manager's ClientRequestToken); empty when the deploy-time check asks `testSecret`. */
  readonly token: string;
  readonly log: RotationLog;
  /** A new random password: 32 characters, letters, digits and punctuation but `/@"'\`, from a secure generator. */
  generatePassword(): string;
}

/** The values a step works with. */
export interface RotationValues {
  /** The new value (AWSPENDING), which the service must accept. */
  readonly pending: string;
  /** The value clients use now (AWSCURRENT). */
  readonly current: string;
}

/**
 * What is specific to your service. Each function may run more than once for one rotation (Secrets Manager retries,
 * the check resumes), so make it idempotent. Error messages show in the deploy's failure message and the logs: never
 * put a secret value in them.
 */
export interface CustomRotation {
  /**
   * A name for log lines and messages, e.g. the service's.
   * @default 'custom'
   */
  readonly name?: string;
  /**
   * The new value, from the current one (e.g. a JSON document with a new field).
   * @default - a new random password (`context.generatePassword()`)
   */
  generate?(current: string, context: RotationContext): string | Promise<string>;
  /** Makes the service accept `values.pending` (keeping `values.current` working, if it can, until the next rotation). */
  setSecret(values: RotationValues, context: RotationContext): Promise<void>;
  /** Throws unless the service accepts `values.pending`. Also asked by the deploy-time check, for each labelled value. */
  testSecret(values: RotationValues, context: RotationContext): Promise<void>;
}

/** The Lambda handler that rotates with `rotation`: export it as your entry file's `handler`. */
export function rotationHandler(rotation: CustomRotation): (event: unknown) => Promise<unknown> {
  const name = rotation.name ?? 'custom';
  const options = { passwordPolicy: passwordPolicyWithDefaults({}, GENERIC_EXCLUDE_CHARACTERS) };
  return (event) => (isProbeRequest(event)
    ? answerProbeWith(event, name, () => new CustomService(name, rotation, String(event.ProbeVersions.SecretId)))
    : runStepWith(event, name, () => ({ service: new CustomService(name, rotation), optionsFor: () => options })));
}

/** The user's rotation as the engine's protected service. */
class CustomService implements ProtectedService {
  /** `probedSecret`: the secret a probe asks about (the engine's probe hook is told only how to read a version). */
  constructor(public readonly name: string, private readonly rotation: CustomRotation, private readonly probedSecret = '') {}

  async createPendingValue(readCurrent: () => Promise<string>, context: StepContext): Promise<string> {
    if (this.rotation.generate === undefined) return context.generatePassword();
    const value = await this.rotation.generate(await readCurrent(), publicContext(context));
    if (typeof value !== 'string' || value === '') throw new Error('`generate` must return a non-empty string');
    return value;
  }

  async setSecret(context: StepContext): Promise<void> {
    await this.rotation.setSecret(await values(context), publicContext(context));
  }

  async testSecret(context: StepContext): Promise<void> {
    await this.rotation.testSecret(await values(context), publicContext(context));
  }

  /** A version the user's test accepts is `accepted`; one it rejects, `refused` with its error. Nothing changes. */
  async probe(readValue: () => Promise<string | undefined>): Promise<ProbeVerdict> {
    const value = await readValue();
    if (value === undefined) return { outcome: 'refused', reason: 'the version has no value' };
    const context: RotationContext = { secretArn: this.probedSecret, token: '', log: silentLog, generatePassword: () => { throw new Error('a probe generates nothing'); } };
    try {
      await this.rotation.testSecret({ pending: value, current: value }, context);
      return { outcome: 'accepted' };
    } catch (error) {
      return { outcome: 'refused', reason: safeErrorMessage(error) };
    }
  }
}

async function values(context: StepContext): Promise<RotationValues> {
  const pending = await context.store.getValue(context.secretArn, { versionId: context.token, stage: AWSPENDING });
  if (pending === undefined) throw new Error('the pending version has no value (createSecret has not stored one)');
  const current = await context.store.getValue(context.secretArn, { stage: AWSCURRENT });
  if (current === undefined) throw new Error(`the secret has no ${AWSCURRENT} value`);
  return { pending, current };
}

function publicContext(context: StepContext): RotationContext {
  return { secretArn: context.secretArn, token: context.token, log: context.log, generatePassword: () => context.generatePassword() };
}

const silentLog: RotationLog = { info: () => undefined, warn: () => undefined, error: () => undefined };
