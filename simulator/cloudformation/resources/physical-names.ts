import { randomBytes, randomInt } from 'node:crypto';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `length` random letters and digits, like the suffixes CloudFormation appends to the names it makes up. */
export function randomSuffix(length = 12, alphabet = ALPHANUMERIC): string {
  return Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');
}

/** `length` random lowercase hex digits (EC2-style ids: `vpc-0a1b2c...`). */
export function randomHex(length: number): string {
  return randomBytes(Math.ceil(length / 2)).toString('hex').slice(0, length);
}

/**
 * A name CloudFormation makes up for a resource that does not name itself: `<stack>-<logicalId>-<SUFFIX>`,
 * with the stack name and logical id shortened to fit `maxLength`.
 */
export interface GeneratedNameOptions {
  /** @default 255 */
  readonly maxLength?: number;
  /** @default true */
  readonly includeStackName?: boolean;
  /** @default false */
  readonly lowercase?: boolean;
}

export function generatedName(stackName: string, logicalId: string, options: GeneratedNameOptions = {}): string {
  const suffix = randomSuffix(12);
  const maxLength = options.maxLength ?? 255;
  const parts = options.includeStackName === false ? [logicalId] : [stackName, logicalId];
  let budget = maxLength - suffix.length - parts.length;
  const shortened = parts.map((part, index) => {
    const share = index === parts.length - 1 ? budget : Math.min(part.length, Math.floor(budget / 2));
    budget -= Math.min(part.length, share);
    return part.slice(0, Math.max(0, share));
  });
  const name = [...shortened, suffix].join('-');
  return options.lowercase ? name.toLowerCase() : name;
}
