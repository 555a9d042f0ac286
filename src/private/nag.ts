import { Stack, Validations } from 'aws-cdk-lib';
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
