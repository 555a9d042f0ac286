/**
 * Rotation function bundles: size, and cold start in a fresh `node` process against the simulator.
 *
 * Cold start = `require` of the bundle (Lambda's init) + the first handler call (the first invocation of
 * a rotation: createSecret, with its Secrets Manager calls to the simulator), both timed inside the child
 * with process.hrtime, as bench/sdk-bundling.ts times a require. Node's own start-up is the same for every
 * bundle and is reported separately (spawn to first result).
 *
 * The reference is a minimal handler that only creates a SecretsManagerClient and makes one call
 * (DescribeSecret), bundled with esbuild's JS API the way the library's bundles are: minified, SDK bundled.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { CreateSecretCommand, RotateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as esbuild from 'esbuild';
import { SecretsManagerSimulator } from '../simulator';
import { elapsedMs, median } from './support/stats';
import { TEST_OPTION_SET_TAGS, bundleAssetDir, rotationEnvironment } from '../test/support/strategies';

const ROOT = path.resolve(__dirname, '..');
/** The library's handler bundles target this Node.js (see .projenrc.ts); the reference is built the same way. */
const HANDLER_TARGET = 'node20';

const MINIMAL_HANDLER_SOURCE = `
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
const client = new SecretsManagerClient({});
export const handler = async (event) => {
  await client.send(new DescribeSecretCommand({ SecretId: event.SecretId }));
};
`;


export interface Bundle {
  readonly key: 'generic' | 'database' | 'minimal';
  readonly label: string;
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  /** The function's environment (besides the SDK's endpoint, region and credentials). */
  readonly environment: Record<string, string>;
  /** The secret's initial value. */
  readonly secretValue: string;
  /** Whether the handler can complete a rotation (the minimal one only makes its call). */
  readonly rotates: boolean;
}

export interface ColdStart {
  readonly bundle: Bundle;
  readonly requireMs: number[];
  readonly firstCallMs: number[];
  /** require + first call, per run. */
  readonly coldMs: number[];
  /** From spawning the process to the first result: adds Node.js's own start-up. */
  readonly wallMs: number[];
  /** Whether every measured rotation ended with RotationSucceeded (meaningful for bundles that rotate). */
  readonly rotationsSucceeded: boolean;
}

/** The bundles measured: the library's two rotation assets and the minimal reference, built in `workDir`. */
export async function prepareBundles(workDir: string): Promise<Bundle[]> {
  const minimal = path.join(workDir, 'minimal-handler', 'index.js');
  await esbuild.build({
    stdin: { contents: MINIMAL_HANDLER_SOURCE, resolveDir: ROOT, loader: 'ts', sourcefile: 'minimal-handler.ts' },
    bundle: true,
    platform: 'node',
    target: HANDLER_TARGET,
    minify: true,
    outfile: minimal,
    logLevel: 'silent',
  });
  const databaseSecret = JSON.stringify({ engine: 'postgres', host: '127.0.0.1', port: 1, username: 'bench', password: 'initial-password', ssl: false });
  return [
    bundleOf('generic', 'generic (assets/lambda/rotation/generic-function)', path.join(bundleAssetDir('genericRotation'), 'index.js'), {
      environment: rotationEnvironment('generic'),
      secretValue: 'initial-api-key',
      rotates: true,
    }),
    bundleOf('database', 'database (assets/lambda/rotation/database-function)', path.join(bundleAssetDir('databaseRotation'), 'index.js'), {
      environment: rotationEnvironment('postgres-single-user', { connectTimeoutSeconds: 1 }),
      secretValue: databaseSecret,
      // setSecret would log in to a database: the benchmark stops after the measured first invocation.
      rotates: false,
    }),
    bundleOf('minimal', 'minimal reference (one client, one call)', minimal, { environment: {}, secretValue: 'initial-api-key', rotates: false }),
  ];
}

function bundleOf(key: Bundle['key'], label: string, file: string, rest: Pick<Bundle, 'environment' | 'secretValue' | 'rotates'>): Bundle {
  if (!fs.existsSync(file)) throw new Error(`bundle ${file} is missing: run \`npx projen bundle\` first`);
  const code = fs.readFileSync(file);
  return { key, label, file, bytes: code.length, gzipBytes: zlib.gzipSync(code).length, ...rest };
}

/**
 * Cold-starts every bundle `runs` times (after one unmeasured start each, which warms the file system
 * cache), alternating bundles run by run so that drift in machine load affects all alike.
 */
export async function measureColdStarts(bundles: readonly Bundle[], runs: number): Promise<ColdStart[]> {
  const sim = await SecretsManagerSimulator.start({ maxRotationAttempts: 1 });
  const client = new SecretsManagerClient(sim.clientConfig());
  try {
    const samples = bundles.map((): Sample[] => []);
    for (let run = -1; run < runs; run++) {
      for (const [i, bundle] of bundles.entries()) {
        const sample = await coldRotation(sim, client, bundle, `${i}-${bundle.key}-${run + 1}`);
        if (run >= 0) samples[i].push(sample);
      }
    }
    return bundles.map((bundle, i) => ({
      bundle,
      requireMs: samples[i].map((s) => s.requireMs),
      firstCallMs: samples[i].map((s) => s.firstCallMs),
      coldMs: samples[i].map((s) => s.requireMs + s.firstCallMs),
      wallMs: samples[i].map((s) => s.wallMs),
      rotationsSucceeded: samples[i].every((s) => s.succeeded),
    }));
  } finally {
    client.destroy();
    await sim.stop();
  }
}

