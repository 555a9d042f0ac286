import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * The tests run the shipped bundles (assets/), not the sources: a source edit without `npx projen bundle` would test
 * yesterday's code and pass. Each bundle is rebuilt here with its task's own esbuild command, into a scratch
 * directory, and must equal the shipped file byte for byte.
 */

// esbuild runs once per bundle; a loaded machine may take a while, and nothing here is timed.
jest.setTimeout(300_000);

const ROOT = path.resolve(__dirname, '..');

/** Every esbuild step of the bundle tasks, as projen wrote them. */
function esbuildSteps(): Array<{ task: string; args: string[]; outfile: string }> {
  const { tasks } = JSON.parse(fs.readFileSync(path.join(ROOT, '.projen', 'tasks.json'), 'utf8')) as {
    tasks: Record<string, { steps?: Array<{ execArgs?: string[] }> }>;
  };
  return Object.entries(tasks)
    .filter(([name]) => name.startsWith('bundle:'))
    .flatMap(([task, { steps }]) => (steps ?? [])
      .filter((step) => step.execArgs?.[0] === 'esbuild')
      .map((step) => {
        const args = step.execArgs!.slice(1);
        const outfile = args.find((arg) => arg.startsWith('--outfile='))!.slice('--outfile='.length);
        return { task, args, outfile };
      }));
}

test('every shipped bundle is what its sources build', () => {
  const steps = esbuildSteps();
  expect(steps.map((step) => step.task)).toEqual(expect.arrayContaining([
    'bundle:lambda/rotation/generic-function', 'bundle:lambda/rotation/database-function', 'bundle:lambda/verify/verify-function',
  ]));
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bundles-'));
  try {
    const stale = steps.filter(({ args, outfile }) => {
      const rebuilt = path.join(scratch, outfile);
      const esbuild = path.join(ROOT, 'node_modules', '.bin', 'esbuild');
      execFileSync(esbuild, [...args.filter((arg) => !arg.startsWith('--outfile=')), `--outfile=${rebuilt}`, '--log-level=error'], { cwd: ROOT });
      const shipped = path.join(ROOT, outfile);
      return !fs.existsSync(shipped) || !fs.readFileSync(shipped).equals(fs.readFileSync(rebuilt));
    });
    expect(stale.map(({ task }) => `${task}: the shipped bundle is not what its sources build now; run 'npx projen bundle'`)).toEqual([]);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
});
