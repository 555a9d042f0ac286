import { awscdk } from 'projen';

/**
 * Integration tests: test/integ.*.ts apps with @aws-cdk/integ-tests-alpha assertions and committed snapshots.
 * The build compares the snapshots with integ-runner: a test whose fresh synth differs from its snapshot fails, with
 * the template diff. `integ:update` rewrites the snapshots (after a deliberate change), `integ:deploy` deploys the
 * tests in an AWS account and runs their assertions.
 */
export function configureIntegTests(project: awscdk.AwsCdkConstructLibrary): void {
  project.addDevDeps(
    // integ-tests-alpha pinned (a later one asks for a newer aws-cdk-lib than the floor): the newest the registry
    // serves whose peer range includes the floor. Move it to `<floor>-alpha.0` when that is served.
    '@aws-cdk/integ-tests-alpha@2.245.0-alpha.0',
    '@aws-cdk/integ-runner@2.197.10',
  );

  const runner = 'integ-runner --directory test --language typescript --app "ts-node -T -P tsconfig.dev.json {filePath}"';
  const integ = project.addTask('integ', {
    description: 'Compare the integ tests\' snapshots (test/integ.*.ts.snapshot) with a fresh synth',
    exec: runner,
  });
  project.addTask('integ:update', {
    description: 'Rewrite the integ tests\' snapshots from a fresh synth (no deployment)',
    exec: `${runner} --dry-run --update-on-failed --force`,
  });
  project.addTask('integ:deploy', {
    description: 'Deploy every integ test in the current AWS account, run its assertions, destroy it, and update its snapshot',
    // Without the update workflow (deploying the committed snapshot first), which needs the snapshot's assets.
    exec: `${runner} --update-on-failed --force --no-update-workflow`,
    receiveArgs: true,
  });
  project.testTask.spawn(integ);
  // The snapshots' templates are compared and reviewed. Their asset directories (bundled handlers, megabytes) are
  // not committed: integ-runner ignores asset hashes when it compares (the handler tests cover that code).
  project.gitignore.addPatterns('/test/*.snapshot/asset.*');
}
