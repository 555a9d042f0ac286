/**
 * `npm run sandbox`: starts a local receiver for the example's webhooks, then runs the sandbox CLI on the example app
 * with the receiver's URL as context (the arguments after `--` go to the CLI), and stops the receiver when it is done.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { WebhookReceiver } from './webhook-receiver';

async function main(): Promise<number> {
  const receiver = await WebhookReceiver.start();
  console.log(`webhook receiver listening on ${receiver.url}`);
  try {
    const cli = path.join(__dirname, '..', 'assets', 'sandbox', 'cli', 'index.js');
    const args = [cli, '--context', `example:webhookReceiverUrl=${receiver.url}`, ...process.argv.slice(2)];
    return await new Promise<number>((resolve, reject) => {
      const child = spawn(process.execPath, args, { stdio: 'inherit' });
      child.on('error', reject);
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
  } finally {
    await receiver.stop();
  }
}

main().then((code) => process.exit(code), (error) => {
  console.error(`sandbox: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
