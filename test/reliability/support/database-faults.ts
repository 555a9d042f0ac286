import type { Invocation } from './rotation-function';
import { Connector, DatabaseClient, DatabaseQueryError, LoginError } from '../../../lambda/rotation/database/client';
import type { DatabaseEngine } from '../../../lambda/rotation/database/engines/engine';

/** Where, around the database call, the fault strikes. */
export type FaultTiming = 'before' | 'after';

/**
 * What the fault does:
 * - `connection-lost`: the connection drops; the driver call rejects (before it ran, or after it ran and before
 *   the result arrived) and the strategy handles the error as it would a real one;
 * - `crash`: the process dies there; the invocation fails, none of its code runs any further and its
 *   connections close (the server rolls back an open transaction).
 */
export type FaultEffect = 'connection-lost' | 'crash';

export interface DatabaseFault {
  /** Which database call of the rotation, counting connects and statements from 1. */
  readonly call: number;
  readonly timing: FaultTiming;
  readonly effect: FaultEffect;
}

/**
 * Counts the database calls (logins and statements) the strategies make through their Connector, and
 * injects one fault at a chosen call. Calls are described without parameters (never a password).
 */
export class DatabaseCalls {
  /**
   * The calls since the last `reset`, e.g. `connect app_1` or `ALTER USER`, and whether each succeeded (a call
   * that failed by itself, like the login with a password not yet set, has no "after" boundary).
   */
  public calls: Array<{ readonly description: string; succeeded?: boolean }> = [];
  private fault?: DatabaseFault;
  private fired = false;

  /** Starts counting from 1 again, with `fault` armed (or none). */
  public reset(fault?: DatabaseFault): void {
    this.calls = [];
    this.fault = fault;
    this.fired = false;
  }

  /** Whether the armed fault has struck. */
  public get faultFired(): boolean {
    return this.fired;
  }

  /** `base` with its connector (and so every client it opens) counted and faulted, for one invocation. */
  public engine<C extends DatabaseClient>(base: DatabaseEngine<C>, invocation: Invocation): DatabaseEngine<C> {
    const open = new Set<C>();
    const closeAll = async () => {
      await Promise.all([...open].map((client) => client.end()));
      open.clear();
    };

    /** Applies a fault that struck: rejects with `lost()`, or crashes the invocation and never settles. */
    const strike = async (fault: DatabaseFault, description: string, lost: () => Error, client?: C): Promise<never> => {
      this.fired = true;
      if (fault.effect === 'crash') {
        await closeAll();
        invocation.crash(`injected crash ${fault.timing} database call ${fault.call} (${description})`);
        return new Promise<never>(() => undefined);
      }
      if (client) {
        open.delete(client);
        await client.end();
      }
      throw lost();
    };

    const wrap = (client: C): C => ({
      ...client,
      query: async (sql: string, params?: readonly unknown[], options?: { sensitive?: readonly string[] }) => {
        const description = sql.trim().split(/\s+/).slice(0, 2).join(' ');
        const fault = this.count(description);
        const lost = () => new DatabaseQueryError(`Connection terminated unexpectedly (injected fault ${fault?.timing} ${description})`, undefined);
        if (fault?.timing === 'before') return strike(fault, description, lost, client);
        const rows = await this.settle(client.query(sql, params, options));
        if (fault) return strike(fault, description, lost, client);
        return rows;
      },
      end: async () => {
        open.delete(client);
        await client.end();
      },
    });

    const connect: Connector<C> = async (target) => {
      const description = `connect ${target.username}`;
      const fault = this.count(description);
      const lost = () => new LoginError('unreachable', `Connection terminated unexpectedly (injected fault ${fault?.timing} connect)`);
      if (fault?.timing === 'before') return strike(fault, description, lost);
      const client = await this.settle(base.connect(target));
      open.add(client);
      if (fault) return strike(fault, description, lost, client);
      return wrap(client);
    };

    return { ...base, connect };
  }

  /** Records one call; returns the armed fault if it strikes on this call. */
  private count(description: string): DatabaseFault | undefined {
    this.calls.push({ description });
    const fault = this.fault;
    return fault && !this.fired && fault.call === this.calls.length ? fault : undefined;
  }

  /** Records whether the latest call succeeded. */
  private async settle<T>(call: Promise<T>): Promise<T> {
    const entry = this.calls[this.calls.length - 1];
    try {
      const result = await call;
      entry.succeeded = true;
      return result;
    } catch (error) {
      entry.succeeded = false;
      throw error;
    }
  }
}
