import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { ARTIFACTS, codeServerEntry, installVsix } from '../vscode/codeServer';

/** Every file under a folder, relative to it. */
function files(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  );
}

/**
 * The .vsix as a user gets it: installed by code-server into an empty extensions folder, then read
 * from there. It must be the production build.
 */
describe('the packaged extension', () => {
  let root: string;
  let shipped: string[];
  before(() => {
    mkdirSync(join(ARTIFACTS, 'runs'), { recursive: true });
    const dir = mkdtempSync(join(ARTIFACTS, 'runs', 'package-'));
    installVsix(codeServerEntry(), join(dir, 'data'), join(dir, 'extensions'));
    const ext = readdirSync(join(dir, 'extensions')).find((n) => n.startsWith('cpanel-api-explorer.'));
    assert.ok(ext, 'the extension was installed');
    root = join(dir, 'extensions', ext);
    shipped = files(root);
  });

  it('ships minified bundles and no source maps, with dist/explorer.js (the extension) under 1 MB', () => {
    assert.deepEqual(
      shipped.filter((f) => f.endsWith('.map')),
      [],
    );
    for (const f of [
      'dist/extension.js',
      'dist/explorer.js',
      'dist/cpapi.js',
      'dist/cli.js',
      'dist/undici.js',
      'dist/otplib.js',
      'dist/jmespath.js',
      'dist/jmespathWorker.js',
      'dist/webview/builder.js',
    ])
      assert.ok(shipped.includes(f), `${f} is in the package`);
    const size = statSync(join(root, 'dist', 'explorer.js')).size;
    assert.ok(size <= 1024 * 1024, `dist/explorer.js is ${Math.round(size / 1024)} KB`);
    for (const f of ['dist/extension.js', 'dist/explorer.js', 'dist/cpapi.js', 'dist/undici.js', 'dist/webview/builder.js']) {
      const text = readFileSync(join(root, f), 'utf8');
      // esbuild's minified output is long lines (only template literals keep their line breaks); a development build averages ~35 characters a line.
      const perLine = text.length / text.split('\n').length;
      assert.ok(perLine > 500, `${f} averages ${Math.round(perLine)} characters a line: not the minified build`);
      assert.ok(!text.includes('sourceMappingURL'), `${f} points at a source map`);
    }
  });

  it('ships nothing from the source tree, the tests or node_modules', () => {
    const stray = shipped.filter((f) => /^(src|test|out|node_modules|scripts|\.ci)\//.test(f) || f.endsWith('.ts'));
    assert.deepEqual(stray, []);
  });
});
