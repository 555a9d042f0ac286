import { App } from 'aws-cdk-lib';
import { ExampleStack } from './example-stack';
import { RotationFunctionsExampleStack } from './rotation-functions-stack';

const app = new App();
// `-c example:revised=true` synthesizes the app's second version, which the sandbox deploys as an update.
new ExampleStack(app, 'RotatingSecretsExample', { revised: app.node.tryGetContext('example:revised') === 'true' });
// `-c example:webhookReceiverUrl=<url>` adds the rotations this library does not write (the sandbox starts a receiver).
const webhookReceiverUrl: string | undefined = app.node.tryGetContext('example:webhookReceiverUrl');
if (webhookReceiverUrl) new RotationFunctionsExampleStack(app, 'RotationFunctionsExample', { webhookReceiverUrl });
app.synth();
