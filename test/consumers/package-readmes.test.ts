// The jsii packages' READMEs carry the README's examples in their language: jsii-pacmak translates each from the
// tablet jsii-rosetta wrote when it compiled them (npx projen rosetta). Run by `npx projen test:consumers`.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

test('the Python package\'s README has the README\'s examples in Python, each compiled from its TypeScript', () => {
  const dist = path.join(__dirname, '..', '..', 'dist', 'python');
  const wheel = fs.readdirSync(dist).find((file) => file.endsWith('.whl'));
  if (!wheel) throw new Error(`no wheel in ${dist}: run \`npx projen package\``);
  // The wheel's METADATA carries the README as the long description, translated by jsii-rosetta from its tablet.
  const metadata = execFileSync('python3', ['-c', [
    'import sys, zipfile',
    'archive = zipfile.ZipFile(sys.argv[1])',
    'print(archive.read(next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))).decode())',
  ].join('\n'), path.join(dist, wheel)], { encoding: 'utf8' });
  expect(metadata).toContain('RotatingSecret(self, "ApiKey")');
  expect(metadata).toContain('strategy=RotationStrategy.mysql_alternating_users(');
  expect(metadata).not.toContain('new RotatingSecret(this');
  // rosetta marks a translation whose TypeScript did not compile.
  expect(metadata).not.toContain('non-compiling source');
});
