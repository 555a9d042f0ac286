import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { invalidProp } from './errors';

/** Secrets Manager's rule for a secret's name. */
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]+$/;
const MAX_SECRET_NAME_LENGTH = 512;

/** The construct path of each named secret, by stack and name: two secrets of one stack cannot share a name. */
const namedSecrets = new WeakMap<Stack, Map<string, string>>();

/** Refuses a name Secrets Manager would refuse, or one another secret of the stack already has. Tokens are not judged. */
export function checkSecretName(secret: IConstruct, name: string | undefined): void {
  if (name === undefined || Token.isUnresolved(name)) return;
  if (name.length === 0 || name.length > MAX_SECRET_NAME_LENGTH || !SECRET_NAME.test(name)) {
    throw invalidProp(secret, `\`secretName\` must be 1 to ${MAX_SECRET_NAME_LENGTH} letters, digits and /_+=.@- characters, got ${JSON.stringify(name)}`);
  }
  const stack = Stack.of(secret);
  const names = namedSecrets.get(stack) ?? new Map<string, string>();
  namedSecrets.set(stack, names);
  const other = names.get(name);
  if (other !== undefined) {
    throw invalidProp(secret, `\`secretName\` ${JSON.stringify(name)} is already the name of ${other} in this stack: a secret's name is unique in its account and Region`);
  }
  names.set(name, secret.node.path);
}
