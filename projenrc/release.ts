import { awscdk, github } from 'projen';

/**
 * What the build and release jobs need beyond Node.js, as `.ci/run` has it: Python, a JDK with Maven and Go for
 * the jsii packages and the consumer apps (their downloads cached between runs), then the databases and Python
 * tools of the tests (scripts/test-services.sh installs them with apt-get, hence sudo).
 */
const CI_SETUP_STEPS: github.workflows.JobStep[] = [
  {
    name: 'Set up Python',
    uses: 'actions/setup-python@v7.0.0',
    with: {
      'python-version': '3.11',
      'cache': 'pip',
      'cache-dependency-path': 'scripts/requirements-test.txt\ntest/consumers/python/requirements.txt',
    },
  },
  {
    name: 'Set up Java and Maven',
    uses: 'actions/setup-java@v6.0.0',
    with: { 'distribution': 'temurin', 'java-version': '17', 'cache': 'maven', 'cache-dependency-path': 'test/consumers/java/pom.xml' },
  },
  {
    name: 'Set up Go',
    uses: 'actions/setup-go@v7.0.0',
    with: { 'go-version-file': 'test/consumers/go/go.mod', 'cache-dependency-path': 'test/consumers/go/go.sum' },
  },
  { name: 'Databases and Python tools for the tests', run: 'sudo bash scripts/test-services.sh' },
];

/**
 * The release pipeline projen makes for construct libraries: a build workflow on pull requests (the build, with
 * its no-diff check), a release workflow on main (version from conventional commits, changelog, GitHub release)
 * that publishes to npm, PyPI, Maven Central, NuGet and the Go module repository. Pull request titles must be
 * conventional commits (they become the squashed commit the version is computed from).
 */
export const releaseOptions = {
  release: true,
  releaseToNpm: true,
  buildWorkflow: true,
  // A build that changes committed files fails, as in .ci/run (no commit pushed back to the pull request).
  buildWorkflowOptions: { preBuildSteps: CI_SETUP_STEPS, mutableBuild: false },
  releaseWorkflowSetupSteps: CI_SETUP_STEPS,
  githubOptions: { mergify: false, pullRequestLintOptions: { semanticTitle: true } },
} satisfies Partial<awscdk.AwsCdkConstructLibraryOptions>;

/**
 * Checks that run with the tests: the workflows are valid (actionlint), and the API is compatible with the last
 * release (jsii-diff; skipped with a message until there is one).
 */
export function configureReleaseChecks(project: awscdk.AwsCdkConstructLibrary): void {
  const compat = project.tasks.tryFind('compat')!;
  compat.reset('bash scripts/api-compat.sh');
  const workflowLint = project.addTask('lint:workflows', {
    description: 'Validate the GitHub workflows with actionlint (from the Go module proxy, cached by Go)',
    exec: 'go run github.com/rhysd/actionlint/cmd/actionlint@v1.7.12 -no-color',
  });
  project.testTask.spawn(workflowLint);
  project.testTask.spawn(compat);
}
