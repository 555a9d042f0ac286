import { awscdk } from 'projen';

/**
 * The jsii packages built and checked by `npx projen package` (and so by the build):
 * js, Python (wheel and sdist), Java (jar) and Go (module) are built; .NET is generated as code only, since
 * building it needs a .NET SDK. Then two consumer checks: the npm tarball without esbuild, and the consumer apps
 * in test/consumers/ (TypeScript, Python, Java, Go), whose templates must match.
 */
export function configurePackages(project: awscdk.AwsCdkConstructLibrary): void {
  // jsii-pacmak writes the Go module's go.mod from the versions installed here. aws-cdk-lib 2.257.0's Go module
  // requires cloud-assembly-schema v53.25.0; for the same npm range npm installs 53.28.0, which the Go module proxy
  // does not serve, so Go consumers could not resolve ours. Install what aws-cdk-lib's Go module names (update
  // it with CDK_VERSION).
  project.addDevDeps('@aws-cdk/cloud-assembly-schema@53.25.0');

  // Maven's downloads go to the user's local repository (jsii-pacmak otherwise uses a new one in a temporary
  // directory on every run), so they are downloaded once per machine; the consumer app uses the same one.
  project.tasks.tryFind('package:java')!.reset('jsii-pacmak -v --target java --maven-local-repository $HOME/.m2/repository');

  // package:dotnet stays as projen wrote it (the release workflow builds the NuGet package with a .NET SDK).
  const dotnetCode = project.addTask('package:dotnet-code', {
    description: 'Generate the .NET code (a .NET SDK is needed to build it, see package:dotnet)',
    exec: 'jsii-pacmak -v --target dotnet --code-only',
  });

  const tarballCheck = project.addTask('check:consumer', {
    description: 'Install the packed tarball in a throwaway app and synthesize three rotating secrets without esbuild',
    exec: 'bash scripts/consumer-check.sh',
  });

  // The consumer apps need the built packages, so they are not part of `test` (which runs before packaging).
  project.jest!.addIgnorePattern('/test/consumers/');
  const consumerApps = project.addTask('test:consumers', {
    description: 'Synthesize the consumer apps in TypeScript, Python, Java and Go from the built packages and compare their templates',
    steps: [
      { exec: 'bash test/consumers/synth.sh' },
      // Its own JUnit report, beside the main suite's (CI counts both).
      { exec: 'jest test/consumers --ci --coverage=false --testPathIgnorePatterns=/node_modules/', env: { JEST_JUNIT_OUTPUT_NAME: 'junit-consumers.xml' } },
    ],
  });

  const packageTask = project.tasks.tryFind('package')!;
  packageTask.reset();
  for (const language of ['js', 'python', 'java', 'go']) {
    packageTask.spawn(project.tasks.tryFind(`package:${language}`)!);
  }
  packageTask.spawn(dotnetCode);
  packageTask.spawn(tarballCheck);
  packageTask.spawn(consumerApps);

  project.gitignore.addPatterns('/.consumers/', '/test/consumers/java/target/');
}
