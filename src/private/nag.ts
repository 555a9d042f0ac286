import { Stack, Validations, aws_lambda as lambda, aws_logs as logs } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Acknowledges a cdk-nag (or other policy-validation plugin) finding on one of this library's own
 * resources, with the reason. Never used on resources the user owns.
 */
export function acknowledge(construct: IConstruct, id: string, reason: string): void {
  // Recorded as `Validations.acknowledge()` records it. Written directly because cdk-nag's granular ids
  // (`Rule[Resource::arn:<AWS::Partition>:...]`) contain `::`, which `acknowledge()` reserves for prefixes.
  construct.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, { [id]: reason });
}

/**
 * Acknowledges a cdk-nag finding about a wildcard IAM resource, by its exact finding id
 * (`AwsSolutions-IAM5[Resource::<rendered resource>]`), so no other wildcard is hidden with it.
 */
export function acknowledgeWildcard(construct: IConstruct, rule: string, resource: string, reason: string): void {
  acknowledge(construct, `${rule}[Resource::${renderForNag(Stack.of(construct).resolve(resource))}]`, reason);
}

/** Renders a resolved CloudFormation value the way cdk-nag names it in finding ids. */
function renderForNag(value: unknown): string {
  if (typeof value === 'string') return value;
  const intrinsic = value as Record<string, any>;
  if (intrinsic.Ref !== undefined) return `<${intrinsic.Ref}>`;
  if (intrinsic['Fn::GetAtt'] !== undefined) return `<${intrinsic['Fn::GetAtt'].join('.')}>`;
  if (intrinsic['Fn::Join'] !== undefined) {
    const [separator, parts] = intrinsic['Fn::Join'];
    return parts.map(renderForNag).join(separator);
  }
  return JSON.stringify(value);
}

export const SECRETS_SCOPED_BY_CONDITION =
  'The resource is the account\'s secrets in this Region, narrowed by the condition secretsmanager:resource/AllowRotationLambdaArn to exactly the secrets this stack\'s rotation functions rotate; a list of secret ARNs would grow with every secret and exceed IAM\'s policy size limit.';

/**
 * The compliance packs' (NIST 800-53 R5, HIPAA Security, PCI DSS 3.2.1) findings on this library's own
 * functions, acknowledged with the reason each does not apply.
 */
export function acknowledgeFunctionFindings(
  fn: lambda.IFunction, logGroup: logs.ILogGroup, inVpc: boolean,
  outsideVpc = 'Calls only the Secrets Manager and CloudWatch Logs APIs; a database strategy is placed in a VPC when given `vpc`.',
): void {
  for (const pack of ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321']) {
    acknowledge(fn, `${pack}-LambdaDLQ`, 'Invoked synchronously only (by Secrets Manager or CloudFormation\'s provider framework), which retry themselves; a dead-letter queue applies to asynchronous invocations.');
    acknowledge(fn, `${pack}-LambdaConcurrency`, 'Runs a few times per rotation; reserving concurrency would take capacity from the account without bounding anything that matters here.');
    if (!inVpc) {
      acknowledge(fn, `${pack}-LambdaInsideVPC`, outsideVpc);
    }
    acknowledge(logGroup, `${pack}-CloudWatchLogGroupEncrypted`, 'Holds structured operational log lines that never contain a secret value (checked by the leak test); CloudWatch Logs encrypts them at rest with service keys.');
  }
}
