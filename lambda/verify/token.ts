import { createHash } from 'node:crypto';

/** What identifies one CloudFormation request for this custom resource. */
export interface RequestIdentity {
  readonly StackId: string;
  readonly LogicalResourceId: string;
  readonly RequestId: string;
}

/** ClientRequestToken and version ids: 32 to 64 characters; ours are UUID-shaped (36). */
export const ROTATION_TOKEN_PATTERN = /^[a-zA-Z0-9-]{32,64}$/;

/**
 * The ClientRequestToken for this request's rotation. Deterministic, so a retried event finds the version it
 * already started instead of starting a second rotation.
 *
 * The first 12 hex digits identify the resource (stack and logical id), the other 20 the request: a stale
 * AWSPENDING version can then be recognised as left by an earlier deploy of the same resource.
 */
export function deriveRotationToken(request: RequestIdentity): string {
  const requestPart = sha256Hex(`${request.StackId}\n${request.LogicalResourceId}\n${request.RequestId}`).slice(0, 20);
  const hex = resourcePrefix(request) + requestPart;
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20, 32)].join('-');
}

/** Whether `versionId` is a token this resource derived, in this or an earlier request. */
export function isTokenOfResource(versionId: string, resource: Omit<RequestIdentity, 'RequestId'>): boolean {
  const prefix = resourcePrefix(resource);
  return versionId.length === 36 && `${versionId.slice(0, 8)}${versionId.slice(9, 13)}` === prefix;
}

function resourcePrefix(resource: Omit<RequestIdentity, 'RequestId'>): string {
  return sha256Hex(`${resource.StackId}\n${resource.LogicalResourceId}`).slice(0, 12);
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
