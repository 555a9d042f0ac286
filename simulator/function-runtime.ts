/**
 * The program that runs inside each function's child process: a small stand-in for the Lambda Node.js runtime.
 * It is bundled on its own (assets/simulator/function-runtime/index.js) and started as `node <that file>`, so it
 * works the same whether the simulator runs from TypeScript sources or from a bundle. Never import it: loading it
 * takes over the process's console and stdio.
 *
 * What it emulates:
 * - loads `<LAMBDA_TASK_ROOT>/<module>.js|.mjs|.cjs` once and calls its export per invocation (a warm
 *   execution environment), with Lambda's error types for a missing module, syntax error or missing export;
 * - async handlers and callback-style handlers `(event, context, callback)`;
 * - console output as the runtime writes it: `<time>\t<requestId>\t<LEVEL>\t<message>` (log format Text) or a
 *   JSON object (log format JSON), one log event per call; raw stdout/stderr writes become one event per line;
 * - a failed invocation logs `Invoke Error` with errorType, errorMessage and stack, as the runtime does;
 * - an uncaught exception or unhandled rejection ends the process (the parent reports Runtime.ExitError).
 * Everything, logs and results, goes over the IPC channel so it arrives in order.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as util from 'node:util';
import type { ChildMessage, InvokeMessage } from './function-messages';

type Handler = (event: unknown, context: unknown, callback: (error: unknown, value?: unknown) => void) => unknown;

/** An error the runtime raises itself, with the errorType Lambda reports for it. */
type RuntimeError = Error & { lambdaErrorType?: string };

