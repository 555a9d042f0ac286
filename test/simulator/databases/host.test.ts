import { access, mkdir, readdir, rm, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { inspect } from 'node:util';
import { mysqlSession, postgresSession, workDirWithOtherCa } from './support';
import { BinaryLocations, createLocalDatabaseHost, DatabaseHost } from '../../../simulator/databases';
import { findMariaDbInstallation, findPostgresInstallation } from '../../../simulator/databases/installation';

let workDir: string;
let empty: string;
const hosts: DatabaseHost[] = [];
let defaultHost: DatabaseHost;

beforeAll(async () => {
  ({ workDir } = await workDirWithOtherCa());
  empty = join(workDir, 'empty');
  await mkdir(empty);
  defaultHost = await hostWith();
});

afterAll(async () => {
  await Promise.all(hosts.map((host) => host.destroyAll()));
  await rm(workDir, { recursive: true, force: true });
});

async function hostWith(binaryLocations?: BinaryLocations): Promise<DatabaseHost> {
  const host = await createLocalDatabaseHost({ workDir: join(workDir, `host-${hosts.length}`), binaryLocations });
  hosts.push(host);
  return host;
}

/** A directory of symbolic links to real binaries, as a PATH entry of another installation would be. */
async function linkDir(name: string, binaries: Record<string, string>): Promise<string> {
  const dir = join(workDir, name);
  await mkdir(dir);
  for (const [link, target] of Object.entries(binaries)) await symlink(target, join(dir, link));
  return dir;
}

describe('unavailableReason', () => {
  test('is undefined for both engines on this machine (the tests install their servers)', async () => {
    expect(await defaultHost.unavailableReason('postgres')).toBeUndefined();
    expect(await defaultHost.unavailableReason('mysql')).toBeUndefined();
  });

  test('without the binaries, says what is missing and what to install; start() fails with the same reason', async () => {
    const host = await hostWith({ postgresqlVersionsDir: empty, sbinDir: empty, path: empty });

    const postgres = await host.unavailableReason('postgres');
    const mysql = await host.unavailableReason('mysql');

    expect(postgres).toBe(`no PostgreSQL server binaries (initdb and pg_ctl) in ${empty}/<version>/bin, \`pg_config --bindir\` or PATH: install \`postgresql\``);
    expect(mysql).toBe(`no MariaDB server binaries (mariadbd and mariadb-install-db) in ${empty} or PATH: install \`mariadb-server\``);
    await expect(host.start({ engine: 'postgres', masterUsername: 'm', masterPassword: 'p' })).rejects.toThrow(postgres);
    await expect(host.start({ engine: 'mysql', masterUsername: 'm', masterPassword: 'p' })).rejects.toThrow(mysql);
  });

  test('finds the binaries on PATH, and PostgreSQL\'s through pg_config', async () => {
    const { initdb, pgCtl } = await findPostgresInstallation();
    const { mariadbd, installDb } = await findMariaDbInstallation();
    const onPath = await linkDir('bin-path', { 'initdb': initdb, 'pg_ctl': pgCtl, 'mariadbd': mariadbd, 'mariadb-install-db': installDb });
    const pgConfigOnly = await linkDir('bin-pg-config', { pg_config: join(dirname(initdb), 'pg_config') });
    const onlyInstallDb = await linkDir('bin-install-db', { 'mariadb-install-db': installDb });

    const viaPath = await hostWith({ postgresqlVersionsDir: empty, sbinDir: empty, path: onPath });
    const viaPgConfig = await hostWith({ postgresqlVersionsDir: empty, sbinDir: empty, path: pgConfigOnly });
    const halfMariaDb = await hostWith({ sbinDir: empty, path: onlyInstallDb });

    expect(await viaPath.unavailableReason('postgres')).toBeUndefined();
    expect(await viaPath.unavailableReason('mysql')).toBeUndefined();
    expect(await viaPgConfig.unavailableReason('postgres')).toBeUndefined();
    expect(await halfMariaDb.unavailableReason('mysql')).toMatch(/^no MariaDB server binaries \(mariadbd\) in /);
  });
});

describe('start', () => {
  test.each([
    [{ engine: 'oracle' }, /`engine` must be 'postgres' or 'mysql', got "oracle"/],
    [{ masterUsername: '' }, /`masterUsername` must be a non-empty string, got ""/],
    [{ masterPassword: '' }, /^`masterPassword` must be a non-empty string$/],
    [{ databaseName: '' }, /`databaseName` must not be empty/],
  ])('refuses %j, naming the field', async (override, message) => {
    const options = { engine: 'postgres' as const, masterUsername: 'master', masterPassword: 'secret-password-1', ...override };

    await expect(defaultHost.start(options as never)).rejects.toThrow(message);
  });

  test.each([
    // PostgreSQL reserves role names that start with pg_; MariaDB's user names have at most 128 characters.
    ['postgres', 'pg_master', /reserved/],
    ['mysql', 'm'.repeat(129), /too long for user name/],
  ] as const)('%s: a refused master user fails start, and the error never shows the password', async (engine, masterUsername, reason) => {
    const password = 'never-shown-9q8w7e';

    const error = await defaultHost.start({ engine, masterUsername, masterPassword: password }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(reason);
    expect(inspect(error, { depth: 10 })).not.toContain(password);
  });
});

test('destroyAll stops and removes every server (idempotent); the CA stays for the functions that trust it', async () => {
  const host = await hostWith();
  const password = 'destroy-all-password-1';
  const postgres = await host.start({ engine: 'postgres', masterUsername: 'm', masterPassword: password, tls: false });
  const mysql = await host.start({ engine: 'mysql', masterUsername: 'm', masterPassword: password, tls: false });
  const hostDir = join(workDir, `host-${hosts.length - 1}`);
  expect((await readdir(hostDir)).sort()).toEqual([expect.stringMatching(/^ca-/), expect.stringMatching(/^mysql-/), expect.stringMatching(/^postgres-/)]);

  await host.destroyAll();
  await host.destroyAll();

  expect(await readdir(hostDir)).toEqual([expect.stringMatching(/^ca-/)]);
  await access(host.caBundleFile);
  await expect(postgresSession(postgres, { user: 'm', password }, 'plaintext')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  await expect(mysqlSession(mysql, { user: 'm', password }, 'plaintext')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
});
