import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { functionArn, logGroupOf } from './simulator';
import { createJsonLogger, safeErrorMessage } from '../../../lambda/rotation/log';
import { runRotationStep } from '../../../lambda/rotation/protocol';
import { SdkSecretsStore } from '../../../lambda/rotation/secrets-store';
import type { Logger, ProtectedService } from '../../../lambda/rotation/types';
import type { SecretsManagerSimulator } from '../../../simulator';
import { ROTATION_FAILURE_MESSAGE, StrategyName } from '../../../src/private/contract';
import { testOptionSet } from '../../support/strategies';

/** The rotation event as the simulator sends it. */
export interface StepEvent {
  readonly Step: string;
  readonly SecretId: string;
  readonly ClientRequestToken: string;
  readonly RotationToken?: string;
}

/**
 * One invocation of an in-process rotation function. `crash()` ends it as a dying process would: the
 * invocation fails at once and none of its code runs any further (the caller also closes its connections).
 */
export class Invocation {
  public readonly crashed: Promise<never>;
  private crashWith?: (error: Error) => void;
  private hasCrashed = false;

  constructor(public readonly event: StepEvent) {
    this.crashed = new Promise<never>((_, reject) => (this.crashWith = reject));
    // Nobody awaits `crashed` when the invocation ends normally.
    this.crashed.catch(() => undefined);
  }

  public get didCrash(): boolean {
    return this.hasCrashed;
  }

  public crash(reason: string): void {
    this.hasCrashed = true;
    const error = new Error(`Runtime exited: ${reason}`);
    error.name = 'Runtime.ExitError';
    this.crashWith!(error);
  }
}

export interface InProcessRotationOptions {
  /** The function's name; its log group is `/aws/lambda/<name>`. */
  readonly name: string;
  /** ROTATION_STRATEGY, which picks the password policy's defaults (every secret gets the strategy's default option set). */
  readonly strategy: StrategyName;
  /** SDK attempts per call. @default 1: an injected API fault fails the step instead of being retried away */
  readonly sdkMaxAttempts?: number;
  /** The strategy, built fresh for every invocation (as the real handler does). */
  service(invocation: Invocation): ProtectedService;
  /** Runs before the step; throwing fails the invocation before the step starts. */
  beforeStep?(event: StepEvent): void;
  /** Runs after the step returned; throwing fails the invocation after the step did its work. */
  afterStep?(event: StepEvent): void;
}

/** A registered in-process rotation function. */
export interface InProcessRotation {
  readonly arn: string;
  readonly logGroup: string;
  /** Runs one step as Secrets Manager's invocation would, and returns the error, if any. */
  invoke(event: StepEvent): Promise<Error | undefined>;
  destroy(): void;
}

/**
 * A rotation function made of the real engine (runRotationStep, SdkSecretsStore, the strategy) wired as
 * lambda/rotation/handler.ts wires it, running inside the test process against the simulator, so a test
 * can reach into the strategy (its database connector) and its invocations. Its JSON log lines go to the
 * simulator's log group for the function, as the real function's would go to CloudWatch Logs.
 */
export function registerInProcessRotation(sim: SecretsManagerSimulator, options: InProcessRotationOptions): InProcessRotation {
  const arn = functionArn(options.name);
  const logGroup = logGroupOf(arn);
  const client = new SecretsManagerClient({ ...sim.clientConfig(), maxAttempts: options.sdkMaxAttempts ?? 1 });
  const store = new SdkSecretsStore(client);
  const optionSet = testOptionSet(options.strategy);
  const log: Logger = createJsonLogger(
    (line) => sim.logs.append(logGroup, '2030/01/01/[$LATEST]in-process', line.replace(/\n$/, '')),
    () => new Date(sim.clock.now()),
  );

  const run = async (event: StepEvent): Promise<void> => {
    const invocation = new Invocation(event);
    const fields = { step: event.Step, secretArn: event.SecretId, token: event.ClientRequestToken, strategy: options.strategy };
    try {
      log.info('rotation step started', fields);
      options.beforeStep?.(event);
      const service = options.service(invocation);
      await Promise.race([runRotationStep(event, { store, service, optionsFor: () => optionSet, log }), invocation.crashed]);
      options.afterStep?.(event);
      log.info('rotation step finished', fields);
    } catch (error) {
      // A process that died writes nothing more.
      if (!invocation.didCrash) log.error(ROTATION_FAILURE_MESSAGE, { ...fields, error: safeErrorMessage(error) });
      throw error;
    }
  };
  sim.registerFunction(arn, { handler: run });

  return {
    arn,
    logGroup,
    invoke: (event) => run(event).then(() => undefined, (error: Error) => error),
    destroy: () => client.destroy(),
  };
}
