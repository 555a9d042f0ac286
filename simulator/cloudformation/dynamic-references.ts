import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ResolutionError } from './intrinsics';

const PATTERN = /\{\{resolve:(secretsmanager|ssm):([^}]*)\}\}/g;

/** The parts of `{{resolve:secretsmanager:<secret-id>:SecretString:<json-key>:<version-stage>:<version-id>}}`. */
export interface SecretReference {
  readonly secretId: string;
  readonly jsonKey?: string;
  readonly versionStage?: string;
  readonly versionId?: string;
}

/** Splits a reference's body; the secret id may be a full ARN (which holds colons itself). */
export function parseSecretReference(body: string): SecretReference {
  const parts = body.split(':');
  const idLength = parts[0] === 'arn' ? 7 : 1;
  const secretId = parts.slice(0, idLength).join(':');
  const [valueType = 'SecretString', jsonKey, versionStage, versionId] = parts.slice(idLength);
  if (!secretId || valueType !== 'SecretString' || parts.length > idLength + 4) {
    throw new ResolutionError(`Invalid dynamic reference {{resolve:secretsmanager:${body}}}: expected <secret-id>:SecretString:<json-key>:<version-stage>:<version-id>`);
  }
  return { secretId, jsonKey: jsonKey || undefined, versionStage: versionStage || undefined, versionId: versionId || undefined };
}

export function containsDynamicReference(value: unknown): boolean {
  return JSON.stringify(value ?? null).includes('{{resolve:');
}

/** Where dynamic references are read from: the simulator's Secrets Manager and the deployer's SSM parameters. */
export interface DynamicReferenceSources {
  readonly secretsManager: SecretsManagerClient;
  readonly ssmParameters: Readonly<Record<string, string>>;
}

/**
 * Replaces every dynamic reference in the strings of `value`, as CloudFormation does when it creates or updates
 * the resource that holds them. Errors name the reference, never the value.
 */
export async function resolveDynamicReferences(value: unknown, sources: DynamicReferenceSources): Promise<unknown> {
  if (typeof value === 'string') return replaceInString(value, sources);
  if (Array.isArray(value)) return Promise.all(value.map((item) => resolveDynamicReferences(item, sources)));
  if (typeof value !== 'object' || value === null) return value;
  const entries = await Promise.all(
    Object.entries(value).map(async ([key, member]) => [key, await resolveDynamicReferences(member, sources)] as const),
  );
  return Object.fromEntries(entries);
}

async function replaceInString(text: string, sources: DynamicReferenceSources): Promise<string> {
  const matches = [...text.matchAll(PATTERN)];
  if (matches.length === 0) return text;
  const values = await Promise.all(matches.map(([, service, body]) => (service === 'ssm' ? ssmValue(body, sources) : secretValue(body, sources))));
  let index = 0;
  return text.replace(PATTERN, () => values[index++]);
}

function ssmValue(body: string, sources: DynamicReferenceSources): string {
  const name = body.split(':')[0];
  const value = sources.ssmParameters[name];
  if (value === undefined) throw new ResolutionError(`Parameters: [${name}] cannot be found (dynamic reference {{resolve:ssm:${body}}})`);
  return value;
}

async function secretValue(body: string, sources: DynamicReferenceSources): Promise<string> {
  const reference = parseSecretReference(body);
  let secretString: string | undefined;
  try {
    const answer = await sources.secretsManager.send(new GetSecretValueCommand({
      SecretId: reference.secretId,
      VersionStage: reference.versionStage ?? (reference.versionId ? undefined : 'AWSCURRENT'),
      VersionId: reference.versionId,
    }));
    secretString = answer.SecretString;
  } catch (error) {
    throw new ResolutionError(`Could not resolve the dynamic reference to secret ${reference.secretId}: ${(error as Error).message}`);
  }
  if (secretString === undefined) throw new ResolutionError(`Secret ${reference.secretId} has no SecretString to resolve`);
  if (reference.jsonKey === undefined) return secretString;
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    throw new ResolutionError(`Secret ${reference.secretId} is not JSON, so its key ${reference.jsonKey} cannot be resolved`);
  }
  const field = (parsed as Record<string, unknown>)?.[reference.jsonKey];
  if (field === undefined) throw new ResolutionError(`Could not find SecretString key ${reference.jsonKey} in secret ${reference.secretId}`);
  return typeof field === 'string' ? field : JSON.stringify(field);
}
