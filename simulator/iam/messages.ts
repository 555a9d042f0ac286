import type { Caller } from './principals';

/**
 * AWS's denial message, e.g. `User: arn:aws:sts::123456789012:assumed-role/Role/fn is not authorized to perform:
 * secretsmanager:GetSecretValue on resource: app/db because no identity-based policy allows the
 * secretsmanager:GetSecretValue action`. Actions on `*` name no resource.
 */
export function notAuthorizedMessage(caller: Caller, action: string, shownResource: string, decision: 'ImplicitlyDenied' | 'ExplicitlyDenied', deniedBy: string): string {
  const onResource = shownResource === '*' ? '' : ` on resource: ${shownResource}`;
  return `User: ${caller.arn} is not authorized to perform: ${action}${onResource} ${reason(action, decision, deniedBy)}`;
}

function reason(action: string, decision: 'ImplicitlyDenied' | 'ExplicitlyDenied', deniedBy: string): string {
  const policy = POLICY_KINDS[deniedBy] ?? 'identity-based policy';
  const article = /^[aeiou]/.test(policy) ? 'an' : 'a';
  return decision === 'ExplicitlyDenied' ? `with an explicit deny in ${article} ${policy}` : `because no ${policy} allows the ${action} action`;
}

/** How AWS's messages name each kind of policy. */
const POLICY_KINDS: Readonly<Record<string, string>> = {
  identity: 'identity-based policy',
  resource: 'resource-based policy',
  pb: 'permissions boundary',
  session: 'session policy',
  scp: 'service control policy',
  rcp: 'resource control policy',
};
