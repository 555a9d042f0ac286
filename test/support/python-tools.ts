import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The Python tools the tests and benchmarks run (moto, cfn-lint), from the project's own virtual environment:
 * scripts/test-services.sh installs the versions pinned in scripts/requirements-test.txt there, so no test
 * depends on whatever happens to be on the machine's PATH.
 */
const VENV_BIN = join(__dirname, '..', '..', '.venv', 'bin');

export function pythonTool(name: 'python' | 'cfn-lint'): string {
  const file = join(VENV_BIN, name);
  if (!existsSync(file)) {
    throw new Error(`${file} is missing: run scripts/test-services.sh, which installs the Python test tools into .venv`);
  }
  return file;
}
