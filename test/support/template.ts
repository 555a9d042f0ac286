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
      .replace(/"RotationFingerprint":"[0-9a-f]{16}\|/g, '"RotationFingerprint":"<code hash>|'),
  );
}
