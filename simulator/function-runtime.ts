/**
 * Source of the program that runs inside each function's child process: a small stand-in for the Lambda
 * Node.js runtime. It is plain JavaScript (run with `node -e`), so it works the same whether the simulator
 * runs from TypeScript sources or from a bundle.
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
export const FUNCTION_RUNTIME_SOURCE = String.raw`
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const util = require('node:util');
const { pathToFileURL } = require('node:url');

const taskRoot = process.env.LAMBDA_TASK_ROOT;
const handlerSpec = process.env._HANDLER;
const jsonLogs = process.env.AWS_LAMBDA_LOG_FORMAT === 'JSON';
let requestId;

const send = (message) => new Promise((resolve) => {
  if (!process.connected) return resolve();
  process.send(message, () => resolve());
});
const emit = (text) => { void send({ type: 'log', text }); };

const partial = { stdout: '', stderr: '' };
for (const stream of ['stdout', 'stderr']) {
  process[stream].write = (chunk, encoding, callback) => {
    const text = partial[stream] + (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
    const lines = text.split('\n');
    partial[stream] = lines.pop();
    for (const line of lines) emit(line);
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') done();
    return true;
  };
}
const flush = () => {
  for (const stream of ['stdout', 'stderr']) {
    if (partial[stream]) emit(partial[stream]);
    partial[stream] = '';
  }
};

const stringify = (value) => {
  try { return JSON.stringify(value); } catch { return JSON.stringify(util.inspect(value)); }
};
const writeLog = (level, args) => {
  const timestamp = new Date().toISOString();
  if (jsonLogs) {
    const message = args.length === 1 && typeof args[0] === 'object' && args[0] !== null ? args[0] : util.format(...args);
    emit(stringify({ timestamp, level, requestId, message }));
  } else {
    emit(timestamp + '\t' + requestId + '\t' + level + '\t' + util.format(...args));
  }
};
for (const [method, level] of [['log', 'INFO'], ['info', 'INFO'], ['warn', 'WARN'], ['error', 'ERROR'], ['debug', 'DEBUG'], ['trace', 'TRACE']]) {
  console[method] = (...args) => writeLog(level, args);
}

const lambdaError = (errorType, errorMessage, cause) => {
  const error = new Error(errorMessage);
  error.lambdaErrorType = errorType;
  if (cause && cause.stack) error.stack = cause.stack;
  return error;
};
const describe = (error) => {
  if (error instanceof Error) {
    return {
      errorType: error.lambdaErrorType || error.name || 'Error',
      errorMessage: error.message,
      trace: String(error.stack || '').split('\n'),
    };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
};
const reportError = (info) => {
  if (jsonLogs) {
    emit(stringify({ timestamp: new Date().toISOString(), level: 'ERROR', requestId,
      message: { errorType: info.errorType, errorMessage: info.errorMessage, stackTrace: info.trace } }));
  } else {
    emit(new Date().toISOString() + '\t' + requestId + '\tERROR\tInvoke Error \t' +
      stringify({ errorType: info.errorType, errorMessage: info.errorMessage, stack: info.trace }));
  }
};

let handler;
const loadHandler = async () => {
  if (handler) return handler;
  const dot = handlerSpec.lastIndexOf('.');
  const moduleName = handlerSpec.slice(0, dot);
  const exportName = handlerSpec.slice(dot + 1);
  const base = path.resolve(taskRoot, moduleName);
  const file = [base + '.js', base + '.mjs', base + '.cjs'].find((candidate) => fs.existsSync(candidate));
  if (dot <= 0 || !file) throw lambdaError('Runtime.ImportModuleError', "Error: Cannot find module '" + moduleName + "'");
  let loaded;
  try {
    loaded = file.endsWith('.mjs') ? await import(pathToFileURL(file).href) : require(file);
  } catch (error) {
    if (error && error.code === 'ERR_REQUIRE_ESM') {
      loaded = await import(pathToFileURL(file).href);
    } else if (error instanceof SyntaxError) {
      throw lambdaError('Runtime.UserCodeSyntaxError', String(error), error);
    } else if (error && error.code === 'MODULE_NOT_FOUND') {
      throw lambdaError('Runtime.ImportModuleError', String(error), error);
    } else {
      throw error;
    }
  }
  const fn = loaded[exportName];
  if (typeof fn !== 'function') throw lambdaError('Runtime.HandlerNotFound', handlerSpec + ' is undefined or not exported');
  handler = fn;
  return fn;
};

const run = (fn, event, context) => new Promise((resolve, reject) => {
  let settled = false;
  const callback = (error, value) => {
    if (settled) return;
    settled = true;
    if (error !== null && error !== undefined) reject(error); else resolve(value);
  };
  let returned;
  try {
    returned = fn(event, context, callback);
  } catch (error) {
    callback(error === undefined ? new Error('undefined') : error);
    return;
  }
  if (returned && typeof returned.then === 'function') {
    returned.then((value) => callback(null, value), (error) => callback(error === undefined ? new Error('undefined') : error));
  } else if (fn.length < 3) {
    callback(null, returned);
  }
});

const die = async (errorType, error) => {
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

process.on('message', async (message) => {
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
  let outcome;
  try {
    const result = await run(await loadHandler(), message.event, context);
    outcome = { ok: true, result: result === undefined ? null : JSON.parse(stringify(result) || 'null') };
  } catch (error) {
    const info = describe(error);
    flush();
    reportError(info);
    outcome = Object.assign({ ok: false }, info);
  }
  flush();
  await send(Object.assign({ type: 'result', requestId: message.requestId }, outcome));
});
void send({ type: 'ready' });
`;
