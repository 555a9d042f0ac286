/**
 * The benchmark, in one process: N rotating secrets (N = 1, 50, 100, 160, 240) with this library and with
 * aws-cdk-lib's alternatives side by side (resources, template bytes, per-secret slopes, synth time,
 * rendered IAM policy sizes, cfn-lint), then the rotation function (bundle sizes, cold start against the
 * simulator, API calls per rotation) and the delay the deploy-time check adds. Prints markdown; with
 * `--write` it also writes it to bench/RESULTS.md, with a comparison against the run that file held.
 *
 * Needs the bundles (`npx projen bundle`) and cfn-lint.
 *
 * Run: npx ts-node -T -P tsconfig.dev.json bench/run.ts [--write] [--synth-runs 11] [--cold-runs 20]
 *      [--verify-rotations 10] [--poll-scale 20]
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CURRENTLY_RECOMMENDED_FLAGS } from 'aws-cdk-lib/cx-api';
import * as esbuild from 'esbuild';
import { AWS_GENERIC_TEMPLATE_CALLS, countGenericRotationCalls } from './api-calls';
import { APPROACHES, HAND_ROLLED } from './approaches';
import { ColdStart, coldStartRatio, measureColdStarts, prepareBundles, scratchDir } from './cold-start';
import { measureDatabaseFootprints } from './database-footprint';
import { firstCountOverLimit, Synthesis, synthesize } from './footprint';
import { lintTemplates } from './lint';
import { largestManaged, largestRoleInline, measurePolicies } from './policy-size';
import { measureReadmeExample } from './readme-example';
import { parseResults, renderReport } from './report';
import { ApproachFootprint, BenchResults, BundleFigures, FootprintPoint, SynthTiming, VerificationFigures } from './results';
import { median, leastSquaresSlope } from './support/stats';
import { evaluateTargets } from './targets';
import { measureVerificationLatency } from './verification-latency';
import { pythonTool } from '../test/support/python-tools';
import { bundleAssetDir } from '../test/support/strategies';

const ROOT = path.resolve(__dirname, '..');
const RESULTS_FILE = path.join(__dirname, 'RESULTS.md');
const COUNTS = [1, 50, 100, 160, 240];
/** Synth time is taken at these N: the smaller shows what a stack costs, the larger what secrets add. */
const SYNTH_TIMING_COUNTS = [1, 100];
const API_CALL_ROTATIONS = 3;

interface Options {
  readonly write: boolean;
  readonly synthRuns: number;
  readonly coldRuns: number;
  readonly verifyRotations: number;
  readonly pollScale: number;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  // The SDK's notice that Node.js 20 support ends is not about the figures.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const loadAtStart = os.loadavg()[0];
  const previous = fs.existsSync(RESULTS_FILE) ? parseResults(fs.readFileSync(RESULTS_FILE, 'utf8')) : undefined;

  progress(`footprint: ${APPROACHES.length} approaches × N = ${COUNTS.join(', ')}`);
  const { footprints, largest } = measureFootprints();
  const databaseFootprint = measureDatabaseFootprints();
  try {
    const handRolledRecommendedFlagsBytesPerSecret = recommendedFlagsBytesPerSecret();
    const readmeExample = measureReadmeExample();
    progress(`synth time: ${options.synthRuns} runs × ${APPROACHES.length} approaches at N = ${SYNTH_TIMING_COUNTS.join(', ')}`);
    const synth = timeSynths(options.synthRuns);
    progress(`cold start: ${options.coldRuns} runs per bundle`);
    const { bundles, ratio } = await measureBundles(options.coldRuns);
    progress(`API calls: ${API_CALL_ROTATIONS} generic rotations`);
    const apiCalls = { ...await countGenericRotationCalls(API_CALL_ROTATIONS), awsTemplateTotal: AWS_GENERIC_TEMPLATE_CALLS };
    progress(`verification delay: ${options.verifyRotations} verified rotations`);
    const verification = await measureVerification(options);
    progress(`cfn-lint at N=${COUNTS[COUNTS.length - 1]}`);
    const lint = await lintTemplates(largest.map((synthesis) => synthesis.templateFile));
    const withLint = footprints.map((footprint, i) => ({ ...footprint, lintFindings: lint.get(largest[i].templateFile)!.findings }));

    const measured = {
      meta: describeRun(options, loadAtStart),
      footprint: withLint,
      databaseFootprint,
      handRolledRecommendedFlagsBytesPerSecret,
      readmeExample,
      synth,
      bundles,
      coldStartRatio: ratio,
      apiCalls,
      verification,
    };
    const report = renderReport({ ...measured, targets: evaluateTargets(measured) }, previous);
    process.stdout.write(report);
    if (options.write) {
      fs.writeFileSync(RESULTS_FILE, report);
      progress(`wrote ${path.relative(ROOT, RESULTS_FILE)}`);
    }
  } finally {
    largest.forEach((synthesis) => synthesis.dispose());
  }
}

