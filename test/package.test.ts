import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..');
/** The simulator's IAM evaluator and its own packages: AGPL-3.0, so never shipped or required by this package. */
const EVALUATOR_PACKAGES = ['@cloud-copilot/iam-simulate', '@cloud-copilot/iam-policy', '@cloud-copilot/iam-utils'];

// What `npm pack` would put in the tarball, without writing it.
function packedFiles(): string[] {
  const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: path.join(__dirname, '..'),
    encoding: 'utf8',
  });
  return JSON.parse(output)[0].files.map((f: { path: string }) => f.path);
}

describe('the npm package', () => {
  const files = packedFiles();

  test.each([
    'assets/lambda/rotation/generic-function/index.js',
    'assets/lambda/rotation/database-function/index.js',
    'assets/lambda/verify/verify-function/index.js',
    'assets/sandbox/cli/index.js',
    'assets/simulator/function-runtime/index.js',
  ])('ships the bundled %s', (bundle) => {
    expect(files).toContain(bundle);
  });

  test('ships no handler sources, tests, simulator sources, examples or benchmarks', () => {
    const leaked = files.filter((f) => /^(lambda|test|simulator|sandbox|examples|bench|\.ci)\//.test(f));
    expect(leaked).toEqual([]);
  });

  test('neither depends on the AGPL-3.0 IAM evaluator nor bundles it into the sandbox (which loads it if installed)', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const required = { ...manifest.dependencies, ...manifest.peerDependencies, ...manifest.bundledDependencies };
    expect(EVALUATOR_PACKAGES.filter((name) => name in required)).toEqual([]);
    expect(Object.keys(manifest.devDependencies)).toEqual(expect.arrayContaining(['@cloud-copilot/iam-simulate', '@cloud-copilot/iam-policy']));

    const sandbox = fs.readFileSync(path.join(ROOT, 'assets', 'sandbox', 'cli', 'index.js'), 'utf8');
    // Code of the evaluator's own modules (a class of its engine), as esbuild would inline it.
    expect(sandbox).not.toMatch(/class KmsServiceAuthorizer|class CoreSimulatorEngine|function authorize\(request\)/);
    expect(sandbox).toContain('require.resolve(EVALUATOR_PACKAGE)');
  });
});