interface ErrorInfo {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

const taskRoot = process.env.LAMBDA_TASK_ROOT!;
const handlerSpec = process.env._HANDLER!;
const jsonLogs = process.env.AWS_LAMBDA_LOG_FORMAT === 'JSON';
let requestId: string | undefined;

const send = (message: ChildMessage) => new Promise<void>((resolve) => {
  if (!process.connected) return resolve();
  process.send!(message, undefined, undefined, () => resolve());
});
const emit = (text: string) => { void send({ type: 'log', text }); };

const partial = { stdout: '', stderr: '' };
for (const stream of ['stdout', 'stderr'] as const) {
  process[stream].write = ((chunk: string | Uint8Array, encoding?: unknown, callback?: unknown) => {
    const text = partial[stream] + (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
    const lines = text.split('\n');
    partial[stream] = lines.pop()!;
    for (const line of lines) emit(line);
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') done();
    return true;
  }) as typeof process.stdout.write;
}
const flush = () => {
  for (const stream of ['stdout', 'stderr'] as const) {
    if (partial[stream]) emit(partial[stream]);
    partial[stream] = '';
  }
};

const stringify = (value: unknown): string => {
  try { return JSON.stringify(value); } catch { return JSON.stringify(util.inspect(value)); }
};
const writeLog = (level: string, args: unknown[]) => {
  const timestamp = new Date().toISOString();
  if (jsonLogs) {
    const message = args.length === 1 && typeof args[0] === 'object' && args[0] !== null ? args[0] : util.format(...args);
    emit(stringify({ timestamp, level, requestId, message }));
  } else {
    emit(timestamp + '\t' + requestId + '\t' + level + '\t' + util.format(...args));
  }
};
const CONSOLE_LEVELS = [['log', 'INFO'], ['info', 'INFO'], ['warn', 'WARN'], ['error', 'ERROR'], ['debug', 'DEBUG'], ['trace', 'TRACE']] as const;
for (const [method, level] of CONSOLE_LEVELS) {
  console[method] = (...args: unknown[]) => writeLog(level, args);
}

const lambdaError = (errorType: string, errorMessage: string, cause?: unknown): RuntimeError => {
  const error: RuntimeError = new Error(errorMessage);
  error.lambdaErrorType = errorType;
  const stack = (cause as { stack?: unknown } | undefined)?.stack;
  if (stack) error.stack = String(stack);
  return error;
};
const describe = (error: unknown): ErrorInfo => {
  if (error instanceof Error) {
    return {
      errorType: (error as RuntimeError).lambdaErrorType || error.name || 'Error',
      errorMessage: error.message,
      trace: String(error.stack || '').split('\n'),
    };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
};
const reportError = (info: ErrorInfo) => {
  if (jsonLogs) {
    const message = { errorType: info.errorType, errorMessage: info.errorMessage, stackTrace: info.trace };
    emit(stringify({ timestamp: new Date().toISOString(), level: 'ERROR', requestId, message }));
  } else {
    emit(new Date().toISOString() + '\t' + requestId + '\tERROR\tInvoke Error \t' +
      stringify({ errorType: info.errorType, errorMessage: info.errorMessage, stack: info.trace }));
  }
};

const errorCode = (error: unknown): unknown => (error as { code?: unknown } | null)?.code;

/** CommonJS loading of the function's module, as `require` in the runtime's own module. */
const requireModule = createRequire(__filename);

let handler: Handler | undefined;
const loadHandler = async (): Promise<Handler> => {
  if (handler) return handler;
  const dot = handlerSpec.lastIndexOf('.');
  const moduleName = handlerSpec.slice(0, dot);
  const exportName = handlerSpec.slice(dot + 1);
  const base = path.resolve(taskRoot, moduleName);
  const file = [base + '.js', base + '.mjs', base + '.cjs'].find((candidate) => fs.existsSync(candidate));
  if (dot <= 0 || !file) throw lambdaError('Runtime.ImportModuleError', "Error: Cannot find module '" + moduleName + "'");
  let loaded: Record<string, unknown>;
  try {
    loaded = file.endsWith('.mjs') ? await import(pathToFileURL(file).href) : requireModule(file);
  } catch (error) {
    if (errorCode(error) === 'ERR_REQUIRE_ESM') {
      loaded = await import(pathToFileURL(file).href);
    } else if (error instanceof SyntaxError) {
      throw lambdaError('Runtime.UserCodeSyntaxError', String(error), error);
    } else if (errorCode(error) === 'MODULE_NOT_FOUND') {
      throw lambdaError('Runtime.ImportModuleError', String(error), error);
    } else {
      throw error;
    }
  }
  const fn = loaded[exportName];
  if (typeof fn !== 'function') throw lambdaError('Runtime.HandlerNotFound', handlerSpec + ' is undefined or not exported');
  handler = fn as Handler;
  return handler;
};

const run = (fn: Handler, event: unknown, context: unknown) => new Promise<unknown>((resolve, reject) => {
  let settled = false;
  const callback = (error: unknown, value?: unknown) => {
    if (settled) return;
    settled = true;
    if (error !== null && error !== undefined) reject(error); else resolve(value);
  };
  let returned: unknown;
  try {
    returned = fn(event, context, callback);
  } catch (error) {
    callback(error === undefined ? new Error('undefined') : error);
    return;
  }
  if (returned && typeof (returned as PromiseLike<unknown>).then === 'function') {
    (returned as PromiseLike<unknown>).then((value) => callback(null, value), (error) => callback(error === undefined ? new Error('undefined') : error));
  } else if (fn.length < 3) {
    callback(null, returned);
  }
});

const die = async (errorType: string | undefined, error: unknown) => {
  const info = describe(error);
  info.errorType = errorType || info.errorType;
  flush();
  reportError(info);
  await send({ type: 'fatal', requestId, errorType: info.errorType, errorMessage: info.errorMessage });
  process.exit(128);
};
process.on('uncaughtException', (error) => { void die(undefined, error); });
process.on('unhandledRejection', (reason) => {
  void die('Runtime.UnhandledPromiseRejection', reason instanceof Error ? reason : new Error(String(reason)));
});

process.on('message', async (message: InvokeMessage | undefined) => {
  if (!message || message.type !== 'invoke') return;
  requestId = message.requestId;
  const context = {
    awsRequestId: message.requestId,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: message.functionArn,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, message.deadline - Date.now()),
  };
  let outcome: { ok: true; result: unknown } | ({ ok: false } & ErrorInfo);
  try {
    const result = await run(await loadHandler(), message.event, context);
    outcome = { ok: true, result: result === undefined ? null : JSON.parse(stringify(result) || 'null') };
  } catch (error) {
    const info = describe(error);
    flush();
    reportError(info);
    outcome = Object.assign({ ok: false as const }, info);
  }
  flush();
  await send(Object.assign({ type: 'result' as const, requestId: message.requestId }, outcome));
});
// Lambda's init phase: the handler is loaded before the first invocation, outside its timeout. A failure to load is
// reported by that invocation (loadHandler tries again and throws it), as Lambda reports an init error.
void loadHandler().catch(() => undefined).then(() => send({ type: 'ready' }));
