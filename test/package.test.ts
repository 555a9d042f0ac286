import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';

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
    'assets/lambda/rotation/custom-runtime/index.js',
    'assets/lambda/rotation/custom-runtime/index.d.ts',
    'runtime/package.json',
  ])('ships the bundled %s', (bundle) => {
    expect(files).toContain(bundle);
  });

  test('`cdk-rotating-secrets/runtime` resolves, for Node.js and TypeScript (each module resolution), to the shipped engine and its declarations', () => {
    const app = fs.mkdtempSync(path.join(os.tmpdir(), 'runtime-consumer-'));
    fs.mkdirSync(path.join(app, 'node_modules'));
    fs.symlinkSync(ROOT, path.join(app, 'node_modules', 'cdk-rotating-secrets'));
    try {
      const engine = require.resolve('cdk-rotating-secrets/runtime', { paths: [app] });
      expect(fs.realpathSync(engine)).toBe(path.join(ROOT, 'assets', 'lambda', 'rotation', 'custom-runtime', 'index.js'));
      // Loaded by a Node.js process of the app, as the app's bundler and Lambda would load the bundle.
      const loaded = execFileSync(process.execPath, ['-e', 'console.log(typeof require("cdk-rotating-secrets/runtime").rotationHandler)'], { cwd: app, encoding: 'utf8' });
      expect(loaded.trim()).toBe('function');
      for (const [moduleResolution, module] of [
        [ts.ModuleResolutionKind.Node10, ts.ModuleKind.CommonJS],
        [ts.ModuleResolutionKind.Node16, ts.ModuleKind.Node16],
        [ts.ModuleResolutionKind.Bundler, ts.ModuleKind.ESNext],
      ] as const) {
        const { resolvedModule } = ts.resolveModuleName('cdk-rotating-secrets/runtime', path.join(app, 'index.ts'), { moduleResolution, module }, ts.sys);
        expect(fs.realpathSync(resolvedModule!.resolvedFileName)).toBe(path.join(ROOT, 'assets', 'lambda', 'rotation', 'custom-runtime', 'index.d.ts'));
      }
    } finally {
      fs.rmSync(app, { recursive: true, force: true });
    }
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
