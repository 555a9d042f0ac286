import * as crypto from 'node:crypto';
import { CfnElement, Stack } from 'aws-cdk-lib';

/**
 * Pins `element`'s logical id to the one it had at another place in the construct tree: its parent's path followed by
 * `formerPath`. A resource whose logical id changes is replaced by CloudFormation; for a secret that is a lost value.
 */
export function pinLogicalId(element: CfnElement, formerPath: readonly string[]): void {
  const stack = Stack.of(element);
  const parentScopes = element.node.scopes.slice(stack.node.scopes.length, -1);
  element.overrideLogicalId(logicalIdOf([...parentScopes.map((scope) => scope.node.id), ...formerPath]));
}

/**
 * The logical id CloudFormation elements get from their path in a stack (aws-cdk-lib's rule, which every deployed
 * CDK stack depends on): the path's components without `Default`, as letters and digits, consecutive repeats and
 * `Resource` left out, followed by the first 8 hex digits of the MD5 of the path, in upper case.
 */
export function logicalIdOf(path: readonly string[]): string {
  const components = path.filter((component) => component !== 'Default');
  if (components.length === 1 && alphanumeric(components[0]).length <= 255) return alphanumeric(components[0]);
  const hash = crypto.createHash('md5').update(components.join('/')).digest('hex').slice(0, 8).toUpperCase();
  const human: string[] = [];
  for (const component of components) {
    if (human.length === 0 || !human[human.length - 1].endsWith(component)) human.push(component);
  }
  return human.filter((component) => component !== 'Resource').map(alphanumeric).join('').slice(0, 240) + hash;
}

function alphanumeric(text: string): string {
  return text.replace(/[^A-Za-z0-9]/g, '');
}
