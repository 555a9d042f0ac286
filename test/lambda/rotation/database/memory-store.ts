import { randomUUID } from 'node:crypto';
import { ResourceExistsError } from '../../../../lambda/rotation/errors';
import type { SecretDescription, SecretsStore, VersionSelector } from '../../../../lambda/rotation/types';

interface Version {
  value?: string;
  readonly stages: Set<string>;
}

interface StoredSecret {
  readonly arn: string;
  readonly versions: Map<string, Version>;
}

/**
 * An in-memory SecretsStore with Secrets Manager's label rules, enough to drive rotations in tests:
 * a label is on one version at most, moving AWSCURRENT moves AWSPREVIOUS to the version it left, and a
 * rotation starts with a value-less AWSPENDING placeholder, as RotateSecret creates it.
 */
export class MemorySecretsStore implements SecretsStore {
  private readonly secrets = new Map<string, StoredSecret>();

  /** Creates a secret whose first version is AWSCURRENT; returns its ARN. */
  create(name: string, value: string): string {
    const arn = `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-${randomUUID().slice(0, 6)}`;
    this.secrets.set(arn, { arn, versions: new Map([[randomUUID(), { value, stages: new Set(['AWSCURRENT']) }]]) });
    return arn;
  }

  /** A manual PutSecretValue: the value becomes AWSCURRENT (and the old current AWSPREVIOUS). */
  putCurrent(arn: string, value: string): string {
    const versionId = randomUUID();
    const current = this.versionIdWith(arn, 'AWSCURRENT')!;
    this.secret(arn).versions.set(versionId, { value, stages: new Set() });
    this.moveLabel(arn, 'AWSPENDING', undefined);
    this.moveCurrentLabel(arn, versionId, current);
    return versionId;
  }

  /** What RotateSecret does first: a version `token` holding only AWSPENDING and no value. */
  startRotation(arn: string, token: string): void {
    this.secret(arn).versions.set(token, { stages: new Set() });
    this.moveLabel(arn, 'AWSPENDING', token);
  }

  /** The value under a staging label, or undefined. */
  valueAt(arn: string, stage: string): string | undefined {
    const versionId = this.versionIdWith(arn, stage);
    return versionId === undefined ? undefined : this.secret(arn).versions.get(versionId)!.value;
  }

  /** The version holding a staging label. */
  versionIdWith(arn: string, stage: string): string | undefined {
    for (const [versionId, version] of this.secret(arn).versions) {
      if (version.stages.has(stage)) return versionId;
    }
    return undefined;
  }

  async describe(secretId: string): Promise<SecretDescription> {
    const secret = this.secret(secretId);
    const versionIdsToStages: Record<string, string[]> = {};
    for (const [versionId, version] of secret.versions) {
      if (version.stages.size > 0) versionIdsToStages[versionId] = [...version.stages];
    }
    return { arn: secret.arn, name: secret.arn, rotationEnabled: true, versionIdsToStages, tags: {} };
  }

  async getValue(secretId: string, selector: VersionSelector): Promise<string | undefined> {
    const secret = this.secret(secretId);
    const versionId = selector.versionId ?? this.versionIdWith(secretId, selector.stage ?? 'AWSCURRENT');
    if (versionId === undefined) return undefined;
    const version = secret.versions.get(versionId);
    if (version === undefined) return undefined;
    if (selector.stage !== undefined && !version.stages.has(selector.stage)) {
      throw new Error('InvalidRequestException: You provided a VersionStage that is not associated to the provided VersionId.');
    }
    return version.value;
  }

  async putPendingValue(secretId: string, token: string, value: string): Promise<void> {
    const version = this.secret(secretId).versions.get(token);
    if (version?.value !== undefined) {
      if (version.value !== value) throw new ResourceExistsError('ResourceExistsException: the version already holds a different value');
      return;
    }
    if (version) version.value = value;
    else this.secret(secretId).versions.set(token, { value, stages: new Set() });
    this.moveLabel(secretId, 'AWSPENDING', token);
  }

  async moveCurrent(secretId: string, versionId: string, fromVersionId: string): Promise<void> {
    if (this.versionIdWith(secretId, 'AWSCURRENT') !== fromVersionId) {
      throw new Error('InvalidParameterException: AWSCURRENT is not on the version to remove it from');
    }
    this.moveCurrentLabel(secretId, versionId, fromVersionId);
  }

  private moveCurrentLabel(arn: string, versionId: string, fromVersionId: string): void {
    this.moveLabel(arn, 'AWSPREVIOUS', fromVersionId);
    this.moveLabel(arn, 'AWSCURRENT', versionId);
  }

  /** Puts `stage` on `versionId` (or nowhere) and takes it off every other version. */
  private moveLabel(arn: string, stage: string, versionId: string | undefined): void {
    for (const [id, version] of this.secret(arn).versions) {
      if (id === versionId) version.stages.add(stage);
      else version.stages.delete(stage);
    }
  }

  private secret(secretId: string): StoredSecret {
    const secret = this.secrets.get(secretId);
    if (!secret) throw new Error(`ResourceNotFoundException: Secrets Manager can't find the specified secret: ${secretId}`);
    return secret;
  }
}
