import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { startDeployer } from './support';
import { RotatingSecret } from '../../../src';

/** Smoke test: this library's construct deploys and deletes through the deployer (its own tests live elsewhere). */

test('a RotatingSecret assembly without the deploy-time check deploys, rotates and deletes', async () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'smoke-assembly-'));
  const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
  new RotatingSecret(new Stack(app, 'Smoke'), 'X', { verifyOnDeploy: false });
  app.synth();
  const env = await startDeployer();
  try {
    const deployed = await env.cfn.deploy({ assemblyDir: outdir, stackName: 'Smoke' });
    const failures = env.cfn.events('Smoke').filter((e) => e.resourceStatus.endsWith('FAILED')).map((e) => `${e.logicalResourceId}: ${e.resourceStatusReason}`);
    expect(failures).toEqual([]);
    expect(deployed.status).toBe('CREATE_COMPLETE');
    await env.sim.waitForIdle();
    expect(env.sim.events.map((e) => e.type)).toEqual(['RotationStarted', 'RotationSucceeded']);
    expect((await env.cfn.delete('Smoke')).status).toBe('DELETE_COMPLETE');
  } finally {
    await env.stop();
  }
});
