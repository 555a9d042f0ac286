import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, CfnOutput, Stack, aws_sns as sns } from 'aws-cdk-lib';
import { startDeployer } from './support';
import { StackEvent } from '../../../simulator/cloudformation';

/** A multi-stack cloud assembly: stacks deploy in the manifest's dependency order, exports feed Fn::ImportValue. */

test('deploying a stack deploys the stacks it depends on first; its cross-stack reference is an export', async () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'multi-stack-assembly-'));
  const app = new App({ outdir });
  const topic = new sns.Topic(new Stack(app, 'Producer'), 'Topic');
  const consumer = new Stack(app, 'Consumer');
  new sns.Topic(consumer, 'Alerts', { displayName: 'alerts' });
  new CfnOutput(consumer, 'TopicName', { value: topic.topicName });
  app.synth();
  const all: StackEvent[] = [];
  const env = await startDeployer({ onEvent: (event) => all.push(event) });
  try {
    const result = await env.cfn.deploy({ assemblyDir: outdir, stackName: 'Consumer' });

    expect(result).toMatchObject({ stackName: 'Consumer', status: 'CREATE_COMPLETE' });
    const stackEvents = all.filter((e) => e.resourceType === 'AWS::CloudFormation::Stack').map((e) => `${e.stackName} ${e.resourceStatus}`);
    expect(stackEvents).toEqual(['Producer CREATE_IN_PROGRESS', 'Producer CREATE_COMPLETE', 'Consumer CREATE_IN_PROGRESS', 'Consumer CREATE_COMPLETE']);
    const topicName = env.cfn.describeStack('Producer')!.resources.find((r) => r.type === 'AWS::SNS::Topic')!.attributes.TopicName;
    expect(env.cfn.describeStack('Consumer')!.outputs.TopicName).toBe(topicName);
    await expect(env.cfn.delete('Producer')).rejects.toThrow(/cannot be deleted as it is in use by Consumer/);
  } finally {
    await env.stop();
  }
});
