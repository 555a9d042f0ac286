import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, readdir } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { ServiceAccount } from './service-account';

const execFileAsync = promisify(execFile);

/** Where to look for server binaries; tests point these at empty directories. */
export interface BinaryLocations {
  /** Debian's versioned PostgreSQL installs, `<dir>/<version>/bin`. @default '/usr/lib/postgresql' */
  readonly postgresqlVersionsDir?: string;
  /** Where Debian puts mariadbd, which is not on a normal user's PATH. @default '/usr/sbin' */
  readonly sbinDir?: string;
  /** Searched last, and for `pg_config`. @default - the PATH environment variable */
  readonly path?: string;
}

/** What serves PostgreSQL here: its bin directory's tools and the account that runs them. */
export interface PostgresInstallation {
  readonly initdb: string;
  readonly pgCtl: string;
  readonly account: ServiceAccount;
}

/** What serves MySQL (MariaDB) here. */
export interface MariaDbInstallation {
  readonly mariadbd: string;
  readonly installDb: string;
  readonly account: ServiceAccount;
}

/** An engine this machine cannot serve; the message says what is missing and what to install. */
export class EngineUnavailableError extends Error {}

/** Finds initdb and pg_ctl (in one bin directory): Debian's newest version, then `pg_config --bindir`, then PATH. */
export async function findPostgresInstallation(locations: BinaryLocations = {}): Promise<PostgresInstallation> {
  const versionsDir = locations.postgresqlVersionsDir ?? '/usr/lib/postgresql';
  const path = pathDirs(locations);
  const candidates = [...await debianPostgresBinDirs(versionsDir), ...await pgConfigBinDir(path), ...path];
  for (const dir of candidates) {
    if (await isExecutable(join(dir, 'initdb')) && await isExecutable(join(dir, 'pg_ctl'))) {
      return { initdb: join(dir, 'initdb'), pgCtl: join(dir, 'pg_ctl'), account: await accountFor('postgres', 'postgresql') };
    }
  }
  throw new EngineUnavailableError(
    `no PostgreSQL server binaries (initdb and pg_ctl) in ${versionsDir}/<version>/bin, \`pg_config --bindir\` or PATH: install \`postgresql\``,
  );
}

/** Finds mariadbd and mariadb-install-db: in the sbin directory, then on PATH. */
export async function findMariaDbInstallation(locations: BinaryLocations = {}): Promise<MariaDbInstallation> {
  const sbinDir = locations.sbinDir ?? '/usr/sbin';
  const dirs = [sbinDir, ...pathDirs(locations)];
  const [mariadbd, installDb] = await Promise.all(['mariadbd', 'mariadb-install-db'].map((name) => firstExecutable(dirs, name)));
  if (!mariadbd || !installDb) {
    const missing = [mariadbd ? undefined : 'mariadbd', installDb ? undefined : 'mariadb-install-db'].filter(Boolean).join(' and ');
    throw new EngineUnavailableError(`no MariaDB server binaries (${missing}) in ${sbinDir} or PATH: install \`mariadb-server\``);
  }
  return { mariadbd, installDb, account: await accountFor('mysql', 'mariadb-server') };
}

async function accountFor(osUser: 'postgres' | 'mysql', debianPackage: string): Promise<ServiceAccount> {
  try {
    return await ServiceAccount.lookUp(osUser);
  } catch (error) {
    throw new EngineUnavailableError(`${(error as Error).message}: install \`${debianPackage}\` (which creates it) or run as a normal user`);
  }
}

function pathDirs(locations: BinaryLocations): string[] {
  return (locations.path ?? process.env.PATH ?? '').split(delimiter).filter((dir) => dir !== '');
}

/** `<versionsDir>/<version>/bin`, newest version first. */
async function debianPostgresBinDirs(versionsDir: string): Promise<string[]> {
  const versions = await readdir(versionsDir).catch(() => [] as string[]);
  return versions.filter((name) => /^\d+(\.\d+)?$/.test(name)).sort((a, b) => Number(b) - Number(a)).map((version) => join(versionsDir, version, 'bin'));
}

async function pgConfigBinDir(path: readonly string[]): Promise<string[]> {
  const pgConfig = await firstExecutable(path, 'pg_config');
  if (!pgConfig) return [];
  const output = await execFileAsync(pgConfig, ['--bindir']).catch(() => undefined);
  return output ? [output.stdout.trim()] : [];
}

async function firstExecutable(dirs: readonly string[], name: string): Promise<string | undefined> {
  for (const dir of dirs) {
    if (await isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

function isExecutable(file: string): Promise<boolean> {
  return access(file, constants.X_OK).then(() => true, () => false);
}
