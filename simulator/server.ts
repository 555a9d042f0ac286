/**
 * Runs the simulator as a standalone server, for pointing other tools at it:
 *
 *   npx ts-node simulator/server.ts [--port 4566] [--region us-east-1] [--account-id 123456789012]
 *                                   [--function <lambda ARN>=<asset directory>]...
 *
 * Prints the endpoint, then serves until SIGINT or SIGTERM. Each `--function` registers a bundled function
 * directory (handler `index.handler`) that RotateSecret can name as its rotation function.
 */
import { SecretsManagerSimulator, SimulatorOptions } from './simulator';

interface CliOptions extends SimulatorOptions {
  readonly functions: Array<{ arn: string; assetDir: string }>;
}

const USAGE = 'usage: server.ts [--port N] [--region R] [--account-id ID] [--function <lambda ARN>=<asset directory>]...';

function parseArguments(args: string[]): CliOptions {
  let port: number | undefined;
  let region: string | undefined;
  let accountId: string | undefined;
  const functions: CliOptions['functions'] = [];
  for (let i = 0; i < args.length; i++) {
    const name = args[i];
    const value = args[i + 1];
    if (value === undefined || !['--port', '--region', '--account-id', '--function'].includes(name)) {
      throw new Error(`unexpected argument "${name}"\n${USAGE}`);
    }
    i += 1;
    if (name === '--port') {
      port = Number(value);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`\`--port\` must be a port number, got "${value}"`);
    } else if (name === '--region') {
      region = value;
    } else if (name === '--account-id') {
      accountId = value;
    } else {
      const separator = value.lastIndexOf('=');
      if (separator <= 0) throw new Error(`\`--function\` must be <lambda ARN>=<asset directory>, got "${value}"`);
      functions.push({ arn: value.slice(0, separator), assetDir: value.slice(separator + 1) });
    }
  }
  return { port, region, accountId, functions };
}

async function main(): Promise<void> {
  const options = parseArguments(process.argv.slice(2));
  // No deployer feeds it roles or function permissions: IAM enforcement stays off (the simulator's default).
  const simulator = await SecretsManagerSimulator.start(options);
  for (const fn of options.functions) simulator.registerFunction(fn.arn, { assetDir: fn.assetDir });
  process.stdout.write(`Secrets Manager simulator listening on ${simulator.endpoint} (region ${simulator.region}, account ${simulator.accountId})\n`);
  process.stdout.write(`Point AWS SDKs and the AWS CLI at it with AWS_ENDPOINT_URL_SECRETS_MANAGER=${simulator.endpoint}\n`);
  process.stdout.write(`${simulator.iam.status}\n`);
  const shutdown = () => {
    simulator.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
