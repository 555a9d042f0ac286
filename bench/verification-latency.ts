/**
 * How long deploy-time verification keeps a deployment waiting after the rotation has finished.
 *
 * A stack with one RotatingSecret is created on the local CloudFormation, whose check function (the bundled one)
 * starts the first rotation (the bundled generic rotation function) and looks at it after 1, 2, 4, ... seconds, at
 * most the poll interval (the construct's default, 10 s). A simulated rotation takes milliseconds, so each
 * rotation's last call (finishSecret's UpdateSecretVersionStage) is held for a time spread evenly over two intervals:
 * completion then falls at every phase of the looking cycle.
 *
 * Delay = from the rotation's RotationSucceeded event to the check resource's CREATE_COMPLETE stack event (both in the
 * simulator's time). It leaves out what the simulator cannot show: Lambda's own scheduling and network round trips.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { SecretsManagerSimulator } from '../simulator';
import { LocalCloudFormation } from '../simulator/cloudformation';
import { RotatingSecret } from '../src';
import { CHECK_POLL_INTERVAL_SECONDS, CHECK_RESOURCE_TYPE } from '../src/private/contract';

export interface VerificationLatency {
  /** The construct's default poll interval, in ms: the longest wait between two looks. */
  readonly intervalMs: number;
  /** Per verified rotation: ms from RotationSucceeded to the check's CREATE_COMPLETE. */
  readonly delaysMs: number[];
  /** Per verified rotation: how long the rotation's last call was held, ms. */
  readonly heldMs: number[];
}

export async function measureVerificationLatency(rotations: number): Promise<VerificationLatency> {
  const intervalMs = CHECK_POLL_INTERVAL_SECONDS.default * 1000;
  const sim = await SecretsManagerSimulator.start();
  const cfn = new LocalCloudFormation(sim);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-verification-'));
  const succeededAt = new Map<string, number>();
  sim.onRotationEvent((event) => {
    if (event.type === 'RotationSucceeded' && event.trigger === 'RotateSecret') succeededAt.set(event.secretArn, event.time);
  });
  try {
    const delaysMs: number[] = [];
    const heldMs: number[] = [];
    for (let i = 0; i < rotations; i++) {
      const stackName = `Verified${i}`;
      const held = ((i + 0.5) / rotations) * 2 * intervalMs;
      sim.faults.delayCall('UpdateSecretVersionStage', { ms: held });
      const outdir = fs.mkdtempSync(path.join(work, 'assembly-'));
      const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
      new RotatingSecret(new Stack(app, stackName, { env: { account: sim.accountId, region: sim.region } }), 'ApiKey');
      app.synth();
      const result = await cfn.deploy({ assemblyDir: outdir, stackName });
      if (result.status !== 'CREATE_COMPLETE') throw new Error(`${stackName}: ${result.status} ${result.statusReason ?? ''}`);
      const stack = cfn.describeStack(stackName)!;
      const secretArn = stack.resources.find((r) => r.type === 'AWS::SecretsManager::Secret')!.physicalId!;
      const checked = cfn.events(stackName).find((e) => e.resourceType === CHECK_RESOURCE_TYPE && e.resourceStatus === 'CREATE_COMPLETE')!;
      delaysMs.push(checked.timestamp - succeededAt.get(secretArn)!);
      heldMs.push(held);
      await cfn.delete(stackName);
    }
    return { intervalMs, delaysMs, heldMs };
  } finally {
    await cfn.stop();
    await sim.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}
