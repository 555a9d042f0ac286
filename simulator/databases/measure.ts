/**
 * Prints how long the local database host takes to start each engine's server: cold (a new data directory,
 * TLS certificate and master user, as `host.start` does for a new RDS instance) and after a stop.
 *
 *   npx ts-node -P tsconfig.dev.json simulator/databases/measure.ts [rounds]
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalDatabaseHost } from './host';
import type { LocalEngine } from './types';

async function timed(action: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await action();
  return performance.now() - started;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 3);
  const workDir = await mkdtemp(join(tmpdir(), 'local-databases-measure-'));
  await chmod(workDir, 0o711);
  const host = await createLocalDatabaseHost({ workDir });
  try {
    console.log(`engine    cold start (ms, ${rounds} rounds)        median   restart after stop (ms)`);
    for (const engine of ['postgres', 'mysql'] as LocalEngine[]) {
      const reason = await host.unavailableReason(engine);
      if (reason) {
        console.log(`${engine.padEnd(9)} skipped: ${reason}`);
        continue;
      }
      const cold: number[] = [];
      const restart: number[] = [];
      for (let round = 0; round < rounds; round += 1) {
        let database;
        cold.push(await timed(async () => {
          database = await host.start({ engine, masterUsername: 'master', masterPassword: `measure-${Date.now()}`, databaseName: 'app' });
        }));
        await database!.stop();
        restart.push(await timed(() => database!.start()));
        await database!.destroy();
      }
      const show = (values: number[]) => values.map((value) => value.toFixed(0)).join(', ');
      console.log(`${engine.padEnd(9)} ${show(cold).padEnd(32)} ${median(cold).toFixed(0).padStart(6)}   ${show(restart)}`);
    }
  } finally {
    await host.destroyAll();
    await rm(workDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
