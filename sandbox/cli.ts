import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { readAssembly } from './assembly';
import { SecretReport, runSandbox } from './run';

const USAGE = `Usage: rotating-secrets-sandbox (--app "<command>" [--output <dir>] | --assembly <cdk.out>)

Deploys every rotating secret of a CDK app into a local Secrets Manager simulator, as CloudFormation would,
runs its first rotation (through the deploy-time check when the secret has one) with the bundled rotation
function from the cloud assembly, then advances the simulator's clock to one scheduled rotation.

  --app <command>     synthesize with the CDK CLI first (npx cdk synth --app <command>)
  --output <dir>      where --app writes the cloud assembly (default: cdk.out)
  --assembly <dir>    use an already synthesized cloud assembly`;

interface Options {
  readonly app?: string;
  readonly output: string;
  readonly assembly?: string;
}

function parseArgs(args: string[]): Options {
  const options: { app?: string; output: string; assembly?: string } = { output: 'cdk.out' };
  for (let i = 0; i < args.length; i++) {
    const value = args[i + 1];
    switch (args[i]) {
      case '--app': options.app = value; i++; break;
      case '--output': options.output = value; i++; break;
      case '--assembly': options.assembly = value; i++; break;
      case '--help': case '-h': console.log(USAGE); process.exit(0);
      default: throw new Error(`unknown argument ${args[i]}\n\n${USAGE}`);
    }
  }
  if (!options.app === !options.assembly) throw new Error(`give exactly one of --app and --assembly\n\n${USAGE}`);
  return options;
}

function table(reports: SecretReport[]): string {
  const header = ['secret', 'strategy', 'versions before', 'versions after', 'invariant', 'first rotation', 'scheduled', 'API calls', 'time'];
  const rows = reports.map((r) => [
    r.name, r.strategy, r.labelsBefore, r.labelsAfter, r.invariant, r.firstRotation,
    String(r.scheduledRotations), String(r.apiCalls), `${(r.millis / 1000).toFixed(1)} s`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join(' | ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  let assembly = options.assembly;
  if (options.app) {
    console.log(`synthesizing with the CDK CLI: ${options.app}`);
    execFileSync('npx', ['cdk', 'synth', '--app', options.app, '--output', options.output, '--quiet'], { stdio: 'inherit', env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' } });
    assembly = options.output;
  }
  const models = readAssembly(path.resolve(assembly!));
  if (models.length === 0) throw new Error(`no rotating secret found in ${assembly}`);
  console.log(`found ${models.length} rotating secret(s) in ${assembly}`);

  const reports = await runSandbox(models, (line) => console.log(line));
  console.log(`\n${table(reports)}\n`);
  for (const skipped of reports.filter((r) => r.skipped)) console.log(`skipped ${skipped.name}: ${skipped.skipped}`);
  const failures = reports.filter((r) => r.error || r.invariant !== 'holds');
  for (const failure of failures) console.error(`FAILED ${failure.name}: ${failure.error ?? 'the staging-label invariant does not hold'}`);
  if (failures.length > 0) process.exit(1);
  const rotated = reports.filter((r) => !r.skipped).length;
  console.log(`${rotated} secret(s) rotated, verified and rotated again on schedule${rotated < reports.length ? `; ${reports.length - rotated} skipped` : ''}`);
}

main().catch((error) => {
  console.error(`sandbox: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
