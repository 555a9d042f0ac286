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
    applies: (statement) => /\/(Provider|FrameworkOnEventRole|FrameworkWaiterRole)\//.test(statement.path),
    reason: 'aws-cdk-lib\'s custom-resource Provider framework (its functions, waiter state machine and their roles): the deployer '
      + 'does what the framework does instead of running its functions, so no call of theirs is authorized.',
  },
  {
    applies: (statement, element) => /\/RotationCheck\d*\/Role\//.test(statement.path)
      && element.kind !== 'condition' && statement.actions.every((action) => action.startsWith('logs:') && action !== 'logs:FilterLogEvents'),
    reason: 'The check\'s own log lines (Lambda writes them with the execution role): they are for operators, and no scenario reads them.',
  },
  {
    applies: (statement, element) => element.kind !== 'condition' && statement.actions.includes('secretsmanager:ListSecretVersionIds')
      && (element.kind === 'statement' ? false : element.kind === 'action' && element.action === 'secretsmanager:ListSecretVersionIds'),
    reason: 'The check lists a secret\'s versions only to report a stale AWSPENDING version it cannot otherwise place; no scenario reaches that path.',
  },
];

export function explanationFor(statement: PolicyStatementInfo, element: PolicyElement): string | undefined {
  return EXPLANATIONS.find((entry) => entry.applies(statement, element))?.reason;
}
