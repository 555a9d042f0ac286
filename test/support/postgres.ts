import { execFile } from 'node:child_process';
import { chmod, chown, copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

const run = promisify(execFile);

/** TLS files for the server: its certificate (chain) and key, PEM. */
export interface ServerCertificate {
  readonly certFile: string;
  readonly keyFile: string;
}

/**
 * A PostgreSQL cluster owned by one test file: its own data directory, port and socket, with password
 * checking (scram-sha-256) on TCP and trust on the socket, which only the admin uses.
 */
export interface PostgresCluster {
  /** The TCP port; the server listens on 127.0.0.1 only. */
  readonly port: number;
  /** Runs one statement as the `postgres` superuser, through the socket. */
  adminQuery(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /** Stops the server (fast shutdown); the data directory stays. */
  stop(): Promise<void>;
  /** Starts it again after stop(). */
  start(): Promise<void>;
  /** Stops the server and deletes everything. */
  destroy(): Promise<void>;
}

/** Options of startPostgres. */
export interface PostgresClusterOptions {
  /** Serve TLS with this certificate (host connections may then use TLS; plaintext stays allowed). */
  readonly tls?: ServerCertificate;
  /** pg_hba.conf lines placed before initdb's, e.g. `hostnossl all all 127.0.0.1/32 reject`. */
  readonly hbaRules?: readonly string[];
}

/**
 * Creates and starts a private cluster (initdb as the postgres OS user, which initdb requires instead of root).
 * The shared server on 5432 trusts every local connection, so a test that a wrong password is refused needs this.
 */
export async function startPostgres(options: PostgresClusterOptions = {}): Promise<PostgresCluster> {
  const bin = await postgresBinDir();
  const dir = await mkdtemp(join(tmpdir(), 'rotation-pg-'));
  const data = join(dir, 'data');
  const port = await freePort();
  const asPostgres = (command: string, args: string[]) => run('runuser', ['-u', 'postgres', '--', join(bin, command), ...args]);
  await chown(dir, ...await postgresIds());

  const serverOptions = [`-p ${port}`, `-k ${dir}`, '-c listen_addresses=127.0.0.1'];
  if (options.tls) {
    const certFile = join(dir, 'server.crt');
    const keyFile = join(dir, 'server.key');
    await copyFile(options.tls.certFile, certFile);
    await copyFile(options.tls.keyFile, keyFile);
    await chmod(keyFile, 0o600);
    for (const file of [certFile, keyFile]) await chown(file, ...await postgresIds());
    serverOptions.push('-c ssl=on', `-c ssl_cert_file=${certFile}`, `-c ssl_key_file=${keyFile}`);
  }

  await asPostgres('initdb', ['--auth-host=scram-sha-256', '--auth-local=trust', '--no-sync', '-U', 'postgres', '-D', data]);
  if (options.hbaRules) {
    const hba = join(data, 'pg_hba.conf');
    await writeFile(hba, `${options.hbaRules.join('\n')}\n${await readFile(hba, 'utf8')}`);
  }
  const start = () => asPostgres('pg_ctl', ['-D', data, '-w', '-l', join(dir, 'server.log'), '-o', serverOptions.join(' '), 'start']).then(() => undefined);
  const stop = () => asPostgres('pg_ctl', ['-D', data, '-w', '-m', 'fast', 'stop']).then(() => undefined);
  await start();

  return {
    port,
    async adminQuery(sql, params) {
      const client = new Client({ host: dir, port, user: 'postgres', database: 'postgres' });
      await client.connect();
      try {
        return (await client.query(sql, params)).rows;
      } finally {
        await client.end();
      }
    },
    stop,
    start,
    async destroy() {
      await stop().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The bin directory of the newest installed PostgreSQL (Debian layout). */
async function postgresBinDir(): Promise<string> {
  const versions = (await readdir('/usr/lib/postgresql')).filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql');
  return join('/usr/lib/postgresql', versions[0], 'bin');
}

async function postgresIds(): Promise<[number, number]> {
  const [{ stdout: uid }, { stdout: gid }] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  return [Number(uid.trim()), Number(gid.trim())];
}

/** A TCP port that was free a moment ago (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
