/**
 * Build step: derives from the CloudFormation resource schemas (the `@aws-cdk/aws-service-spec` database) the
 * compact table the deployer reads at run time: per resource type, its create-only properties (a change
 * replaces the resource), its attributes and its ARN template. Usage: `build-resource-types.ts <output file>`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import type { ResourceTypeTable } from './resource-types';

type PropertyType = { type: string; reference?: { $ref: string }; element?: PropertyType };
type Property = { type: PropertyType; causesReplacement?: 'yes' | 'maybe' | 'no' };

const SPEC_FILE = require.resolve('@aws-cdk/aws-service-spec/db.json.gz');
const output = process.argv[2];
if (!output) throw new Error('usage: build-resource-types.ts <output file>');

if (fs.existsSync(output) && fs.statSync(output).mtimeMs >= Math.max(fs.statSync(SPEC_FILE).mtimeMs, fs.statSync(__filename).mtimeMs)) {
  process.exit(0);
}

const db = loadAwsServiceSpecSync();

/** Create-only property paths under a property type, `/`-separated, `*` for list and map elements. */
function createOnlyPaths(properties: Record<string, Property>, prefix: string, seen: Set<string>): string[] {
  const paths: string[] = [];
  for (const [name, property] of Object.entries(properties)) {
    const here = `${prefix}${name}`;
    if (property.causesReplacement === 'yes') {
      paths.push(here);
      continue;
    }
    let type: PropertyType | undefined = property.type;
    let elementPath = here;
    while (type && (type.type === 'array' || type.type === 'map')) {
      type = type.element;
      elementPath += '/*';
    }
    const id = type?.type === 'ref' ? type.reference?.$ref : undefined;
    if (id === undefined || seen.has(id)) continue;
    const definition = db.get('typeDefinition', id) as unknown as { properties: Record<string, Property> };
    paths.push(...createOnlyPaths(definition.properties, `${elementPath}/`, new Set([...seen, id])));
  }
  return paths;
}

const table: ResourceTypeTable = {};
for (const resource of db.all('resource')) {
  const createOnly = createOnlyPaths(resource.properties as Record<string, Property>, '', new Set());
  table[resource.cloudFormationType] = {
    ...(createOnly.length > 0 ? { createOnly } : {}),
    attributes: Object.keys(resource.attributes),
    ...(resource.arnTemplate ? { arn: resource.arnTemplate } : {}),
  };
}

fs.mkdirSync(path.dirname(output), { recursive: true });
fs.writeFileSync(output, JSON.stringify(table));
console.log(`build-resource-types: ${Object.keys(table).length} resource types -> ${output}`);
