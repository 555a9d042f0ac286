import { App } from 'aws-cdk-lib';
import { ExampleStack } from './example-stack';

const app = new App();
// `-c example:revised=true` synthesizes the app's second version, which the sandbox deploys as an update.
new ExampleStack(app, 'RotatingSecretsExample', { revised: app.node.tryGetContext('example:revised') === 'true' });
app.synth();
