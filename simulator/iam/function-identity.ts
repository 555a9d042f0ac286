import type { IamAuthorizer } from './authorizer';
import type { Caller, Credentials } from './principals';
import { logStreamRequests, RequestEnvironment } from './request-context';

/** What a function runs as: the credentials in its environment, and whether Lambda may write its logs. */
export interface FunctionIdentity {
  /** Temporary credentials, as Lambda gives every function. */
  readonly credentials: Required<Credentials>;
  /** Whether the execution role may create `logStreamName` in the function's log group and put events into it. */
  mayWriteLogs(logStreamName: string): boolean;
}

/**
 * A function with an execution role runs as a session of that role named after the function (as Lambda does),
 * with an access key id of its own, so every call it makes is attributed to the role; Lambda writes its logs
 * with the same role, so a role without logs:CreateLogStream and logs:PutLogEvents leaves no logs. A function
 * without a role runs as the simulator's administrator, still with temporary credentials (a session token), as
 * every Lambda function has.
 */
export function functionIdentity(
  iam: IamAuthorizer,
  env: RequestEnvironment,
  role: string | undefined,
  functionName: string,
  logGroupName: string,
  issuedElsewhere?: Required<Credentials>,
): FunctionIdentity {
  const credentialsOf = (caller: Caller) => (issuedElsewhere ? iam.principals.adopt(issuedElsewhere, caller) : iam.principals.issue(caller));
  if (role === undefined) return { credentials: credentialsOf(iam.principals.administrator), mayWriteLogs: () => true };
  const session = iam.principals.roleSession(role, functionName);
  return {
    credentials: credentialsOf(session),
    mayWriteLogs: (logStreamName) => iam.allows(session, logStreamRequests(env, logGroupName, logStreamName)),
  };
}
