import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import type { ConnectionTarget } from '../../../../lambda/rotation/database/client';

const run = promisify(execFile);

/**
 * Logs in from a fresh Node process whose NODE_EXTRA_CA_CERTS names `caPem`, as the deployed function does
 * with the Lambda runtime's bundle: proves the drivers' TLS options keep Node's default store (plus the extra
 * CAs) instead of replacing it. Returns `ok` or `<reason>: <message>`.
 */
export async function loginWithExtraCaCerts(engine: 'postgres' | 'mysql', target: Omit<ConnectionTarget, 'trust'>, caPem: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rotation-extra-ca-'));
  try {
    const script = join(dir, 'login.js');
    await build({
      entryPoints: [join(__dirname, 'fixtures', 'login-with-default-trust.ts')],
      bundle: true,
      platform: 'node',
      target: 'node20',
      outfile: script,
      external: ['pg-native'],
      logLevel: 'silent',
    });
    const caFile = join(dir, 'ca.pem');
    await writeFile(caFile, caPem);
    const env = { PATH: process.env.PATH, NODE_EXTRA_CA_CERTS: caFile, LOGIN_TARGET: JSON.stringify(target) };
    const { stdout } = await run(process.execPath, [script, engine], { env, timeout: 30_000 });
    return stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
