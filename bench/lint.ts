import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { pythonTool } from '../test/support/python-tools';

/** aws-cdk-lib always adds a DependsOn that a GetAtt already implies (Function -> Role): W3005, ignored. */
export const IGNORED_CHECKS = ['W3005'];

export interface LintResult {
  /** Rule id -> number of findings in this template. */
  readonly findings: Record<string, number>;
  readonly clean: boolean;
}

/** Runs cfn-lint once over every template and returns its findings per template file. */
export async function lintTemplates(files: readonly string[]): Promise<Map<string, LintResult>> {
  let output: string;
  try {
    ({ stdout: output } = await promisify(execFile)(pythonTool('cfn-lint'), ['--format', 'parseable', '--ignore-checks', ...IGNORED_CHECKS, '--', ...files], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    }));
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    // cfn-lint exits non-zero when it reports findings; anything else (not installed, crashed) is an error.
    if (typeof failed.code !== 'number' || !failed.stdout) throw new Error(`cfn-lint did not run: ${failed.stderr ?? String(error)}`);
    output = failed.stdout;
  }
  const results = new Map(files.map((file): [string, LintResult] => [file, { findings: {}, clean: true }]));
  for (const line of output.split('\n').filter((l) => l.trim() !== '')) {
    // parseable: <file>:<line>:<column>:<end line>:<end column>:<rule>:<message>
    const file = files.find((candidate) => line.startsWith(`${candidate}:`));
    const rule = file && line.slice(file.length + 1).split(':')[4];
    if (!file || !rule) throw new Error(`cannot read cfn-lint's line: ${line}`);
    const result = results.get(file)!;
    result.findings[rule] = (result.findings[rule] ?? 0) + 1;
    results.set(file, { findings: result.findings, clean: false });
  }
  return results;
}

/** `E3010 ×1, W3010 ×4`, or `clean`. */
export function describeFindings(findings: Record<string, number>): string {
  const rules = Object.entries(findings).sort(([a], [b]) => a.localeCompare(b));
  return rules.length === 0 ? 'clean' : rules.map(([rule, count]) => `${rule} ×${count}`).join(', ');
}
