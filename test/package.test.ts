import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

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
});
