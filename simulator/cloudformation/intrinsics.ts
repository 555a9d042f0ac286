import { TemplateError } from './template';

/** `Ref: AWS::NoValue`: the property (or list element) is removed. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

/** What intrinsic functions read: pseudo parameters, parameters, mappings, conditions and the stack's resources. */
export interface ResolutionScope {
  /** `AWS::Region`, `AWS::StackName`, ... */
  readonly pseudoParameters: Readonly<Record<string, unknown>>;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly mappings: Readonly<Record<string, Record<string, Record<string, unknown>>>>;
  /** Evaluated conditions. */
  readonly conditions: Readonly<Record<string, boolean>>;
  /** Ref of a resource: its physical id. */
  ref(logicalId: string): unknown;
  getAtt(logicalId: string, attribute: string): unknown;
  importValue(exportName: string): unknown;
}

/** An intrinsic that cannot be resolved now (a missing attribute, an export that does not exist). */
export class ResolutionError extends Error {}

/** `{ "Fn::X": args }` (or `Ref`) → its name and arguments; undefined for plain values. */
export function intrinsicOf(value: unknown): { name: string; args: any } | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1 || !(keys[0] === 'Ref' || keys[0].startsWith('Fn::') || keys[0] === 'Condition')) return undefined;
  return { name: keys[0], args: (value as Record<string, unknown>)[keys[0]] };
}

/** Resolves every intrinsic in `value`; `AWS::NoValue` removes object members and list elements. */
export function resolve(value: unknown, scope: ResolutionScope): unknown {
  if (Array.isArray(value)) return value.map((item) => resolve(item, scope)).filter((item) => item !== NO_VALUE);
  if (typeof value !== 'object' || value === null) return value;
  const intrinsic = intrinsicOf(value);
  if (intrinsic && intrinsic.name !== 'Condition') return resolveIntrinsic(intrinsic.name, intrinsic.args, scope);
  const resolved: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    const result = resolve(member, scope);
    if (result !== NO_VALUE) resolved[key] = result;
  }
  return resolved;
}

function resolveIntrinsic(name: string, args: any, scope: ResolutionScope): unknown {
  switch (name) {
    case 'Ref':
      return resolveRef(String(args), scope);
    case 'Fn::GetAtt': {
      const [logicalId, attribute] = getAttArguments(args);
      return scope.getAtt(logicalId, String(resolve(attribute, scope)));
    }
    case 'Fn::Join': {
      const [delimiter, list] = expectArray(name, args, 2);
      const items = resolve(list, scope);
      if (!Array.isArray(items)) throw new ResolutionError(`Template error: Fn::Join requires a list, got ${JSON.stringify(items)}`);
      return items.map((item) => scalarString(name, item)).join(String(delimiter));
    }
    case 'Fn::Sub':
      return resolveSub(args, scope);
    case 'Fn::Select': {
      const [index, list] = expectArray(name, args, 2);
      const items = resolve(list, scope);
      const position = Number(resolve(index, scope));
      if (!Array.isArray(items) || !Number.isInteger(position) || position < 0 || position >= items.length) {
        throw new ResolutionError(`Template error: Fn::Select cannot select nonexistent value at index ${position}`);
      }
      return items[position];
    }
    case 'Fn::Split': {
      const [delimiter, source] = expectArray(name, args, 2);
      return scalarString(name, resolve(source, scope)).split(String(delimiter));
    }
    case 'Fn::If': {
      const [condition, whenTrue, whenFalse] = expectArray(name, args, 3);
      return resolve(conditionValue(String(condition), scope) ? whenTrue : whenFalse, scope);
    }
    case 'Fn::FindInMap': {
      const [map, top, second] = expectArray(name, args, 3).map((part) => String(resolve(part, scope)));
      const found = scope.mappings[map]?.[top]?.[second];
      if (found === undefined) throw new ResolutionError(`Template error: Unable to get mapping for ${map}::${top}::${second}`);
      return found;
    }
    case 'Fn::Base64':
      return Buffer.from(scalarString(name, resolve(args, scope))).toString('base64');
    case 'Fn::GetAZs': {
      const region = String(resolve(args, scope) || scope.pseudoParameters['AWS::Region']);
      return ['a', 'b', 'c'].map((zone) => `${region}${zone}`);
    }
    case 'Fn::ImportValue':
      return scope.importValue(scalarString(name, resolve(args, scope)));
    case 'Fn::Equals':
    case 'Fn::And':
    case 'Fn::Or':
    case 'Fn::Not':
      return evaluateCondition({ [name]: args }, scope);
    default:
      throw new TemplateError(`Template format error: Unrecognized intrinsic function ${name}`);
  }
}

