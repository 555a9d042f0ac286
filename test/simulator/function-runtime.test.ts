import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startSimulator } from './support';
import { SecretsManagerSimulator } from '../../simulator';

/**
 * The child-process runtime (simulator/function-runtime.ts, run from its bundle) as Lambda's Node.js runtime
 * behaves: module formats, callback handlers, error types and the JSON log format. asset-function.test.ts
 * covers the rest (environment, timeouts, exits, logs in the Text format).
 */

let root: string;
let simulator: SecretsManagerSimulator | undefined;
let count = 0;

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'simulator-runtime-'));
});

afterEach(async () => {
  await simulator?.stop();
  simulator = undefined;
});

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

/** Registers an asset directory holding `files` and invokes it with `{ n: 1 }`; returns the result and the log lines. */
async function invoke(files: Record<string, string>, logFormat: 'Text' | 'JSON' = 'Text') {
  count += 1;
  const assetDir = path.join(root, `asset-${count}`);
  fs.mkdirSync(assetDir);
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(assetDir, name), content);
  ({ simulator } = await startSimulator());
  const arn = `arn:aws:lambda:us-east-1:123456789012:function:runtime-${count}`;
  simulator.registerFunction(arn, { assetDir, logFormat, timeoutSeconds: 10 });
  const result = await simulator.invokeFunction(arn, { n: 1 });
  return { result, lines: simulator.logs.events(`/aws/lambda/runtime-${count}`).map((event) => event.message) };
}

test.each([
  ['an ES module (.mjs)', { 'index.mjs': 'export const handler = async (event) => ({ esm: event.n });' }],
  ['an ES module in a "type": "module" package (.js)', { 'package.json': '{"type":"module"}', 'index.js': 'export const handler = async (event) => ({ esm: event.n });' }],
  ['a CommonJS module (.cjs)', { 'index.cjs': 'exports.handler = async (event) => ({ esm: event.n });' }],
])('loads %s', async (_name, files) => {
  expect((await invoke(files)).result).toEqual({ ok: true, result: { esm: 1 } });
});

test('a callback handler answers through its callback, with the context', async () => {
  const { result } = await invoke({
    'index.js': 'exports.handler = (event, context, callback) => { setTimeout(() => callback(null, { n: event.n, left: context.getRemainingTimeInMillis() > 0 }), 10); };',
  });

  expect(result).toEqual({ ok: true, result: { n: 1, left: true } });
});

test.each([
  ['a callback error', 'exports.handler = (event, context, callback) => callback(new RangeError("boom"));', { errorType: 'RangeError', errorMessage: 'boom' }],
  ['a thrown string', 'exports.handler = async () => { throw "text"; };', { errorType: 'string', errorMessage: 'text' }],
  ['a syntax error', 'exports.handler = async () => {', { errorType: 'Runtime.UserCodeSyntaxError', errorMessage: 'SyntaxError: Unexpected end of input' }],
  ['a missing dependency', 'require("not-a-package"); exports.handler = async () => 1;',
    { errorType: 'Runtime.ImportModuleError', errorMessage: expect.stringMatching(/^Error: Cannot find module 'not-a-package'/) }],
  ['an unhandled rejection', 'exports.handler = async () => { Promise.reject(new Error("lost")); await new Promise((r) => setTimeout(r, 1000)); };',
    { errorType: 'Runtime.UnhandledPromiseRejection', errorMessage: 'lost' }],
])('%s fails the invocation with Lambda\'s error type', async (_name, source, expected) => {
  const { result, lines } = await invoke({ 'index.js': source });

  expect(result).toMatchObject({ ok: false, ...expected });
  expect(lines).toContainEqual(expect.stringMatching(new RegExp(`\\tERROR\\tInvoke Error \\t\\{"errorType":"${expected.errorType}"`)));
});

test('a missing module is Runtime.ImportModuleError', async () => {
  expect((await invoke({ 'other.js': '' })).result).toMatchObject({ ok: false, errorType: 'Runtime.ImportModuleError', errorMessage: "Error: Cannot find module 'index'" });
});

test('the JSON log format writes one object per console call; raw writes stay lines', async () => {
  const { result, lines } = await invoke({
    'index.js': 'exports.handler = async () => { console.log({ a: 1 }); console.warn("x", 2); process.stdout.write("raw\\npartial"); return { when: new Date(0), gone: undefined }; };',
  }, 'JSON');

  expect(result).toEqual({ ok: true, result: { when: '1970-01-01T00:00:00.000Z' } });
  const logged = lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
  expect(logged).toEqual([
    { timestamp: expect.any(String), level: 'INFO', requestId: expect.any(String), message: { a: 1 } },
    { timestamp: expect.any(String), level: 'WARN', requestId: expect.any(String), message: 'x 2' },
  ]);
  expect(lines).toEqual(expect.arrayContaining(['raw', 'partial']));
});
