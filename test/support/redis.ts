import { Socket, connect } from 'node:net';
import type { Access } from './database-access';
import { RespReader, RespValue } from '../../lambda/rotation/database/resp';

/** The Redis the set-up script starts; its `default` user (no password) is the tests' administrator. */
export const SHARED_REDIS_PORT = 6379;

/** A command as bytes, written here rather than taken from the code under test. */
function encode(args: readonly string[]): Buffer {
  return Buffer.concat([
    Buffer.from(`*${args.length}\r\n`),
    ...args.flatMap((arg) => [Buffer.from(`$${Buffer.byteLength(arg)}\r\n`), Buffer.from(arg), Buffer.from('\r\n')]),
  ]);
}

/** Sends commands on one connection as the `default` user and returns their replies (error replies as RespError). */
export async function redisAdmin(commands: ReadonlyArray<readonly string[]>, port: number = SHARED_REDIS_PORT): Promise<RespValue[]> {
  const socket = connect({ host: '127.0.0.1', port });
  socket.on('error', () => undefined);
  const reader = new RespReader();
  const replies: RespValue[] = [];
  try {
    return await new Promise<RespValue[]>((resolve, reject) => {
      socket.on('data', (chunk: Buffer) => {
        replies.push(...reader.push(chunk));
        if (replies.length === commands.length) resolve(replies);
      });
      socket.on('error', reject);
      socket.on('close', () => reject(new Error(`the server closed the connection after ${replies.length} of ${commands.length} replies`)));
      socket.write(Buffer.concat(commands.map(encode)));
    });
  } finally {
    socket.destroy();
  }
}

/** One admin command's reply; an error reply is thrown. */
export async function redisAdminCommand(...args: string[]): Promise<RespValue> {
  const [reply] = await redisAdmin([args]);
  if (reply instanceof Error) throw reply;
  return reply;
}

/** The first line of each reply, read from the raw bytes: enough to tell OK, values and errors apart. */
async function firstLines(socket: Socket, count: number): Promise<string[]> {
  let text = '';
  return new Promise((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      // Replies here are one line each, or a bulk string whose second line is a value: count the first lines.
      const lines = text.split('\r\n').filter((line) => /^[+\-:$*]/.test(line));
      if (lines.length >= count) resolve(lines.slice(0, count));
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error('the server closed the connection')));
  });
}

/**
 * What credentials can do on a Redis server, checked with raw bytes independently of the code under test:
 * `refused` when AUTH answers WRONGPASS, `no-privilege` when the user may not read the application's key
 * (`GET app:orders` answers NOPERM), else `works`. Anything else is thrown.
 */
export async function redisAccess(username: string, password: string, port: number = SHARED_REDIS_PORT): Promise<Access> {
  const socket = connect({ host: '127.0.0.1', port });
  try {
    const replies = firstLines(socket, 2);
    socket.write(Buffer.concat([encode(['AUTH', username, password]), encode(['GET', 'app:orders'])]));
    const [auth, get] = await replies;
    if (auth.startsWith('-WRONGPASS')) return 'refused';
    if (auth !== '+OK') throw new Error(`AUTH answered ${auth.slice(0, 40)}`);
    if (get.startsWith('-NOPERM')) return 'no-privilege';
    if (get.startsWith('-')) throw new Error(`GET answered ${get.slice(0, 60)}`);
    return 'works';
  } finally {
    socket.destroy();
  }
}

let userCount = 0;

/** A user name no other test or worker uses. */
export function uniqueRedisUser(prefix: string): string {
  userCount += 1;
  return `${prefix}_${process.pid}_${userCount}`;
}

/** Rules of a user as `ACL LIST` prints them, without its name and password hashes: what two copies share. */
export async function aclRules(username: string): Promise<string | undefined> {
  const list = await redisAdminCommand('ACL', 'LIST');
  const line = (list as string[]).find((entry) => entry.startsWith(`user ${username} `));
  return line?.slice(`user ${username} `.length).split(' ').filter((word) => !word.startsWith('#') && word !== 'nopass').join(' ');
}

/** Removes users (and their `_clone`), whatever exists of them. */
export async function deleteRedisUsers(usernames: readonly string[]): Promise<void> {
  if (usernames.length === 0) return;
  await redisAdminCommand('ACL', 'DELUSER', ...usernames.flatMap((name) => [name, `${name}_clone`]));
}
