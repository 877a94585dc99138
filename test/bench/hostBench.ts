import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { ARTIFACTS, ROOT } from '../vscode/codeServer';
import type { HeapFigures } from './hostHeap/index';

/**
 * Runs test/bench/hostHeap in a real extension host, as the extension-host suite is run (code-server's
 * extension host through Chromium, or a desktop VS Code with VSCODE_EXECUTABLE), and returns its figures.
 */
export async function measureHostHeap(): Promise<HeapFigures> {
  mkdirSync(ARTIFACTS, { recursive: true });
  let executable = process.env.VSCODE_EXECUTABLE;
  if (!executable) {
    executable = join(ARTIFACTS, 'code-server-test-host');
    writeFileSync(executable, `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, 'out', 'test', 'vscode', 'testHost.js')}" "$@"\n`);
    chmodSync(executable, 0o755);
  }
  const dir = mkdtempSync(join(ARTIFACTS, 'bench-heap-'));
  const out = join(dir, 'heap.json');
  const before = process.env.BENCH_HEAP_OUT;
  process.env.BENCH_HEAP_OUT = out;
  try {
    const code = await runTests({
      vscodeExecutablePath: executable,
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: join(ROOT, 'out', 'test', 'bench', 'hostHeap', 'index.js'),
      launchArgs: [],
    });
    if (code !== 0) throw new Error(`the extension host run exited with ${code}`);
    return JSON.parse(readFileSync(out, 'utf8')) as HeapFigures;
  } finally {
    if (before === undefined) delete process.env.BENCH_HEAP_OUT;
    else process.env.BENCH_HEAP_OUT = before;
    rmSync(dir, { recursive: true, force: true });
  }
}

// `node out/test/bench/hostBench.js` prints the figures alone.
if (require.main === module) {
  measureHostHeap().then(
    (f) => process.stdout.write(`${JSON.stringify(f)}\n`),
    (e: unknown) => {
      process.stderr.write(`hostBench: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
