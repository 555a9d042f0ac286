import { randomInt } from 'node:crypto';
import { invalidParameter, validationError } from './errors';

export interface PasswordRequest {
  readonly PasswordLength?: number;
  readonly ExcludeCharacters?: string;
  readonly ExcludeNumbers?: boolean;
  readonly ExcludePunctuation?: boolean;
  readonly ExcludeUppercase?: boolean;
  readonly ExcludeLowercase?: boolean;
  readonly IncludeSpace?: boolean;
  readonly RequireEachIncludedType?: boolean;
}

const LOWERCASE = 'abcdefghijklmnopqrstuvwxyz';
const UPPERCASE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const NUMBERS = '0123456789';
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

/**
 * GetRandomPassword with Secrets Manager's rules: length 1–4096 (default 32); every included character type
 * (lowercase, uppercase, numbers, punctuation) appears at least once. With RequireEachIncludedType a length
 * too short for that is an error; without it, as many types as fit are included. The space is optional and
 * never required. Characters come from node:crypto and are shuffled, so required ones are not at fixed places.
 */
export function generatePassword(request: PasswordRequest): string {
  const length = request.PasswordLength ?? 32;
  if (!Number.isInteger(length) || length < 1) throw validationError('passwordLength', 'have value greater than or equal to 1', length);
  if (length > 4096) throw validationError('passwordLength', 'have value less than or equal to 4096', length);
  const excluded = request.ExcludeCharacters ?? '';
  if (excluded.length > 4096) throw validationError('excludeCharacters', 'have length less than or equal to 4096');

  const keep = (chars: string) => [...chars].filter((c) => !excluded.includes(c)).join('');
  const types = [
    request.ExcludeLowercase ? '' : keep(LOWERCASE),
    request.ExcludeUppercase ? '' : keep(UPPERCASE),
    request.ExcludeNumbers ? '' : keep(NUMBERS),
    request.ExcludePunctuation ? '' : keep(PUNCTUATION),
  ].filter((chars) => chars.length > 0);
  const space = request.IncludeSpace && !excluded.includes(' ') ? ' ' : '';
  const alphabet = types.join('') + space;
  if (alphabet.length === 0) {
    throw invalidParameter('The password cannot be generated because every character type is excluded.');
  }
  if (request.RequireEachIncludedType && length < types.length) {
    throw invalidParameter('Password length is too short based on the required types.');
  }

  const chars = shuffle(types).slice(0, length).map(pick);
  while (chars.length < length) chars.push(pick(alphabet));
  return shuffle(chars).join('');
}

function pick(chars: string): string {
  return chars[randomInt(chars.length)];
}

/** Fisher–Yates with a cryptographic source. */
function shuffle<T>(items: T[]): T[] {
  const result = [...items];
  for (let i = result.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [result[i], result[j]] = [result[j], result[i]];
  }
  return result;
}
