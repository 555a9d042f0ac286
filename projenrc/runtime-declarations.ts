/**
 * Writes the type declarations of the custom-rotation runtime (`cdk-rotating-secrets/runtime`) beside its bundle: the
 * entry file declares its public types itself, so its declaration file stands alone.
 * Usage: ts-node projenrc/runtime-declarations.ts <entry.ts> <out.d.ts>
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const [entry, out] = process.argv.slice(2);
const result = ts.transpileDeclaration(fs.readFileSync(entry, 'utf8'), { fileName: entry, reportDiagnostics: true, compilerOptions: { strict: true } });
if (result.diagnostics?.length) {
  throw new Error(ts.formatDiagnostics(result.diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => process.cwd(), getNewLine: () => '\n' }));
}
// Only the public declarations: the imports serve the implementation.
const declarations = result.outputText.replace(/^import .*;\n/gm, '');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, declarations);
