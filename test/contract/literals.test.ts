import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';
import {
  AWSCURRENT,
  AWSPENDING,
  AWSPREVIOUS,
  CHECK_RESOURCE_TYPE,
  CheckProperties,
  OPTION_SETS_VARIABLE,
  OPTION_SET_TAG,
  RotationFunctionConfig,
  encodeCheckProperties,
  encodeRotationEnvironment,
} from '../../src/private/contract';

/**
 * The contract is the one place that names what crosses a bundle boundary. Its names are collected from the
 * contract itself (a full configuration and a full set of check properties, encoded), then every string
 * literal in src/, lambda/ and sandbox/ outside the contract is searched for them. Comments may name them.
 */
const ROOT = path.join(__dirname, '..', '..');
const CONTRACT_DIR = path.join(ROOT, 'src', 'private', 'contract');

function contractNames(): string[] {
  const passwordPolicy = {
    passwordLength: 20,
    excludeCharacters: 'x',
    excludeNumbers: true,
    excludePunctuation: true,
    excludeUppercase: true,
    excludeLowercase: true,
    includeSpace: true,
    requireEachIncludedType: false,
  };
  const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:x';
  const config: RotationFunctionConfig = {
    strategy: 'postgres-single-user',
    optionSets: { a: { passwordPolicy } },
    optionSetBySecret: { [arn]: 'a' },
    connectTimeoutSeconds: 7,
    createUsers: { [arn]: { memberOf: ['r'] } },
  };
  const generic: RotationFunctionConfig = { strategy: 'generic', optionSets: { a: { passwordPolicy, generateStringKey: 'k' } } };
  const check: CheckProperties = {
    functions: [{ arn: 'arn', logGroup: 'g', timeoutSeconds: 61, kind: 'library' }],
    secrets: [{
      secretArn: 'arn',
      fingerprint: 'f',
      functionIndex: 1,
      scheduleExpression: 'rate(1 day)',
      duration: '2h',
      timeoutSeconds: 61,
      pollSeconds: 11,
      repairStalePending: true,
      verify: false,
      connection: { dbname: 'd' },
    }],
  }; return [...new Set([
    ...Object.keys(encodeRotationEnvironment(config)),
    ...Object.keys(encodeRotationEnvironment(generic)),
    ...Object.keys(JSON.parse(encodeRotationEnvironment(generic)[OPTION_SETS_VARIABLE]).a),
    OPTION_SET_TAG,
    ...Object.keys(encodeCheckProperties(check)),
    ...Object.values(encodeCheckProperties(check)).flatMap((entries) => entries.flatMap((entry) => Object.keys(entry))),
    AWSCURRENT, AWSPENDING, AWSPREVIOUS, CHECK_RESOURCE_TYPE,
  ])];
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return file === CONTRACT_DIR ? [] : sourceFiles(file);
    return entry.name.endsWith('.ts') ? [file] : [];
  });
}

/**
 * The text of every string literal, template-literal part and property name (`env.NAME`, `{ NAME: ... }`) of a
 * TypeScript file: the places a name written by hand would be. Identifiers that refer to the contract's constants
 * are not among them.
 */
function stringLiterals(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const literals: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isStringLiteralLike(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) {
      literals.push(node.text);
    } else if (isNamedByProperty(node)) {
      literals.push(node.name.text);
    } else if (ts.isShorthandPropertyAssignment(node)) {
      literals.push(node.name.text);
    }
    node.forEachChild(visit);
  };
  visit(source);
  return literals;
}

/**
 * A name that cannot be an ordinary word (`ROTATION_STRATEGY`, `AWSCURRENT`, `SecretArn`, `Custom::RotationCheck`) is
 * searched inside every literal; a plain word (`Fingerprint`) only where it is the whole literal or a property name,
 * since sentences and construct ids use the same words.
 */
function distinctive(name: string): boolean {
  return /[_:]/.test(name) || /^[A-Z]+$/.test(name) || (name.match(/[A-Z]/g) ?? []).length >= 2;
}

function isNamedByProperty(node: ts.Node): node is ts.Node & { readonly name: ts.Identifier } {
  const named = ts.isPropertyAccessExpression(node) || ts.isPropertyAssignment(node) || ts.isBindingElement(node);
  return named && ts.isIdentifier(node.name);
}

test('the contract names at least the variables, properties and labels it owns', () => {
  expect(contractNames()).toEqual(expect.arrayContaining([
    'ROTATION_STRATEGY', 'PASSWORD_LENGTH', 'EXCLUDE_UPPERCASE', 'EXCLUDE_LOWERCASE', 'INCLUDE_SPACE', 'GENERATE_STRING_KEY',
    'CONNECT_TIMEOUT_SECONDS', 'NODE_EXTRA_CA_CERTS', 'RotationFunctions', 'RotatedSecrets', 'SecretArn', 'FunctionIndex',
    'ScheduleRule', 'RepairStalePending', 'ConnectionFields', 'LogGroupName', 'AWSCURRENT', 'AWSPENDING', 'AWSPREVIOUS', 'Custom::RotationCheck',
    'PASSWORD_OPTION_SETS', 'OPTION_SET_BY_SECRET', 'CREATE_USERS', 'REQUIRE_EACH_INCLUDED_TYPE', 'cdk-rotating-secrets:password-options',
  ]));
});

test('no string literal or property name in src/, lambda/ or sandbox/ outside the contract names a variable, property or label', () => {
  const names = contractNames();
  const findings: string[] = [];
  for (const dir of ['src', 'lambda', 'sandbox']) {
    for (const file of sourceFiles(path.join(ROOT, dir))) {
      for (const literal of stringLiterals(file)) {
        const found = names.filter((name) => literal === name || (distinctive(name) && new RegExp(`(^|[^A-Za-z0-9_])${name.replace(/[.*+?^${}()|[\]\\:]/g, '\\$&')}($|[^A-Za-z0-9_])`).test(literal)));
        for (const name of found) findings.push(`${path.relative(ROOT, file)}: ${name} in ${JSON.stringify(literal.slice(0, 80))}`);
      }
    }
  }
  expect(findings).toEqual([]);
});

test('the search finds a name in a string literal (guards against a silent pass)', () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'literals-')), 'probe.ts');
  fs.writeFileSync(file, '// AWSPENDING in a comment is fine\nconst label = `left on ${x} AWSPENDING`;\nconst v = env.ROTATION_STRATEGY;\nuse(AWSCURRENT);\n');
  expect(stringLiterals(file)).toEqual(['left on ', ' AWSPENDING', 'ROTATION_STRATEGY']);
});
