/**
 * The check's one answer to CloudFormation: a JSON document PUT to the request's pre-signed ResponseURL.
 * CloudFormation keeps at most 4,096 bytes of it, so long texts are cut here, with a pointer to the full text in
 * the check's log.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { CloudFormationRequest } from './request';
import type { Clock } from './time-budget';
import { safeErrorMessage } from '../rotation/log';
import type { Logger } from '../rotation/types';

/** CloudFormation's limit on a custom resource's whole response, in bytes. */
export const MAX_RESPONSE_BYTES = 4096;

/** What the check answers. */
export interface Answer {
  readonly status: 'SUCCESS' | 'FAILED';
  readonly reason: string;
  readonly physicalResourceId: string;
  /** Attributes for `Fn::GetAtt`, SUCCESS only; a long `Notes` is cut before the reason is. */
  readonly data?: Readonly<Record<string, string>>;
}

/**
 * The response document, at most MAX_RESPONSE_BYTES of UTF-8. A text that does not fit is cut and ends with
 * `pointer` (where the whole text is logged).
 */
export function responseBody(request: CloudFormationRequest, answer: Answer, pointer: string): string {
  const serialize = (reason: string, data: Answer['data']) => JSON.stringify({
    Status: answer.status,
    Reason: reason,
    PhysicalResourceId: answer.physicalResourceId,
    StackId: request.StackId,
    RequestId: request.RequestId,
    LogicalResourceId: request.LogicalResourceId,
    ...(data !== undefined ? { Data: data } : {}),
  });
  const cutSuffix = ` ... (cut to fit CloudFormation's ${MAX_RESPONSE_BYTES} bytes; ${pointer})`;
  let data = answer.status === 'SUCCESS' ? answer.data : undefined;
  if (data?.Notes !== undefined) {
    const others = data;
    data = { ...others, Notes: cutToFit(others.Notes, cutSuffix, (text) => byteLength(serialize(answer.reason, { ...others, Notes: text }))) ?? '' };
  }
  const reason = cutToFit(answer.reason, cutSuffix, (text) => byteLength(serialize(text, data))) ?? '';
  return serialize(reason, data);
}

/**
 * `text` when `bytesOf(text)` fits; otherwise its longest prefix that fits with `suffix` appended; undefined when
 * not even the suffix fits. (Binary search: the size grows with the prefix, by JSON's escapes too.)
 */
function cutToFit(text: string, suffix: string, bytesOf: (text: string) => number): string | undefined {
  if (bytesOf(text) <= MAX_RESPONSE_BYTES) return text;
  let fits = 0;
  let tooLong = text.length;
  while (tooLong - fits > 1) {
    const middle = Math.floor((fits + tooLong) / 2);
    if (bytesOf(text.slice(0, middle) + suffix) <= MAX_RESPONSE_BYTES) fits = middle;
    else tooLong = middle;
  }
  const cut = (text.slice(0, fits) + suffix).trimStart();
  return bytesOf(cut) <= MAX_RESPONSE_BYTES ? cut : undefined;
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** PUTs a response document to a ResponseURL. */
export type Responder = (url: string, body: string) => Promise<void>;

/** Waits before the second and third attempt: S3 may answer 5xx or drop a connection now and then. */
const RETRY_DELAYS_MS = [1_000, 4_000];
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * The responder: HTTPS PUT with an empty Content-Type (the pre-signed URL was signed without one), retried on a
 * network error or a 5xx; a 4xx (an expired URL) is final. Throws when no attempt succeeded.
 */
export function createResponder(clock: Clock, log: Logger): Responder {
  return async (url, body) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await put(url, body);
        return;
      } catch (error) {
        const retryable = !(error instanceof ResponseRejectedError) || error.statusCode >= 500;
        if (!retryable || attempt >= RETRY_DELAYS_MS.length) throw error;
        log.warn('the answer to CloudFormation was not accepted; trying again', { attempt: attempt + 1, error: safeErrorMessage(error) });
        await clock.sleep(RETRY_DELAYS_MS[attempt]);
      }
    }
  };
}

/** The ResponseURL answered with a status other than 2xx. */
export class ResponseRejectedError extends Error {
  constructor(public readonly statusCode: number) {
    super(`the ResponseURL answered HTTP ${statusCode}`);
    this.name = 'ResponseRejectedError';
  }
}

function put(url: string, body: string): Promise<void> {
  const send = new URL(url).protocol === 'http:' ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const request = send(url, {
      method: 'PUT',
      headers: { 'content-type': '', 'content-length': Buffer.byteLength(body, 'utf8') },
      timeout: REQUEST_TIMEOUT_MS,
    }, (response) => {
      response.resume();
      response.on('end', () => {
        const status = response.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve();
        else reject(new ResponseRejectedError(status));
      });
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`no answer from the ResponseURL within ${REQUEST_TIMEOUT_MS / 1000} s`)));
    request.on('error', reject);
    request.end(body);
  });
}
