import { isIP, Socket, connect as connectTcp } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { ConnectionTarget, DatabaseClient, DatabaseQueryError, LoginError, QueryOptions, Row } from './client';
import { loginErrorFrom } from './driver-errors';
import { redact } from './redact';
import { encodeCommand, RespError, RespReader, RespValue } from './resp';

/**
 * A Redis or Valkey connection. Redis has no statements and no rows: `query('ACL', ['SETUSER', ...])` sends the
 * command `ACL SETUSER ...` and answers one row whose `reply` is the server's reply.
 */
export type RedisClient = DatabaseClient;

/** The reply of a RedisClient query. */
export function replyOf(rows: readonly Row[]): RespValue {
  return rows[0].reply as RespValue;
}

/**
 * Connects and authenticates (`AUTH <username> <password>`, Redis 6's ACL form). Rejects with a LoginError:
 * `authentication` when the server answers WRONGPASS (a wrong password, an unknown or disabled user).
 */
export async function connectRedis(target: ConnectionTarget): Promise<RedisClient> {
  const connection = new RespConnection(target);
  try {
    await connection.open(target.connectTimeoutMs);
    await connection.send(['AUTH', target.username, target.password], target.connectTimeoutMs);
  } catch (error) {
    connection.close();
    throw loginError(error, target.password);
  }
  return {
    async query(command: string, params: readonly unknown[] = [], options?: QueryOptions): Promise<Row[]> {
      const args = [command, ...params.map(String)];
      const sensitive = [...options?.sensitive ?? []];
      try {
        return [{ reply: await connection.send(args, target.queryTimeoutMs) }];
      } catch (error) {
        const { code, message } = error instanceof RespError ? error : { code: (error as { code?: string }).code, message: (error as Error).message };
        throw new DatabaseQueryError(withoutModifier(redact(message, sensitive)), code);
      }
    },
    async end(): Promise<void> {
      connection.close();
    },
  };
}

/**
 * Redis quotes the ACL SETUSER modifier it refuses (`Error in ACL SETUSER modifier '>...': <why>`), and a modifier
 * may carry a password: keep only why.
 */
function withoutModifier(message: string): string {
  return message.replace(/modifier '[\s\S]*': /, 'modifier: ');
}

function loginError(error: unknown, password: string): LoginError {
  if (error instanceof LoginError) return error;
  if (error instanceof RespError) {
    const reason = error.code === 'WRONGPASS' ? 'authentication' : 'other';
    return new LoginError(reason, redact(error.message, [password]));
  }
  return loginErrorFrom(error, password);
}

/**
 * Why a TLS handshake may get no answer, and the fix: a Redis server without TLS reads the ClientHello as the start of
 * a command and waits for the rest (checked with Redis 7), so no TLS error ever comes back.
 */
const TLS_SILENT_HINT = 'a Redis server without TLS does not answer one; if it has none, set "ssl": false in the secret';

/** One socket and the replies to the commands sent on it, in order (Redis answers in the order it reads). */
class RespConnection {
  private socket?: Socket;
  private readonly reader = new RespReader();
  private readonly waiting: Array<{ resolve: (value: RespValue) => void; reject: (error: Error) => void }> = [];
  private failure?: Error;

  constructor(private readonly target: ConnectionTarget) {}

  /** Connects (and, for TLS, verifies the certificate chain and host name) within `timeoutMs`. */
  public open(timeoutMs: number): Promise<void> {
    const { host, port, tls, trust } = this.target;
    return new Promise((resolve, reject) => {
      const socket = tls === 'disable'
        ? connectTcp({ host, port })
        : connectTls({
          host,
          port,
          rejectUnauthorized: true,
          // SNI and the host-name check use the DNS name; for an IP address tls checks the IP against the certificate.
          ...(isIP(host) === 0 ? { servername: host } : {}),
          ...(trust.ca === undefined ? {} : { ca: trust.ca }),
        });
      this.socket = socket;
      let connected = false;
      socket.once('connect', () => {
        connected = true;
      });
      const timer = setTimeout(() => {
        const what = connected ? `the TLS handshake with ${host}:${port} got no answer within ${timeoutMs} ms (${TLS_SILENT_HINT})` : `connecting to ${host}:${port} timed out after ${timeoutMs} ms`;
        const timedOut = Object.assign(new Error(what), { code: 'ETIMEDOUT' });
        settle(timedOut);
        this.fail(timedOut);
      }, timeoutMs);
      const settle = (error?: Error) => {
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      socket.once(tls === 'disable' ? 'connect' : 'secureConnect', () => settle());
      socket.on('data', (chunk: Buffer) => this.receive(chunk));
      socket.on('error', (error) => {
        this.fail(error);
        settle(error);
      });
      socket.on('close', () => {
        const closed = Object.assign(new Error('the server closed the connection'), { code: 'ECONNRESET' });
        this.fail(closed);
        settle(closed);
      });
    });
  }

  /** Sends one command; resolves with its reply, rejects with its error reply (a RespError) or the connection's failure. */
  public send(args: readonly string[], timeoutMs: number): Promise<RespValue> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.fail(Object.assign(new Error(`the server did not answer ${args[0]} within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })), timeoutMs);
      this.waiting.push({
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.socket!.write(encodeCommand(args));
    });
  }

  public close(): void {
    this.fail(new Error('the connection is closed'));
  }

  private receive(chunk: Buffer): void {
    let replies: RespValue[];
    try {
      replies = this.reader.push(chunk);
    } catch (error) {
      this.fail(error as Error);
      return;
    }
    for (const reply of replies) {
      const waiter = this.waiting.shift();
      if (reply instanceof RespError) waiter?.reject(reply);
      else waiter?.resolve(reply);
    }
  }

  /** Fails every command waiting and every later one with `error`, and closes the socket. */
  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.waiting.splice(0)) waiter.reject(this.failure);
    this.socket?.destroy();
  }
}