/** Every approach at every N; the largest N's cloud assemblies are kept for cfn-lint. */
function measureFootprints(): { footprints: ApproachFootprint[]; largest: Synthesis[] } {
  const largest: Synthesis[] = [];
  const footprints = APPROACHES.map((approach): ApproachFootprint => {
    const points = COUNTS.map((count): FootprintPoint => {
      const synthesis = synthesize(approach, count, { keep: count === COUNTS[COUNTS.length - 1] });
      if (count === COUNTS[COUNTS.length - 1]) largest.push(synthesis);
      const policies = measurePolicies(synthesis.template);
      return {
        count,
        resources: synthesis.resources,
        bytes: synthesis.bytes,
        lambdaFunctions: synthesis.lambdaFunctions,
        largestRoleInline: largestRoleInline(policies),
        largestManaged: largestManaged(policies),
        managedPolicies: policies.managed.length,
      };
    });
    const first = points[0];
    const last = points[points.length - 1];
    const resourcesPerSecret = (last.resources - first.resources) / (last.count - first.count);
    const resourcesPerSecretFit = leastSquaresSlope(points.map((p) => [p.count, p.resources]));
    const resourcesPerStack = median(points.map((p) => p.resources - resourcesPerSecretFit * p.count));
    const bytesPerSecretFit = leastSquaresSlope(points.map((p) => [p.count, p.bytes]));
    return {
      key: approach.key,
      label: approach.label,
      nestedStackPerSecret: approach.nestedStackPerSecret,
      points,
      resourcesPerSecret,
      bytesPerSecret: (last.bytes - first.bytes) / (last.count - first.count),
      resourcesPerSecretFit,
      bytesPerSecretFit,
      resourcesPerStack: Math.round(resourcesPerStack),
      bytesPerStack: Math.round(median(points.map((p) => p.bytes - bytesPerSecretFit * p.count))),
      firstCountOverLimit: firstCountOverLimit(resourcesPerStack, resourcesPerSecretFit),
      lintFindings: {},
    };
  });
  return { footprints, largest };
}

function recommendedFlagsBytesPerSecret(): number {
  const context = { ...CURRENTLY_RECOMMENDED_FLAGS };
  const [first, last] = [COUNTS[0], COUNTS[COUNTS.length - 1]].map((count) => synthesize(HAND_ROLLED, count, { context }));
  return (last.bytes - first.bytes) / (last.count - first.count);
}

/** Synth times, approaches and N interleaved run by run so that drift in machine load affects all alike. */
function timeSynths(runs: number): SynthTiming[] {
  const cases = SYNTH_TIMING_COUNTS.flatMap((count) => APPROACHES.map((approach) => ({ approach, count, runsMs: [] as number[] })));
  for (let run = 0; run < runs; run++) {
    for (const timing of cases) timing.runsMs.push(synthesize(timing.approach, timing.count).synthMs);
  }
  return cases.map(({ approach, count, runsMs }) => ({ key: approach.key, count, runsMs, medianMs: median(runsMs) }));
}

