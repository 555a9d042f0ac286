/**
 * Identifiers the check derives instead of storing: rotation and merge tokens, the verified fingerprint and the
 * resource's physical id. Deterministic, so a retried or continued invocation finds what an earlier one did.
 */
import { createHash } from 'node:crypto';

/** What identifies the check resource: its stack and logical id. */
export interface ResourceIdentity {
  readonly StackId: string;
  readonly LogicalResourceId: string;
}

/** What identifies one CloudFormation request for the check resource. */
export interface RequestIdentity extends ResourceIdentity {
  readonly RequestId: string;
}

/**
 * The ClientRequestToken of this request's rotation of one secret.
 *
 * The first 12 hex digits identify the resource (stack and logical id), the other 20 the request and the secret:
 * a stale AWSPENDING version can then be recognised as left by an earlier deploy of the same resource.
 */
export function deriveRotationToken(request: RequestIdentity, secretArn: string): string {
  return uuidShaped(resourcePrefix(request) + sha256Hex(request.StackId, request.LogicalResourceId, request.RequestId, secretArn).slice(0, 20));
}

/** Whether `versionId` is a rotation token this resource derived, in this or an earlier request. */
export function isTokenOfResource(versionId: string, resource: ResourceIdentity): boolean {
  return versionId.length === 36 && `${versionId.slice(0, 8)}${versionId.slice(9, 13)}` === resourcePrefix(resource);
}

/**
 * The ClientRequestToken of a merge of connection fields into one AWSCURRENT version: the same merge of the same
 * version always has the same token, so a retried PutSecretValue is a no-op instead of a second version. (A
 * version's value never changes, so the version and the fields determine the merged value; the value itself is
 * not hashed into an id anyone may read.)
 */
export function deriveMergeToken(secretArn: string, currentVersionId: string, connectionJson: string): string {
  return uuidShaped(sha256Hex('merge', secretArn, currentVersionId, connectionJson).slice(0, 32));
}

/** What the check writes into the verified tag: the entry's fingerprint bound to the function that rotated. */
export function verifiedFingerprint(fingerprint: string, rotationFunctionArn: string): string {
  return sha256Hex(fingerprint, rotationFunctionArn).slice(0, 32);
}

/**
 * The verified tag's value holds the last two fingerprints verified, newest first. An Update's rollback then finds
 * its fingerprint there also when the check of the failed update passed (a later resource failed): it must not
 * rotate again, since a rotation failing during the rollback would leave the stack in UPDATE_ROLLBACK_FAILED.
 */
export function verifiedFingerprints(tagValue: string | undefined): string[] {
  return (tagValue ?? '').split(' ').filter((fingerprint) => fingerprint !== '');
}

/** The tag's value once `fingerprint` is verified. */
export function withVerified(tagValue: string | undefined, fingerprint: string): string {
  return [fingerprint, ...verifiedFingerprints(tagValue).filter((earlier) => earlier !== fingerprint)].slice(0, 2).join(' ');
}

/**
 * The resource's physical id: the same for every request of one stack and logical id, so an Update never
 * returns a different one (CloudFormation would replace the resource).
 */
export function physicalResourceId(resource: ResourceIdentity): string {
  return `${resource.LogicalResourceId}-${resourcePrefix(resource)}`;
}

function resourcePrefix(resource: ResourceIdentity): string {
  return sha256Hex(resource.StackId, resource.LogicalResourceId).slice(0, 12);
}

/** Fields are joined with a separator no field boundary can shift. */
function sha256Hex(...fields: readonly string[]): string {
  return createHash('sha256').update(fields.map((field) => `${field.length}:${field}`).join('\n')).digest('hex');
}

function uuidShaped(hex: string): string {
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20, 32)].join('-');
}
