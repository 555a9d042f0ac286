/**
 * What invokes the check: CloudFormation's custom-resource request, or the check itself carrying that request and
 * its progress on to a fresh invocation (a continuation).
 */
import type { CheckProgress, SecretProgress } from './progress';

/** CloudFormation's request, reduced to what the check reads and echoes. */
export interface CloudFormationRequest {
  readonly RequestType: string;
  /** Where the answer is PUT: a pre-signed URL. */
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  /** Sent with Update and Delete. */
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: Readonly<Record<string, unknown>>;
  /** Sent with Update: the properties before it (a rollback's Update: the failed deploy's). */
  readonly OldResourceProperties?: Readonly<Record<string, unknown>>;
}

/** The key that marks a continuation: CloudFormation never sends it. */
export const CONTINUATION_KEY = 'RotationCheckContinuation';

export interface Continuation {
  readonly request: CloudFormationRequest;
  readonly progress: CheckProgress;
}

/** What the handler was invoked with, read as far as it can be answered. */
export interface ReadEvent {
  readonly request: CloudFormationRequest;
  /** The progress of earlier invocations, for a continuation. */
  readonly progress?: CheckProgress;
  /** Why the request cannot be served (it is answered FAILED with this reason), if it cannot. */
  readonly problem?: string;
}

/** An event without a usable ResponseURL: nobody can be answered, so the handler throws (and Lambda logs it). */
class UnanswerableEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnanswerableEventError';
  }
}

const REQUEST_TYPES = ['Create', 'Update', 'Delete'];
const IDENTITY_FIELDS = ['StackId', 'RequestId', 'LogicalResourceId'] as const;

/** Reads a request or a continuation. Throws UnanswerableEventError only when there is no usable ResponseURL. */
export function readEvent(event: unknown): ReadEvent {
  const fields = asRecord(event);
  const continuation = fields?.[CONTINUATION_KEY];
  if (continuation !== undefined) return readContinuation(continuation);
  return readRequest(fields);
}

function readContinuation(raw: unknown): ReadEvent {
  const fields = asRecord(raw);
  const read = readRequest(asRecord(fields?.request));
  if (read.problem !== undefined) return read;
  const progress = asRecord(fields?.progress);
  if (!progress || typeof progress.startedAt !== 'number' || !Array.isArray(progress.secrets)) {
    return { ...read, problem: `The check's continuation must carry its progress (startedAt and secrets), got ${describe(fields?.progress)}` };
  }
  const handOffs = typeof progress.handOffs === 'number' ? progress.handOffs : 0;
  return { ...read, progress: { startedAt: progress.startedAt, handOffs, secrets: progress.secrets as SecretProgress[] } };
}

function readRequest(fields: Readonly<Record<string, unknown>> | undefined): ReadEvent {
  const url = fields?.ResponseURL;
  if (typeof url !== 'string' || !isHttpUrl(url)) {
    throw new UnanswerableEventError(`The event must carry a ResponseURL (an http or https URL) to answer, got ${describe(url)}`);
  }
  const text = (name: string) => (typeof fields?.[name] === 'string' ? fields[name] as string : '');
  const physicalId = fields?.PhysicalResourceId;
  const request: CloudFormationRequest = {
    RequestType: text('RequestType'),
    ResponseURL: url,
    StackId: text('StackId'),
    RequestId: text('RequestId'),
    LogicalResourceId: text('LogicalResourceId'),
    ...(typeof physicalId === 'string' && physicalId !== '' ? { PhysicalResourceId: physicalId } : {}),
    ResourceProperties: asRecord(fields?.ResourceProperties) ?? {},
    ...(asRecord(fields?.OldResourceProperties) ? { OldResourceProperties: asRecord(fields?.OldResourceProperties) } : {}),
  };
  return { request, problem: requestProblem(fields!, request) };
}

function requestProblem(fields: Readonly<Record<string, unknown>>, request: CloudFormationRequest): string | undefined {
  if (!REQUEST_TYPES.includes(request.RequestType)) {
    return `\`RequestType\` must be ${REQUEST_TYPES.join(', ')}, got ${describe(fields.RequestType)}`;
  }
  for (const name of IDENTITY_FIELDS) {
    if (request[name] === '') return `\`${name}\` must be a non-empty string, got ${describe(fields[name])}`;
  }
  if (request.RequestType !== 'Delete' && asRecord(fields.ResourceProperties) === undefined) {
    return `\`ResourceProperties\` must be an object, got ${describe(fields.ResourceProperties)}`;
  }
  return undefined;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

function asRecord(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : undefined;
}

/** A bad value for a message: strings quoted and bounded, anything else by its type. */
function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value);
  if (value === undefined) return 'nothing';
  return value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value;
}
