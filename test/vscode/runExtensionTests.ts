import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { ARTIFACTS, ROOT } from './codeServer';

/**
 * Runs the extension-host suite (out/test/suite) with @vscode/test-electron's runner. Desktop VS
 * Code cannot be downloaded here, so the "executable" is testHost.js, which runs the same suite in
 * code-server's extension host through Chromium. With VSCODE_EXECUTABLE set, a desktop VS Code runs it.
 */
async function main(): Promise<void> {
  let executable = process.env.VSCODE_EXECUTABLE;
  if (!executable) {
    mkdirSync(ARTIFACTS, { recursive: true });
    executable = join(ARTIFACTS, 'code-server-test-host');
    writeFileSync(executable, `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, 'out', 'test', 'vscode', 'testHost.js')}" "$@"\n`);
    chmodSync(executable, 0o755);
  }
  const code = await runTests({
    vscodeExecutablePath: executable,
    extensionDevelopmentPath: ROOT,
    extensionTestsPath: join(ROOT, 'out', 'test', 'suite', 'index.js'),
    launchArgs: [],
  });
  process.exit(code);
}

main().catch((e: unknown) => {
  process.stderr.write(`extension tests failed to run: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