function resolveRef(name: string, scope: ResolutionScope): unknown {
  if (name === 'AWS::NoValue') return NO_VALUE;
  if (name in scope.pseudoParameters) return scope.pseudoParameters[name];
  if (name in scope.parameters) return scope.parameters[name];
  return scope.ref(name);
}

/** `["X", "Attr"]` or `"X.Attr"` (attributes may contain dots: `Endpoint.Address`). */
export function getAttArguments(args: unknown): [string, unknown] {
  if (typeof args === 'string') {
    const dot = args.indexOf('.');
    if (dot < 1) throw new TemplateError(`Template error: invalid Fn::GetAtt ${JSON.stringify(args)}`);
    return [args.slice(0, dot), args.slice(dot + 1)];
  }
  if (!Array.isArray(args) || args.length !== 2 || typeof args[0] !== 'string') {
    throw new TemplateError(`Template error: every Fn::GetAtt object requires two non-empty parameters, got ${JSON.stringify(args)}`);
  }
  return [args[0], args[1]];
}

function expectArray(name: string, args: unknown, length: number): any[] {
  if (!Array.isArray(args) || args.length !== length) {
    throw new TemplateError(`Template error: ${name} requires a list of ${length} arguments, got ${JSON.stringify(args)}`);
  }
  return args;
}

function scalarString(name: string, value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new ResolutionError(`Template error: ${name} requires strings, got ${JSON.stringify(value)}`);
}

/** The `${Name}` and `${Name.Attr}` variables of a Fn::Sub string (`${!Literal}` is not one). */
export function subVariables(text: string): string[] {
  return [...text.matchAll(/\$\{([^!}][^}]*)\}/g)].map((match) => match[1].trim());
}

function resolveSub(args: unknown, scope: ResolutionScope): string {
  const [text, variables] = typeof args === 'string' ? [args, {}] : expectArray('Fn::Sub', args, 2);
  if (typeof text !== 'string') throw new TemplateError(`Template error: Fn::Sub requires a string, got ${JSON.stringify(text)}`);
  const values = resolve(variables, scope) as Record<string, unknown>;
  return text.replace(/\$\{([^}]*)\}/g, (whole, inner: string) => {
    if (inner.startsWith('!')) return `\${${inner.slice(1)}}`;
    const name = inner.trim();
    if (name in values) return scalarString('Fn::Sub', values[name]);
    const dot = name.indexOf('.');
    if (dot > 0 && !name.startsWith('AWS::')) return scalarString('Fn::Sub', scope.getAtt(name.slice(0, dot), name.slice(dot + 1)));
    const resolved = resolveRef(name, scope);
    if (resolved === NO_VALUE) return whole;
    return scalarString('Fn::Sub', resolved);
  });
}

function conditionValue(name: string, scope: ResolutionScope): boolean {
  const value = scope.conditions[name];
  if (value === undefined) throw new TemplateError(`Template format error: Unresolved condition dependency ${name}`);
  return value;
}