async function measureBundles(runs: number): Promise<{ bundles: BundleFigures[]; ratio: number }> {
  const dir = scratchDir();
  try {
    const results = await measureColdStarts(await prepareBundles(dir), runs);
    return { bundles: results.map(bundleFigures), ratio: coldStartRatio(results) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function bundleFigures(result: ColdStart): BundleFigures {
  return {
    key: result.bundle.key,
    label: result.bundle.label,
    bytes: result.bundle.bytes,
    gzipBytes: result.bundle.gzipBytes,
    medianRequireMs: median(result.requireMs),
    medianFirstCallMs: median(result.firstCallMs),
    medianColdMs: median(result.coldMs),
    minColdMs: Math.min(...result.coldMs),
    maxColdMs: Math.max(...result.coldMs),
    medianWallMs: median(result.wallMs),
    ...(result.bundle.rotates ? { rotationsSucceeded: result.rotationsSucceeded } : {}),
  };
}

async function measureVerification(options: Options): Promise<VerificationFigures> {
  const latency = await measureVerificationLatency(options.verifyRotations);
  return {
    intervalMs: latency.intervalMs,
    rotations: latency.delaysMs.length,
    medianDelayMs: median(latency.delaysMs),
    maxDelayMs: Math.max(...latency.delaysMs),
    maxExcessMs: Math.max(...latency.delaysMs.map((delay) => delay - latency.intervalMs)),
  };
}

function describeRun(options: Options, loadAtStart: number): BenchResults['meta'] {
  const version = (name: string) => (JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
  const args = [options.write ? '--write' : '', `--synth-runs ${options.synthRuns}`, `--cold-runs ${options.coldRuns}`,
    `--verify-rotations ${options.verifyRotations}`, `--poll-scale ${options.pollScale}`].filter(Boolean);
  return {
    date: execFileSync('date', ['-u'], { encoding: 'utf8' }).trim(),
    machine: `nproc ${os.availableParallelism()}, ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, `
      + `${os.platform()}/${os.arch()}, Node.js ${process.version}; `
      + `load average ${loadAtStart.toFixed(1)} at the start, ${os.loadavg()[0].toFixed(1)} at the end (timings are compared within a run)`,
    versions: {
      'aws-cdk-lib': version('aws-cdk-lib'),
      'constructs': version('constructs'),
      'esbuild': esbuild.version,
      '@aws-sdk/client-secrets-manager': version('@aws-sdk/client-secrets-manager'),
      'cfn-lint': execFileSync(pythonTool('cfn-lint'), ['--version'], { encoding: 'utf8' }).trim().replace(/^cfn-lint\s*/, ''),
    },
    code: describeCode(),
    command: `npx ts-node -T -P tsconfig.dev.json bench/run.ts ${args.join(' ')}`,
    settings: { synthRuns: options.synthRuns, coldRuns: options.coldRuns, verifyRotations: options.verifyRotations, pollScale: options.pollScale },
    staleAssets: staleAssetSources(),
  };
}

/** The commit measured, and whether the library's sources differed from it. */
function describeCode(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const changed = git('status', '--porcelain', '--', 'src', 'lambda');
    return `commit ${git('rev-parse', '--short', 'HEAD')}${changed ? ' with uncommitted changes in src/ or lambda/' : ''}`;
  } catch {
    return 'not a git checkout';
  }
}

/** Handler sources changed after the oldest bundle was built. */
function staleAssetSources(): string[] {
  const bundles = (['genericRotation', 'databaseRotation', 'verification'] as const).map((bundle) => path.join(bundleAssetDir(bundle), 'index.js'));
  const built = Math.min(...bundles.map((file) => (fs.existsSync(file) ? fs.statSync(file).mtimeMs : 0)));
  const sources = fs.readdirSync(path.join(ROOT, 'lambda'), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'));
  return sources.filter((file) => fs.statSync(path.join(ROOT, 'lambda', file)).mtimeMs > built).map((file) => `lambda/${file}`);
}

function parseOptions(args: string[]): Options {
  const numbers: Record<string, number> = { '--synth-runs': 11, '--cold-runs': 20, '--verify-rotations': 10, '--poll-scale': 20 };
  let write = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--write') {
      write = true;
    } else if (Object.hasOwn(numbers, arg)) {
      const value = Number(args[++i]);
      if (!Number.isInteger(value) || value < 1) throw new Error(`\`${arg}\` must be a positive whole number, got ${JSON.stringify(args[i])}`);
      numbers[arg] = value;
    } else {
      throw new Error(`unknown argument ${JSON.stringify(arg)}; expected --write, ${Object.keys(numbers).join(', ')}`);
    }
  }
  return {
    write,
    synthRuns: numbers['--synth-runs'],
    coldRuns: numbers['--cold-runs'],
    verifyRotations: numbers['--verify-rotations'],
    pollScale: numbers['--poll-scale'],
  };
}

function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
