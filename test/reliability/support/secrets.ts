import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';

export type Stages = Record<string, string[]>;

export const LABELS = ['AWSCURRENT', 'AWSPENDING', 'AWSPREVIOUS'] as const;

export async function stagesOf(client: SecretsManagerClient, secretArn: string): Promise<Stages> {
  return (await client.send(new DescribeSecretCommand({ SecretId: secretArn }))).VersionIdsToStages ?? {};
}

export function versionWith(stages: Stages, label: string): string | undefined {
  return Object.keys(stages).find((id) => stages[id].includes(label));
}

/**
 * What is wrong with the labels: a label on more than one version, AWSCURRENT missing, or AWSPENDING on a
 * version other than AWSCURRENT's (the rotation invariant). Empty when all is well.
 */
export function labelProblems(stages: Stages): string[] {
  const problems: string[] = [];
  for (const label of LABELS) {
    const holders = Object.keys(stages).filter((id) => stages[id].includes(label));
    if (holders.length > 1) problems.push(`${label} is on ${holders.length} versions`);
  }
  const current = versionWith(stages, 'AWSCURRENT');
  if (current === undefined) problems.push('no version holds AWSCURRENT');
  const pending = versionWith(stages, 'AWSPENDING');
  if (pending !== undefined && pending !== current) problems.push(`AWSPENDING is on version ${pending}, not on AWSCURRENT's`);
  return problems;
}

/** The value under a label, or undefined when there is none (or it has no value). */
export async function valueAt(client: SecretsManagerClient, secretArn: string, stage: string): Promise<string | undefined> {
  try {
    return (await client.send(new GetSecretValueCommand({ SecretId: secretArn, VersionStage: stage }))).SecretString;
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

/** Every stored value of a secret, deprecated versions included (the placeholder without a value is skipped). */
export async function allValues(client: SecretsManagerClient, secretArn: string): Promise<string[]> {
  const values: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListSecretVersionIdsCommand({ SecretId: secretArn, IncludeDeprecated: true, NextToken: nextToken }));
    for (const version of page.Versions ?? []) {
      try {
        const out = await client.send(new GetSecretValueCommand({ SecretId: secretArn, VersionId: version.VersionId }));
        if (out.SecretString !== undefined) values.push(out.SecretString);
      } catch (error) {
        if ((error as Error).name !== 'ResourceNotFoundException') throw error;
      }
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return values;
}