/** Evaluates a Conditions entry: Fn::Equals/And/Or/Not and `{ Condition: name }`. */
export function evaluateCondition(value: unknown, scope: ResolutionScope): boolean {
  const intrinsic = intrinsicOf(value);
  if (!intrinsic) throw new TemplateError(`Template format error: a condition must be an intrinsic function, got ${JSON.stringify(value)}`);
  const args = intrinsic.args;
  switch (intrinsic.name) {
    case 'Condition':
      return conditionValue(String(args), scope);
    case 'Fn::Equals': {
      const [a, b] = expectArray('Fn::Equals', args, 2).map((side) => JSON.stringify(normalizeScalar(resolve(side, scope))));
      return a === b;
    }
    case 'Fn::Not':
      return !evaluateCondition(expectArray('Fn::Not', args, 1)[0], scope);
    case 'Fn::And':
    case 'Fn::Or': {
      if (!Array.isArray(args) || args.length < 2 || args.length > 10) {
        throw new TemplateError(`Template format error: ${intrinsic.name} requires 2 to 10 conditions, got ${JSON.stringify(args)}`);
      }
      const results = args.map((item) => evaluateCondition(item, scope));
      return intrinsic.name === 'Fn::And' ? results.every(Boolean) : results.some(Boolean);
    }
    default:
      throw new TemplateError(`Template format error: ${intrinsic.name} is not a condition function`);
  }
}

/** CloudFormation compares condition operands as strings: `"true"` equals `true`, `"1"` equals `1`. */
function normalizeScalar(value: unknown): unknown {
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
}

/**
 * Evaluates every condition, each once, in any order (conditions may name each other). Conditions may read
 * parameters and pseudo parameters only, so `scope` needs no resources.
 */
export function evaluateConditions(conditions: Record<string, unknown>, scope: Omit<ResolutionScope, 'conditions'>): Record<string, boolean> {
  const values: Record<string, boolean> = {};
  const evaluating = new Set<string>();
  const evaluate = (name: string): boolean => {
    if (name in values) return values[name];
    if (!(name in conditions)) throw new TemplateError(`Template format error: Unresolved condition dependency ${name}`);
    if (evaluating.has(name)) throw new TemplateError(`Template format error: Circular dependency between conditions: [${[...evaluating].join(', ')}]`);
    evaluating.add(name);
    const conditionScope: ResolutionScope = {
      ...scope,
      ref: (logicalId) => {
        throw new TemplateError(`Template format error: Conditions can only be boolean operations on parameters and other conditions; ${logicalId} is a resource`);
      },
      conditions: new Proxy({}, { get: (_target, key) => (typeof key === 'string' ? evaluate(key) : undefined) }),
    };
    values[name] = evaluateCondition(conditions[name], conditionScope);
    evaluating.delete(name);
    return values[name];
  };
  for (const name of Object.keys(conditions)) evaluate(name);
  return values;
}

/**
 * The logical ids of the resources that `value` references (Ref, Fn::GetAtt, Fn::Sub variables), following only
 * the Fn::If branch its condition selects. Names that are neither resources nor parameters nor pseudo parameters
 * are returned in `unresolved`.
 */
export function referencesOf(
  value: unknown,
  known: { resources: ReadonlySet<string>; parameters: ReadonlySet<string>; conditions: Readonly<Record<string, boolean>> },
): { resources: Set<string>; unresolved: Set<string> } {
  const resources = new Set<string>();
  const unresolved = new Set<string>();
  const reference = (name: string) => {
    if (name.startsWith('AWS::') || known.parameters.has(name)) return;
    (known.resources.has(name) ? resources : unresolved).add(name);
  };
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (typeof node !== 'object' || node === null) return;
    const intrinsic = intrinsicOf(node);
    if (!intrinsic) return Object.values(node).forEach(walk);
    const args = intrinsic.args;
    switch (intrinsic.name) {
      case 'Ref':
        return reference(String(args));
      case 'Fn::GetAtt':
        return reference(getAttArguments(args)[0]);
      case 'Fn::Sub': {
        const [text, variables] = typeof args === 'string' ? [args, {}] : (Array.isArray(args) ? args : [undefined, {}]);
        walk(variables);
        const local = new Set(Object.keys(variables ?? {}));
        for (const variable of typeof text === 'string' ? subVariables(text) : []) {
          if (!local.has(variable)) reference(variable.split('.')[0]);
        }
        return;
      }
      case 'Fn::If': {
        if (Array.isArray(args) && args.length === 3) return walk(known.conditions[String(args[0])] === false ? args[2] : args[1]);
        return walk(args);
      }
      default:
        return walk(args);
    }
  };
  walk(value);
  return { resources, unresolved };
}
