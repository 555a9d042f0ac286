/**
 * The mutation check: applies each deliberate bug of the catalogue, one at a time, to a temporary copy of the
 * repository, rebuilds the bundles (unless the mutant is a stale bundle), runs the test expected to catch it, and
 * prints a table. A mutant is caught only when that named test itself fails; a compile error or another test's
 * failure does not count. Not part of CI: run it with `npm run mutants` (optionally with mutant ids to run a few).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MUTANTS, Mutant } from './catalogue';

const ROOT = path.resolve(__dirname, '..', '..');

interface Outcome {
  readonly mutant: Mutant;
  readonly verdict: 'caught' | 'NOT CAUGHT' | 'does not apply';
  readonly detail: string;
}

/** A copy of the repository's files (tracked and new, as git sees them); dependencies linked, bundles built there. */
function copyRepository(): string {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'mutants-'));
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0').filter((file) => file && fs.existsSync(path.join(ROOT, file)));
  for (const file of files) {
    fs.mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, file), path.join(copy, file));
  }
  for (const linked of ['node_modules', '.venv']) fs.symlinkSync(path.join(ROOT, linked), path.join(copy, linked));
  return copy;
}

function run(command: string, args: readonly string[], cwd: string): { ok: boolean; output: string } {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

function bundle(copy: string): void {
  const result = run('npx', ['projen', 'bundle'], copy);
  if (!result.ok) throw new Error(`bundling failed:\n${result.output}`);
}

/**
 * Runs a test file, whole (its last test may judge what the earlier ones did); returns each test that ran, by full
 * name, and its status.
 */
function testResults(copy: string, file: string): Array<{ fullName: string; status: string }> {
  const report = path.join(copy, 'mutant-report.json');
  fs.rmSync(report, { force: true });
  run('npx', ['jest', '--ci', '--coverage=false', '--reporters=default', '--json', `--outputFile=${report}`, file], copy);
  if (!fs.existsSync(report)) return [];
  const results = JSON.parse(fs.readFileSync(report, 'utf8')) as {
    testResults: Array<{ assertionResults: Array<{ fullName: string; status: string }> }>;
  };
  return results.testResults.flatMap((suite) => suite.assertionResults).filter((test) => test.status !== 'pending');
}

const failures = (results: ReadonlyArray<{ fullName: string; status: string }>) => results.filter((test) => test.status === 'failed').map((test) => test.fullName);

function tryMutant(copy: string, mutant: Mutant): Outcome {
  const file = path.join(copy, mutant.file);
  const original = fs.readFileSync(file, 'utf8');
  const occurrences = original.split(mutant.find).length - 1;
  if (occurrences !== 1) {
    return { mutant, verdict: 'does not apply', detail: `its text occurs ${occurrences} times in ${mutant.file}; update the catalogue` };
  }
  const assets = fs.mkdtempSync(path.join(os.tmpdir(), 'mutants-assets-'));
  fs.cpSync(path.join(copy, 'assets'), assets, { recursive: true, preserveTimestamps: true });
  try {
    fs.writeFileSync(file, original.replace(mutant.find, () => mutant.replace));
    if (!mutant.staleBundle) bundle(copy);
    const failed = failures(testResults(copy, mutant.test.file));
    const named = failed.filter((fullName) => fullName.includes(mutant.test.name));
    return named.length > 0
      ? { mutant, verdict: 'caught', detail: named[0] }
      : { mutant, verdict: 'NOT CAUGHT', detail: failed.length > 0 ? `other tests failed: ${failed.join('; ')}` : 'the test passed' };
  } finally {
    fs.writeFileSync(file, original);
    fs.rmSync(path.join(copy, 'assets'), { recursive: true, force: true });
    fs.cpSync(assets, path.join(copy, 'assets'), { recursive: true, preserveTimestamps: true });
    fs.rmSync(assets, { recursive: true, force: true });
  }
}

function printTable(outcomes: readonly Outcome[]): void {
  const rows = [['mutant', 'expected to fail', 'verdict'], ...outcomes.map((o) => [o.mutant.id, `${o.mutant.test.file} › ${o.mutant.test.name}`, o.verdict])];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const line = (row: readonly string[]) => `| ${row.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
  console.log([line(rows[0]), line(widths.map((width) => '-'.repeat(width))), ...rows.slice(1).map(line)].join('\n'));
  for (const outcome of outcomes.filter((o) => o.verdict !== 'caught')) console.log(`${outcome.mutant.id}: ${outcome.detail}`);
}

function main(): void {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((id) => !MUTANTS.some((mutant) => mutant.id === id));
  if (unknown.length > 0) throw new Error(`unknown mutants: ${unknown.join(', ')}; known: ${MUTANTS.map((m) => m.id).join(', ')}`);
  const selected = MUTANTS.filter((mutant) => wanted.length === 0 || wanted.includes(mutant.id));

  const copy = copyRepository();
  try {
    // The unmutated copy must pass every expected test, or a failure under a mutant would prove nothing.
    bundle(copy);
    for (const file of new Set(selected.map((mutant) => mutant.test.file))) {
      const results = testResults(copy, file);
      if (failures(results).length > 0) throw new Error(`without a mutant, ${file} already fails: ${failures(results).join('; ')}`);
      for (const { test } of selected.filter((mutant) => mutant.test.file === file)) {
        if (!results.some((result) => result.fullName.includes(test.name))) throw new Error(`no test of ${file} is named "${test.name}"`);
      }
    }
    const outcomes: Outcome[] = [];
    for (const mutant of selected) {
      console.log(`mutant ${mutant.id}: ${mutant.description}`);
      outcomes.push(tryMutant(copy, mutant));
    }
    printTable(outcomes);
    process.exitCode = outcomes.every((outcome) => outcome.verdict === 'caught') ? 0 : 1;
  } finally {
    fs.rmSync(copy, { recursive: true, force: true });
  }
}

main();
