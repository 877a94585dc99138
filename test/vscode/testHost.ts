import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import { ARTIFACTS, launchBrowser, startCodeServer } from './codeServer';

/**
 * An "executable" for @vscode/test-electron's runTests: it takes the arguments runTests gives a
 * desktop VS Code (--extensionDevelopmentPath, --extensionTestsPath, a folder), runs the tests in
 * code-server's extension host through Chromium, and exits with the tests' exit code.
 */
async function main(argv: string[]): Promise<number> {
  let devPath = '';
  let testsPath = '';
  let folder = '';
  for (const a of argv) {
    if (a.startsWith('--extensionDevelopmentPath=')) devPath = a.slice(a.indexOf('=') + 1);
    else if (a.startsWith('--extensionTestsPath=')) testsPath = a.slice(a.indexOf('=') + 1);
    else if (!a.startsWith('-')) folder = a;
  }
  if (!devPath || !testsPath) {
    process.stderr.write('testHost: --extensionDevelopmentPath and --extensionTestsPath are required\n');
    return 2;
  }
  if (!folder) {
    folder = join(ARTIFACTS, 'workspace-ext-tests');
    mkdirSync(folder, { recursive: true });
  }
  const cs = await startCodeServer({ workspace: folder, smokeTestDriver: true, settings: { 'cpanel.results.tabMode': 'perResult' } });
  const { context, page } = await launchBrowser(cs.runDir);
  let code: number;
  try {
    const exit = new Promise<number>((resolve) => {
      void page.exposeFunction('codeAutomationExit', (c: number) => resolve(Number(c)));
    });
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
      const line = format(...(Array.isArray(args) ? args : [args]));
      // No network here: the marketplace lookups fail harmlessly and loudly.
      if (/open-vsx\.org|AccountPolicyGate|MaxListenersExceeded|--trace-warnings/.test(line)) return;
      if (type === 'error') process.stderr.write(`${line}\n`);
      else process.stdout.write(`${line}\n`);
    });
    const remote = (p: string): string => `vscode-remote://127.0.0.1:${cs.port}${p}`;
    const payload = JSON.stringify([
      ['extensionDevelopmentPath', remote(devPath)],
      ['extensionTestsPath', remote(testsPath)],
    ]);
    await page.goto(`${cs.url}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(payload)}`);
    const timeout = new Promise<number>((resolve) => setTimeout(() => resolve(-1), 10 * 60_000));
    code = await Promise.race([exit, timeout]);
    if (code === -1) {
      process.stderr.write('testHost: the extension tests did not finish within 10 minutes\n');
      code = 1;
    }
    if (code !== 0) {
      mkdirSync(join(ARTIFACTS, 'extension-tests'), { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'extension-tests', 'failure.png') }).catch(() => undefined);
      writeFileSync(join(ARTIFACTS, 'extension-tests', 'code-server.log'), cs.output());
    }
  } finally {
    await context.close().catch(() => undefined);
    await cs.stop();
  }
  return code;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`testHost: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
