import { chmod, copyFile, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ServerCertificate } from './certificate-authority';
import type { BinaryLocations } from './installation';
import type { ServiceAccount } from './service-account';

/** A database server process with its own data directory, port on 127.0.0.1 and Unix socket. */
export interface LocalServer {
  /** The TCP port; the server listens on 127.0.0.1 only. */
  readonly port: number;
  /** Runs one statement as the server's own superuser, through the socket. */
  adminQuery(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /** Stops the server (clean shutdown); the data stays. Does nothing when it is stopped. */
  stop(): Promise<void>;
  /** Starts it again after stop(). Does nothing when it is running. */
  start(): Promise<void>;
  /** Stops the server and deletes its directories. */
  destroy(): Promise<void>;
}

/** The master user RDS makes with an instance. */
export interface MasterUser {
  readonly masterUsername: string;
  readonly masterPassword: string;
  readonly databaseName?: string;
}

/** Where a server keeps its files, and how it serves. */
export interface LocalServerOptions {
  /** An empty directory for the data, log and TLS files; destroy() deletes it. */
  readonly dir: string;
  /**
   * An empty directory for the Unix socket, with a short path (socket paths are limited to about 100 bytes);
   * destroy() deletes it. Only the admin connects there, so it must stay private.
   * @default - `dir`
   */
  readonly socketDir?: string;
  /** Serve TLS with this certificate. @default - no TLS */
  readonly tls?: ServerCertificate;
  /** Where to find the server binaries. @default - the usual places */
  readonly locations?: BinaryLocations;
}

/** The server's copies of its TLS files: the account must read them, and the CA's directory is private. */
export async function installCertificate(account: ServiceAccount, certificate: ServerCertificate, dir: string): Promise<ServerCertificate> {
  const installed = { certFile: join(dir, 'server.crt'), keyFile: join(dir, 'server.key'), caFile: join(dir, 'ca.crt') };
  await Promise.all([
    copyFile(certificate.certFile, installed.certFile),
    copyFile(certificate.keyFile, installed.keyFile),
    copyFile(certificate.caFile, installed.caFile),
  ]);
  // Both servers refuse a key that others may read.
  await chmod(installed.keyFile, 0o600);
  await account.own(installed.certFile, installed.keyFile, installed.caFile);
  return installed;
}

/** The last lines of a server's log, for an error that says why it did not start. */
export async function logTail(file: string): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.trim().split('\n').slice(-20).join('\n');
}

/** The directories a server keeps its files in. */
export function serverDirectories(options: LocalServerOptions): string[] {
  return options.socketDir === undefined ? [options.dir] : [options.dir, options.socketDir];
}

export async function removeDirectories(dirs: readonly string[]): Promise<void> {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
}

/** Runs `create`; when it fails, deletes `dirs` (half-made servers leave nothing behind) and rethrows. */
export async function removingOnFailure<T>(dirs: readonly string[], create: () => Promise<T>): Promise<T> {
  try {
    return await create();
  } catch (error) {
    await removeDirectories(dirs);
    throw error;
  }
}
