import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Client } from 'pg';
import { DatabaseTarget, RotatingSecret, RotationStrategy } from '../src';

/**
 * The sandbox CLI (the bundled one users run) on cloud assemblies: every secret rotated, verified and rotated
 * on schedule; a broken rotation fails the run and names the step.
 */

const CLI = path.join(__dirname, '..', 'assets', 'sandbox', 'cli', 'index.js');

/** Synthesizes an app with asset metadata, as the CDK CLI writes it. */
function assembly(build: (stack: Stack) => void): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-assembly-'));
  const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
  build(new Stack(app, 'App'));
  app.synth();
  return outdir;
}

function runSandbox(assemblyDir: string) {
  const result = spawnSync(process.execPath, [CLI, '--assembly', assemblyDir], {
    encoding: 'utf8',
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    timeout: 120_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

test('rotates, verifies and rotates on schedule every secret, and prints the table', () => {
  const dir = assembly((stack) => {
    new RotatingSecret(stack, 'Verified');
    new RotatingSecret(stack, 'Unverified', { verifyOnDeploy: false });
  });

  const { status, output } = runSandbox(dir);

  expect(output).toMatch(/found 2 rotating secret\(s\)/);
  // It says whether IAM is enforced: not by this deployer, which creates no roles or permissions.
  expect(output).toMatch(/^IAM enforcement: off$/m);
  expect(output).toMatch(/App\/Verified\S* +\| generic +\| .*AWSCURRENT.*\| .*AWSPREVIOUS.*AWSCURRENT.* \| holds +\| verified +\| [1-9]/);
  expect(output).toMatch(/App\/Unverified\S* +\| generic +\| .*\| holds +\| rotated +\| [1-9]/);
  expect(output).toMatch(/2 secret\(s\) rotated, verified and rotated again on schedule/);
  expect(status).toBe(0);
});

const brokenUser = `sandbox_broken_${process.pid}`;

afterAll(async () => {
  const admin = new Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  await admin.query(`DROP ROLE IF EXISTS ${admin.escapeIdentifier(brokenUser)}`);
  await admin.end();
});

test('a broken rotation makes the run fail with a message that names the failing step', () => {
  // The user exists on the local PostgreSQL, but the secret names a database that does not: every login in
  // setSecret fails, as it would with a wrong database name in production.
  const dir = assembly((stack) => {
    new RotatingSecret(stack, 'Working');
    new RotatingSecret(stack, 'Broken', {
      strategy: RotationStrategy.postgresSingleUser({
        database: DatabaseTarget.fromEndpoint({ host: '127.0.0.1', port: 5432 }), username: brokenUser, dbname: 'no_such_database', ssl: false,
      }),
    });
  });

  const { status, output } = runSandbox(dir);

  expect(status).toBe(1);
  expect(output).toMatch(/FAILED App\/Broken\S*: .*failed in step setSecret/);
  expect(output).not.toMatch(/FAILED App\/Working/);
});

test('a database secret whose server is not reachable is skipped with the reason; the rest still rotate', () => {
  // Nothing listens on 127.0.0.1:1, as on a laptop without the database running.
  const dir = assembly((stack) => {
    new RotatingSecret(stack, 'ApiKey');
    new RotatingSecret(stack, 'Unreachable', {
      strategy: RotationStrategy.mysqlSingleUser({ database: DatabaseTarget.fromEndpoint({ host: '127.0.0.1', port: 1 }), username: 'nobody', ssl: false }),
    });
  });

  const { status, output } = runSandbox(dir);

  expect(output).toMatch(/skipped App\/Unreachable\S*: no mysql server is reachable on 127\.0\.0\.1:1/);
  expect(output).toMatch(/1 secret\(s\) rotated, verified and rotated again on schedule; 1 skipped/);
  expect(status).toBe(0);
});
