import { awscdk } from 'projen';

/**
 * The README's examples compiled by jsii-rosetta after jsii: strict, so the build fails when a snippet stops
 * compiling. Each snippet is a stack constructor's body with its own imports (rosetta/default.ts-fixture). The tablet
 * it writes holds the snippets' Python, Java, C# and Go translations, which jsii-pacmak puts in each package's README.
 */
export function configureExampleChecks(project: awscdk.AwsCdkConstructLibrary): void {
  const rosetta = project.addTask('rosetta', {
    description: 'Compile every README example with jsii-rosetta (strict) and write their translations to .jsii.tabl.json',
    exec: 'jsii-rosetta extract --strict',
  });
  project.postCompileTask.spawn(rosetta);
  project.gitignore.addPatterns('/.jsii.tabl.json');
  project.addPackageIgnore('/rosetta/');
}
