import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsManagerSimulator, SimulatorOptions } from '../../../simulator';
import { LocalCloudFormation, LocalCloudFormationOptions, StackEvent } from '../../../simulator/cloudformation';

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';

/**
 * A simulator (IAM enforced unless `simulatorOptions.iam` says otherwise), a deployer on it, and a Secrets Manager
 * client; `stop()` ends all three.
 */
export async function startDeployer(options: LocalCloudFormationOptions = {}, simulatorOptions: SimulatorOptions = {}) {
  const sim = await SecretsManagerSimulator.start({ iam: 'enforce', ...simulatorOptions });
  const cfn = new LocalCloudFormation(sim, options);
  const client = new SecretsManagerClient({ ...sim.clientConfig(), maxAttempts: 1 });
  return {
    sim,
    cfn,
    client,
    stop: async () => {
      client.destroy();
      await cfn.stop();
      await sim.stop();
    },
  };
}

export function functionArn(name: string): string {
  return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
}

/** A custom-resource response, PUT to the request's ResponseURL as cfn-response does. */
export async function respond(event: any, response: Record<string, unknown>): Promise<void> {
  const body = JSON.stringify({
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    ...response,
  });
  const answer = await fetch(event.ResponseURL, { method: 'PUT', body, headers: { 'content-type': '' } });
  if (!answer.ok) throw new Error(`the ResponseURL answered ${answer.status}`);
}

/** A directory holding `index.js` with `source`: a function asset. */
export function functionAsset(source: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-asset-'));
  fs.writeFileSync(path.join(dir, 'index.js'), source);
  return dir;
}

/** Events as `LogicalId STATUS` lines, for asserting order. */
export function eventLines(events: StackEvent[], filter: (event: StackEvent) => boolean = () => true): string[] {
  return events.filter(filter).map((event) => `${event.logicalResourceId} ${event.resourceStatus}`);
}

/** Index of the first event with this logical id and status (fails the test when absent). */
export function indexOf(events: StackEvent[], logicalId: string, status: string): number {
  const index = events.findIndex((event) => event.logicalResourceId === logicalId && event.resourceStatus === status);
  if (index < 0) throw new Error(`no ${status} event for ${logicalId}; events: ${eventLines(events).join(', ')}`);
  return index;
}

/** Polls `condition` until it holds or `timeoutMs` passes (then throws). */
export async function eventually<T>(condition: () => T | Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * A custom resource type answered by an in-process function that records every request; `behaviour[logicalId]`
 * answers a resource's requests instead of the default SUCCESS (physical id `<LogicalId>-1`, kept on updates).
 */
export function scriptedCustomResource(sim: SecretsManagerSimulator) {
  const serviceToken = functionArn('scripted-resource');
  const requests: any[] = [];
  const behaviour: Record<string, (event: any) => Promise<void>> = {};
  sim.registerFunction(serviceToken, {
    handler: async (event: any) => {
      requests.push(event);
      const answer = behaviour[event.LogicalResourceId];
      if (answer) return answer(event);
      return respond(event, { Status: 'SUCCESS', PhysicalResourceId: event.PhysicalResourceId ?? `${event.LogicalResourceId}-1` });
    },
  });
  const custom = (properties: Record<string, unknown> = {}, attributes: Record<string, unknown> = {}) => ({
    Type: 'Custom::Test',
    Properties: { ServiceToken: serviceToken, ServiceTimeout: 20, ...properties },
    ...attributes,
  });
  return { requests, behaviour, custom };
}

/** A template resource whose only job is to exist (recorded). */
export function topic(extra: Record<string, unknown> = {}) {
  return { Type: 'AWS::SNS::Topic', Properties: {}, ...extra };
}
