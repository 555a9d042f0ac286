/**
 * Bundle the SDK into the rotation handler, or take it from the Lambda runtime?
 *
 * Builds lambda/rotation/generic-function.ts twice with esbuild (as the library's bundle task does):
 *   (a) @aws-sdk/client-secrets-manager bundled, minified;
 *   (b) `@aws-sdk/*` external, as if loaded from the Lambda runtime's own node_modules.
 * Prints each bundle's bytes and gzipped bytes, and the median time of a cold `require` of it in a fresh
 * `node` process, measured inside that process with process.hrtime around the require alone (process
 * spawn and Node's own start-up are excluded).
 *
 * Run: npx ts-node -P tsconfig.dev.json bench/sdk-bundling.ts [runs]
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import * as esbuild from 'esbuild';

const ROOT = path.resolve(__dirname, '..');
const ENTRY = path.join(ROOT, 'lambda', 'rotation', 'generic-function.ts');
const RUNS = Number(process.argv[2] ?? 15);

interface Variant {
  readonly name: string;
  readonly external: string[];
}

const VARIANTS: Variant[] = [
  { name: 'SDK bundled (minified)', external: [] },
  { name: '@aws-sdk/* external', external: ['@aws-sdk/*'] },
];

// Runs in the child: time the require alone, print milliseconds.
const CHILD_SCRIPT = [
  'const start = process.hrtime.bigint();',
  'require(process.argv[1]);',
  'const end = process.hrtime.bigint();',
  'process.stdout.write(String(Number(end - start) / 1e6));',
].join('\n');

interface Result {
  readonly variant: Variant;
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly requireMs: number[];
}

async function main(): Promise<void> {
  if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error(`runs must be a positive whole number, got ${process.argv[2]}`);
  // Inside the repository (bench/out is git-ignored) so the external variant resolves @aws-sdk/* from
  // the repository's node_modules, as the Lambda runtime resolves it from its own.
  const outRoot = path.join(ROOT, 'bench', 'out');
  fs.mkdirSync(outRoot, { recursive: true });
  const dir = fs.mkdtempSync(path.join(outRoot, 'sdk-bundling-'));
  try {
    const results: Result[] = [];
    for (const [index, variant] of VARIANTS.entries()) {
      const outfile = path.join(dir, `variant-${index}`, 'index.js');
      await esbuild.build({
        entryPoints: [ENTRY],
        bundle: true,
        platform: 'node',
        target: 'node22',
        minify: true,
        outfile,
        external: variant.external,
        logLevel: 'silent',
      });
      const code = fs.readFileSync(outfile);
      results.push({ variant, file: outfile, bytes: code.length, gzipBytes: zlib.gzipSync(code).length, requireMs: [] });
    }

    // One unmeasured load of each warms the file system cache; then the variants alternate run by run
    // so that drift in machine load affects both alike.
    results.forEach((result) => timeRequire(result.file));
    for (let run = 0; run < RUNS; run++) {
      results.forEach((result) => result.requireMs.push(timeRequire(result.file)));
    }
    printTable(results);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function timeRequire(file: string): number {
  const output = execFileSync(process.execPath, ['-e', CHILD_SCRIPT, file], {
    cwd: ROOT,
    // The handler only builds its SDK client at load; nothing here may reach AWS.
    env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', NODE_NO_WARNINGS: '1' },
    encoding: 'utf8',
  });
  const ms = Number(output);
  if (!Number.isFinite(ms)) throw new Error(`the timing child printed ${JSON.stringify(output)}`);
  return ms;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function printTable(results: Result[]): void {
  const rows = results.map((r) => [
    r.variant.name,
    r.bytes.toLocaleString('en-US'),
    r.gzipBytes.toLocaleString('en-US'),
    median(r.requireMs).toFixed(1),
    `${Math.min(...r.requireMs).toFixed(1)}-${Math.max(...r.requireMs).toFixed(1)}`,
  ]);
  const header = ['variant', 'bytes', 'gzip bytes', 'require median ms', 'min-max ms'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  console.log(`Cold require of lambda/rotation/generic-function.ts bundles: ${RUNS} runs each, Node ${process.version}, ${process.platform}/${process.arch}`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  rows.forEach((row) => console.log(line(row)));
  const [bundled, external] = results;
  console.log(
    `ratio bundled / external: bytes ${(bundled.bytes / external.bytes).toFixed(0)}x, gzip ${(bundled.gzipBytes / external.gzipBytes).toFixed(0)}x, `
    + `require median ${(median(bundled.requireMs) / median(external.requireMs)).toFixed(2)}x`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