interface Sample {
  readonly requireMs: number;
  readonly firstCallMs: number;
  readonly wallMs: number;
  readonly succeeded: boolean;
}

/**
 * One rotation whose function starts cold: the simulator's rotation engine invokes an in-process gate that
 * forwards each step to a fresh `node` process holding the bundle, so the first step is that process's
 * first invocation. A bundle that cannot rotate gets only the first step; the rest fail in the gate.
 */
async function coldRotation(sim: SecretsManagerSimulator, client: SecretsManagerClient, bundle: Bundle, name: string): Promise<Sample> {
  const functionArn = `arn:aws:lambda:${sim.region}:${sim.accountId}:function:cold-start-${name}`;
  let process: FunctionProcess | undefined;
  let first: { requireMs: number; firstCallMs: number; wallMs: number } | undefined;
  sim.registerFunction(functionArn, {
    timeoutSeconds: 60,
    handler: async (event: unknown) => {
      if (!process) {
        process = new FunctionProcess(bundle, sim);
        first = await process.firstInvocation(event);
        return null;
      }
      if (!bundle.rotates) throw new Error('the benchmark stops this rotation after its measured first invocation');
      return process.invoke(event);
    },
  });
  try {
    const { ARN } = await client.send(new CreateSecretCommand({ Name: `cold-start-${name}`, SecretString: bundle.secretValue, Tags: TEST_OPTION_SET_TAGS }));
    await client.send(new RotateSecretCommand({ SecretId: ARN, RotationLambdaARN: functionArn, RotationRules: { ScheduleExpression: 'rate(30 days)' } }));
    await sim.waitForIdle();
    if (!first) throw new Error(`the rotation of ${ARN} never invoked the function`);
    const succeeded = sim.events.some((event) => event.secretArn === ARN && event.type === 'RotationSucceeded');
    return { ...first, succeeded };
  } finally {
    await (process as FunctionProcess | undefined)?.stop();
  }
}

// Runs in the child: load the bundle (timed), then serve invocations from the parent, timing each.
const CHILD_SCRIPT = String.raw`
const started = process.hrtime.bigint();
const handler = require(process.argv[1]).handler;
const requireMs = Number(process.hrtime.bigint() - started) / 1e6;
process.send({ type: 'ready', requireMs });
process.on('message', async ({ event }) => {
  const start = process.hrtime.bigint();
  const context = { awsRequestId: 'cold-start', getRemainingTimeInMillis: () => 60000 };
  try {
    await handler(event, context);
    process.send({ type: 'result', ok: true, ms: Number(process.hrtime.bigint() - start) / 1e6 });
  } catch (error) {
    process.send({ type: 'result', ok: false, ms: Number(process.hrtime.bigint() - start) / 1e6, error: String(error && error.message) });
  }
});
`;

type ChildMessage = { type: 'ready'; requireMs: number } | { type: 'result'; ok: boolean; ms: number; error?: string };

/** A fresh `node` process holding one bundle, with the environment Lambda (and the simulator) would give it. */
class FunctionProcess {
  private readonly child: ChildProcess;
  private readonly spawnedAt = process.hrtime.bigint();
  private readonly ready: Promise<number>;
  private readonly exited: Promise<void>;
  private stderr = '';

  constructor(bundle: Bundle, sim: SecretsManagerSimulator) {
    this.child = spawn(process.execPath, ['-e', CHILD_SCRIPT, bundle.file], {
      cwd: path.dirname(bundle.file),
      env: {
        PATH: process.env.PATH,
        ...bundle.environment,
        AWS_REGION: sim.region,
        AWS_ACCESS_KEY_ID: 'ASIASIMULATOREXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'simulator-dummy-secret-access-key',
        AWS_ENDPOINT_URL_SECRETS_MANAGER: sim.endpoint,
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
      // The handlers' structured logs are not part of the figure: discard them.
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { this.stderr += chunk; });
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
    this.ready = this.next().then((message) => {
      if (message.type !== 'ready') throw new Error(`the child sent ${message.type} before it was ready`);
      return message.requireMs;
    });
  }

  public async firstInvocation(event: unknown): Promise<{ requireMs: number; firstCallMs: number; wallMs: number }> {
    const requireMs = await this.ready;
    const firstCallMs = await this.call(event);
    return { requireMs, firstCallMs, wallMs: elapsedMs(this.spawnedAt) };
  }

  public async invoke(event: unknown): Promise<null> {
    await this.call(event);
    return null;
  }

  public async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  private async call(event: unknown): Promise<number> {
    const reply = this.next();
    this.child.send({ event });
    const message = await reply;
    if (message.type !== 'result') throw new Error(`the child sent ${message.type} instead of a result`);
    if (!message.ok) throw new Error(`the handler failed: ${message.error}`);
    return message.ms;
  }

  private next(): Promise<ChildMessage> {
    return new Promise((resolve, reject) => {
      const onExit = () => reject(new Error(`the function process exited: ${this.stderr.trim() || 'no output'}`));
      this.child.once('exit', onExit);
      this.child.once('message', (message: ChildMessage) => {
        this.child.off('exit', onExit);
        resolve(message);
      });
    });
  }
}

/** The generic bundle's cold start relative to the minimal reference's (medians). */
export function coldStartRatio(results: readonly ColdStart[]): number {
  const of = (key: Bundle['key']) => median(results.find((result) => result.bundle.key === key)!.coldMs);
  return of('generic') / of('minimal');
}

/** A scratch directory for built bundles, removed by the caller. */
export function scratchDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'rotating-secrets-bench-'));
}
