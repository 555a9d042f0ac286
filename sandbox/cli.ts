import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatReport, sandboxFailures, summaryLine } from './report';
import { runSandbox } from './run';
import type { IamMode } from '../simulator/iam';

const USAGE = `Usage: rotating-secrets-sandbox (--app "<command>" | --assembly <cdk.out>) [options]

Runs a CDK app's stacks as CloudFormation would, on a local simulator of Secrets Manager, Lambda and RDS (local
PostgreSQL and MariaDB servers): creates them (the deploy-time checks run the first rotations), advances the clock to
every secret's next scheduled rotation, optionally deploys an update, deletes them, and reports every rotating secret.

  --app <command>            synthesize with the CDK CLI first (npx cdk synth --app <command>)
  --output <dir>             where --app writes the cloud assembly (default: cdk.out)
  --context <k=v>            synthesize the app with this context (repeatable; the update too)
  --assembly <dir>           use an already synthesized cloud assembly instead
  --update-context <k=v>     also synthesize the app with this context (repeatable) and deploy it as an update
  --update-assembly <dir>    deploy this already synthesized assembly as the update
  --stack <name>             only this stack and the stacks it depends on (repeatable)
  --iam <auto|enforce|off>   authorize every call against the stacks' roles and policies (default: auto, which
                             enforces when the IAM evaluator @cloud-copilot/iam-simulate is installed beside the
                             sandbox; enforce fails without it; off serves every call)`;

const IAM_MODES: readonly IamMode[] = ['auto', 'enforce', 'off'];

interface Options {
  app?: string;
  output: string;
  assembly?: string;
  context: string[];
  updateContext: string[];
  updateAssembly?: string;
  stacks: string[];
  iam: IamMode;
}

/** Reads the arguments; a bad one is one clear line (and the usage). */
function parseArgs(args: string[]): Options {
  const options: Options = { output: 'cdk.out', context: [], updateContext: [], stacks: [], iam: 'auto' };
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    if (flag === '--help' || flag === '-h') {
      console.log(USAGE);
      process.exit(0);
    }
    const value = args[++i];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    switch (flag) {
      case '--app': options.app = value; break;
      case '--output': options.output = value; break;
      case '--assembly': options.assembly = value; break;
      case '--update-assembly': options.updateAssembly = value; break;
      case '--stack': options.stacks.push(value); break;
      case '--iam':
        if (!IAM_MODES.includes(value as IamMode)) throw new UsageError(`--iam takes one of ${IAM_MODES.join(', ')}, got ${JSON.stringify(value)}`);
        options.iam = value as IamMode;
        break;
      case '--context':
      case '--update-context':
        if (!/^[^=]+=.*$/.test(value)) throw new UsageError(`${flag} takes key=value, got ${JSON.stringify(value)}`);
        (flag === '--context' ? options.context : options.updateContext).push(value);
        break;
      default: throw new UsageError(`unknown option ${flag}`);
    }
  }
  if (!options.app === !options.assembly) throw new UsageError('give exactly one of --app and --assembly');
  if (options.context.length > 0 && !options.app) throw new UsageError('--context needs --app (it synthesizes the app)');
  if (options.updateContext.length > 0 && !options.app) throw new UsageError('--update-context needs --app (it synthesizes the app again)');
  if (options.updateContext.length > 0 && options.updateAssembly) throw new UsageError('give at most one of --update-context and --update-assembly');
  for (const dir of [options.assembly, options.updateAssembly]) {
    if (dir !== undefined && !fs.existsSync(path.join(dir, 'manifest.json'))) throw new UsageError(`${dir} is not a cloud assembly (no manifest.json)`);
  }
  return options;
}

class UsageError extends Error {}

/** `cdk synth`, with a progress line every few seconds: it takes a while and prints nothing until it is done. */
async function synthesize(app: string, output: string, context: string[]): Promise<void> {
  const args = ['cdk', 'synth', '--app', app, '--output', output, '--quiet', ...context.flatMap((entry) => ['--context', entry])];
  console.log(`synthesizing ${context.length > 0 ? `with ${context.join(', ')} ` : ''}with the CDK CLI: ${app}`);
  const started = Date.now();
  const ticker = setInterval(() => console.log(`  still synthesizing (${Math.round((Date.now() - started) / 1000)} s)`), 5000);
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn('npx', args, { stdio: 'inherit', env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' } });
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`cdk synth exited with code ${code}`))));
    });
  } finally {
    clearInterval(ticker);
  }
  console.log(`  synthesized in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  // The simulator's clients run on the machine's Node.js: the SDK's notice about future Node.js versions is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let assembly = options.assembly;
  let updateAssembly = options.updateAssembly;
  if (options.app) {
    await synthesize(options.app, options.output, options.context);
    assembly = options.output;
    if (options.updateContext.length > 0) {
      updateAssembly = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-update-'));
      await synthesize(options.app, updateAssembly, [...options.context, ...options.updateContext]);
    }
  }
  const started = Date.now();
  const result = await runSandbox({
    assemblyDir: assembly!, updateAssemblyDir: updateAssembly, stacks: options.stacks, iam: options.iam, progress: (line) => console.log(line),
  });
  console.log(`\n${formatReport(result)}\n\n${summaryLine(result)}`);
  const failures = sandboxFailures(result);
  for (const failure of failures) console.error(`FAILED ${failure}`);
  console.log(`sandbox: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (failures.length > 0) process.exit(1);
}

main().catch((error) => {
  console.error(`sandbox: ${error instanceof Error ? error.message : String(error)}${error instanceof UsageError ? `\n\n${USAGE}` : ''}`);
  process.exit(error instanceof UsageError ? 2 : 1);
});
