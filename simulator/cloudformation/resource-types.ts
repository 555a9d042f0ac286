/** Per resource type, from the CloudFormation resource schemas (derived at build time by build-resource-types.ts). */
export interface ResourceTypeInfo {
  /** Properties whose change replaces the resource, `/`-separated paths, `*` for list and map elements. */
  readonly createOnly?: readonly string[];
  /** The names Fn::GetAtt accepts. */
  readonly attributes: readonly string[];
  /** e.g. `arn:${Partition}:sns:${Region}:${Account}:${TopicName}` */
  readonly arn?: string;
}

export type ResourceTypeTable = Record<string, ResourceTypeInfo>;

// A JSON require: esbuild inlines the table into every bundle that uses the deployer.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const TABLE: ResourceTypeTable = require('../../assets/cloudformation/resource-types.json');

export function resourceTypeInfo(type: string): ResourceTypeInfo | undefined {
  return TABLE[type];
}

/**
 * The create-only properties whose value differs between `before` and `after`: any one of them makes
 * CloudFormation replace the resource. Custom resources have none.
 */
export function changedCreateOnlyProperties(type: string, before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  return (resourceTypeInfo(type)?.createOnly ?? [])
    .filter((propertyPath) => JSON.stringify(valuesAt(before, propertyPath.split('/'))) !== JSON.stringify(valuesAt(after, propertyPath.split('/'))));
}

function valuesAt(value: unknown, parts: string[]): unknown {
  if (parts.length === 0 || value === undefined || value === null) return value;
  const [head, ...rest] = parts;
  if (head === '*') {
    const elements = Array.isArray(value) ? value : typeof value === 'object' ? Object.values(value as object) : [];
    return elements.map((element) => valuesAt(element, rest));
  }
  return typeof value === 'object' ? valuesAt((value as Record<string, unknown>)[head], rest) : undefined;
}
