import { ChildProcess, execFile, spawn } from 'node:child_process';
import { chown } from 'node:fs/promises';
import { basename } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/**
 * The OS user a server runs as. initdb and mariadbd refuse to run as root, so under root a server runs as its
 * engine's own account (`postgres`, `mysql`) and owns its files; as any other user it runs as that user.
 */
export class ServiceAccount {
  /** The account for `osUser` when this process is root, else the current user. Throws when root and `osUser` is missing. */
  public static async lookUp(osUser: 'postgres' | 'mysql'): Promise<ServiceAccount> {
    if (process.getuid?.() !== 0) return new ServiceAccount();
    const ids = await Promise.all([execFileAsync('id', ['-u', osUser]), execFileAsync('id', ['-g', osUser])]).catch(() => undefined);
    if (!ids) throw new Error(`running as root, the server must run as the \`${osUser}\` OS user (it refuses root), which does not exist`);
    const [uid, gid] = ids.map(({ stdout }) => Number(stdout.trim()));
    return new ServiceAccount({ uid, gid });
  }

  private constructor(private readonly ids?: { readonly uid: number; readonly gid: number }) {}

  /** Runs `file` as this account in `cwd` (which the account must be able to enter); rejects with its output on failure. */
  public async run(file: string, args: readonly string[], cwd: string): Promise<void> {
    try {
      await execFileAsync(file, args, { cwd, ...this.ids });
    } catch (error) {
      const { code, stderr, stdout } = error as { code?: number | string; stderr?: string; stdout?: string };
      const lines = `${stderr ?? ''}${stdout ?? ''}`.trim().split('\n');
      // The cause is in the lines that name an error; a tool's closing advice only fills the tail.
      const errors = lines.filter((line) => /\berror\b/i.test(line)).slice(0, 10);
      const output = [...errors, ...lines.slice(-5)].join('\n');
      throw new Error(`${basename(file)} failed (exit code ${code}):\n${output}`);
    }
  }

  /** Starts `file` as this account in `cwd`, detached from our stdio. */
  public spawn(file: string, args: readonly string[], cwd: string): ChildProcess {
    return spawn(file, args, { cwd, stdio: 'ignore', ...this.ids });
  }

  /** Gives `paths` to this account (a no-op unless it is another user than ours). */
  public async own(...paths: string[]): Promise<void> {
    const ids = this.ids;
    if (ids) await Promise.all(paths.map((path) => chown(path, ids.uid, ids.gid)));
  }
}
