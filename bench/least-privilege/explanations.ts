import type { PolicyElement, PolicyStatementInfo } from './policy-elements';

/**
 * Why a granted part no scenario can show needed is still granted. Each entry names what it covers; anything
 * else the scenarios do not show is reported as not shown.
 */
interface Explanation {
  readonly applies: (statement: PolicyStatementInfo, element: PolicyElement) => boolean;
  readonly reason: string;
}

const EXPLANATIONS: readonly Explanation[] = [
  {
    applies: (statement) => statement.path.includes('/NetworkInterfaces/'),
    reason: 'Not scoped to a resource by AWS (EC2 network-interface actions): Lambda uses the execution role to create and '
      + 'delete the network interfaces of a function in a VPC. The simulator does not place functions in VPCs, so no scenario can exercise it.',
  },
  {
    applies: (statement) => statement.path.includes('/RotationCheck/InvokeSelf/'),
    reason: 'The check hands a wait longer than its own run (15 minutes) on to a fresh invocation of itself; the scenarios\' '
      + 'rotations finish in seconds, and a check cut to such a wait would fail the deploy only an hour later.',
  },
  {
    applies: (statement, element) => /\/RotationCheck\/Role\//.test(statement.path)
      && element.kind !== 'condition' && statement.actions.every((action) => action.startsWith('logs:') && action !== 'logs:FilterLogEvents'),
    reason: 'The check\'s own log lines (Lambda writes them with the execution role): they are for operators, and no scenario reads them.',
  },
  {
    applies: (_, element) => element.kind === 'action' && element.action === 'secretsmanager:ListSecretVersionIds',
    reason: 'The check lists a secret\'s versions (their creation dates, never their values) only about an AWSPENDING label '
      + 'left before it started (whether that rotation may still run) or a rotation that timed out (where it stalled): '
      + 'stale-pending shows it needed for a secret imported by name; a secret the stack creates (and tags) has no '
      + 'label from before, and the scenarios\' rotations finish or fail within the time limit.',
  },
  {
    applies: (statement, element) => element.kind === 'action' && element.action === 'secretsmanager:DescribeSecret'
      && statement.conditions.some((condition) => condition.endsWith('AllowRotationLambdaArn')) && /\/RotationCheck\/Role\//.test(statement.path),
    reason: 'A rollback\'s check describes a departing secret with this statement when the rollback has already removed the '
      + 'secret\'s stack tag (an existing secret of the stack that ExistingSecretRotation tagged, in a failed update) or '
      + 'reverted the policy\'s list of ARNs: two deploys, which the scenarios (one deploy each) do not make. '
      + 'test/lifecycle/check-scenarios.test.ts ("finding 3") shows it with IAM enforced.',
  },
];

export function explanationFor(statement: PolicyStatementInfo, element: PolicyElement): string | undefined {
  return EXPLANATIONS.find((entry) => entry.applies(statement, element))?.reason;
}
