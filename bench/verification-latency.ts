/**
 * How long deploy-time verification keeps a deployment waiting after the rotation has finished.
 *
 * The bundled onEvent and isComplete handlers run against the simulator (whose RotateSecret runs the bundled
 * generic rotation function), driven the way aws-cdk-lib's Provider framework drives them: onEvent, then
 * isComplete at once (the waiter state machine's first task), then again `interval` after every "not yet"
 * (its Retry with IntervalSeconds = queryInterval and backoff 1). The interval is the construct's default
 * scaled down, so a run takes seconds; what is compared is the delay in units of that interval.
 *
 * A simulated rotation takes milliseconds, so it would always finish just after the first, immediate poll.
 * To sample every phase of the polling cycle, each rotation's last call (finishSecret's
 * UpdateSecretVersionStage) is held for a time spread evenly over two intervals.
 *
 * Delay = from the rotation's RotationSucceeded event (taken in this process when the simulator records it)
 * to the moment the isComplete call that reports completion returns. It leaves out what the simulator cannot
 * show: Step Functions' and Lambda's own scheduling latency, and real network round trips.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateSecretCommand, RotateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsManagerSimulator } from '../simulator';
import { DEFAULT_POLL_INTERVAL } from '../src/private/deploy-verification';
import { bundleAssetDir, rotationEnvironment } from '../test/support/strategies';


export interface VerificationLatency {
  /** The construct's default poll interval, in ms. */
  readonly defaultIntervalMs: number;
  /** The interval the handlers were polled at. */
  readonly intervalMs: number;
  /** Per verified rotation: ms from RotationSucceeded to the completing isComplete's return. */
  readonly delaysMs: number[];
  /** isComplete calls per verification. */
  readonly polls: number[];
  /** Duration of every isComplete call, ms. */
  readonly isCompleteCallMs: number[];
  /** Per verified rotation: duration of the isComplete call that reported completion, ms. */
  readonly completingCallMs: number[];
}

export async function measureVerificationLatency(rotations: number, scale: number): Promise<VerificationLatency> {
  const intervalMs = DEFAULT_POLL_INTERVAL.toMilliseconds() / scale;
  const sim = await SecretsManagerSimulator.start();
  const client = new SecretsManagerClient(sim.clientConfig());
  const arn = (name: string) => `arn:aws:lambda:${sim.region}:${sim.accountId}:function:${name}`;
  const rotation = arn('generic-rotation');
  const onEvent = arn('rotation-check-on-event');
  const isComplete = arn('rotation-check-is-complete');
  sim.registerFunction(rotation, {
    assetDir: bundleAssetDir('genericRotation'),
    environment: rotationEnvironment('generic'),
    timeoutSeconds: 30,
  });
  for (const [functionArn, handler] of [[onEvent, 'index.onEvent'], [isComplete, 'index.isComplete']]) {
    sim.registerFunction(functionArn, { assetDir: bundleAssetDir('verification'), handler, timeoutSeconds: 30 });
  }
  const succeededAt = new Map<string, bigint>();
  sim.onRotationEvent((event) => {
    if (event.type === 'RotationSucceeded' && event.trigger === 'RotateSecret') succeededAt.set(event.secretArn, process.hrtime.bigint());
  });

  try {
    const delaysMs: number[] = [];
    const polls: number[] = [];
    const isCompleteCallMs: number[] = [];
    const completingCallMs: number[] = [];
    for (let i = 0; i < rotations; i++) {
      // As the RotationSchedule leaves a secret with verification on: rotation configured, not yet rotated.
      const { ARN } = await client.send(new CreateSecretCommand({ Name: `verified-${i}`, SecretString: 'initial-api-key' }));
      await client.send(new RotateSecretCommand({ SecretId: ARN, RotationLambdaARN: rotation, RotationRules: { ScheduleExpression: 'rate(30 days)' }, RotateImmediately: false }));
      await sim.waitForIdle();
      sim.faults.delayCall('UpdateSecretVersionStage', { ms: ((i + 0.5) / rotations) * 2 * intervalMs });
      const event = createEvent(ARN!, onEvent, rotation);
      const started = await sim.invokeFunction(onEvent, event);
      if (!started.ok) throw new Error(`onEvent failed for ${ARN}: ${started.errorMessage}`);
      for (let poll = 1; ; poll++) {
        const calledAt = process.hrtime.bigint();
        const result = await sim.invokeFunction(isComplete, { ...event, ...(started.result as object) });
        const returnedAt = process.hrtime.bigint();
        isCompleteCallMs.push(Number(returnedAt - calledAt) / 1e6);
        if (!result.ok) throw new Error(`isComplete failed for ${ARN}: ${result.errorMessage}`);
        if ((result.result as { IsComplete: boolean }).IsComplete) {
          const succeeded = succeededAt.get(ARN!);
          if (succeeded === undefined) throw new Error(`isComplete reported ${ARN} complete before its rotation succeeded`);
          delaysMs.push(Number(returnedAt - succeeded) / 1e6);
          completingCallMs.push(Number(returnedAt - calledAt) / 1e6);
          polls.push(poll);
          break;
        }
        if (poll > 1000) throw new Error(`the rotation of ${ARN} did not complete within 1000 polls`);
        await sleep(intervalMs);
      }
    }
    return { defaultIntervalMs: DEFAULT_POLL_INTERVAL.toMilliseconds(), intervalMs, delaysMs, polls, isCompleteCallMs, completingCallMs };
  } finally {
    client.destroy();
    await sim.stop();
  }
}

/** A Create event as CloudFormation sends it for the construct's Custom::RotationCheck. */
function createEvent(secretArn: string, serviceToken: string, rotationFunction: string) {
  return {
    RequestType: 'Create',
    ServiceToken: serviceToken,
    ResponseURL: 'http://127.0.0.1/unused',
    StackId: `arn:aws:cloudformation:us-east-1:123456789012:stack/RotatingSecretsBench/${randomUUID()}`,
    RequestId: randomUUID(),
    LogicalResourceId: 'SecretRotationCheck',
    ResourceType: 'Custom::RotationCheck',
    ResourceProperties: {
      ServiceToken: serviceToken,
      SecretArn: secretArn,
      RotationFingerprint: 'bench',
      TimeoutSeconds: '600',
      RepairStalePending: 'false',
      RotationLogGroup: `/aws/lambda/${rotationFunction.split(':').pop()}`,
    },
  };
}
