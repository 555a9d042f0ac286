import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CHECK_PROPERTY_NAMES, CHECK_RESOURCE_TYPE } from '../../src/private/contract';

/**
 * The stack's template with everything that changes when the bundled handlers change (asset hashes,
 * rotation fingerprints) replaced by placeholders, so snapshots only change when the template does.
 */
export function stableTemplate(stack: Stack): unknown {
  const json = JSON.stringify(Template.fromStack(stack).toJSON());
  return JSON.parse(
    json
      .replace(/[0-9a-f]{64}(\.zip)?/g, '<asset hash>')
      .replace(/"RotationFingerprint":"[0-9a-f]{16}"/g, '"RotationFingerprint":"<hash of code and configuration>"'),
  );
}

/** Every IAM statement of the template: inline, default and customer managed policies. */
export function allStatements(template: Template): any[] {
  const documents = [
    ...Object.values(template.findResources('AWS::IAM::Policy')).map((p) => p.Properties.PolicyDocument),
    ...Object.values(template.findResources('AWS::IAM::ManagedPolicy')).map((p) => p.Properties.PolicyDocument),
    ...Object.values(template.findResources('AWS::IAM::Role')).flatMap((r) => (r.Properties.Policies ?? []).map((p: any) => p.PolicyDocument)),
  ];
  return documents.flatMap((d) => d.Statement);
}

/** The statements of the customer managed policies whose description matches. */
export function managedPolicyStatements(template: Template, description: RegExp): any[] {
  return Object.values(template.findResources('AWS::IAM::ManagedPolicy'))
    .filter((p) => description.test(p.Properties.Description ?? ''))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}

/** The entries of the stack's deploy-time check, one per secret, as the template renders them. */
export function checkEntries(template: Template): Array<Record<string, any>> {
  const checks = Object.values(template.findResources(CHECK_RESOURCE_TYPE));
  if (checks.length !== 1) throw new Error(`a stack has one deploy-time check, this one ${checks.length}`);
  return checks[0].Properties[CHECK_PROPERTY_NAMES.secrets];
}

/** The stack's deploy-time check entry of the secret whose logical id starts with `secretId`. */
export function checkEntryOf(template: Template, secretId: string): Record<string, any> {
  const entries = checkEntries(template);
  const entry = entries.find((candidate) => String(candidate.SecretArn?.Ref ?? '').startsWith(secretId));
  if (!entry) throw new Error(`no check entry for ${secretId} among ${entries.length}`);
  return entry;
}

/** The connection fields the check merges into a secret, as the template renders them (tokens as Fn::Join parts). */
export function connectionOf(template: Template, secretId: string): string {
  return JSON.stringify(checkEntryOf(template, secretId).ConnectionFields);
}
