import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

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
