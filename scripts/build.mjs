// Bundles the extension, the cpapi CLI and the sandbox with esbuild. Types are checked by `npm run typecheck`.
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as esbuild from 'esbuild';

const args = process.argv.slice(2);
const production = args.includes('--production');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
// --outdir: somewhere other than dist/ (the benchmark measures a production build without touching dist/).
const out = args.includes('--outdir') ? args[args.indexOf('--outdir') + 1] : 'dist';

/*
 * undici is a bundle of its own (dist/undici.js), loaded by require when the first call is made:
 * it is three quarters of the code, and a bundle's whole text is parsed when it loads, used or not.
 * Activating the extension and `cpapi --help` then parse only our code. src/core/undici.ts only
 * re-exports undici's classes, so nothing of ours exists twice.
 */
const undiciApart = {
  name: 'undici-apart',
  setup(build) {
    build.onResolve({ filter: /^\.\/undici$/ }, (a) =>
      dirname(a.importer).endsWith(join('src', 'core')) && !a.importer.endsWith('undici.ts')
        ? { path: './undici.js', external: true }
        : undefined,
    );
    // Only the HTTP/1 client of undici: every agent is made with allowH2: false, but undici's client-h2.js
    // requires node:http2 when it loads (a quarter of a CLI call's start-up CPU on top of TLS). It already
    // falls back to `{ constants: {} }` when node:http2 cannot be loaded, so it is given a module that throws.
    build.onResolve({ filter: /^node:http2$/ }, (a) =>
      /undici[\\/]lib[\\/]dispatcher[\\/]client-h2\.js$/.test(a.importer) ? { path: 'no-http2', namespace: 'no-http2' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'no-http2' }, () => ({
      contents: "throw new Error('HTTP/2 is not bundled: cPanel is spoken to over HTTP/1.1');",
      loader: 'js',
    }));
    // otplib (with its hashes and base32) likewise: src/core/otp.ts requires it with the first code.
    build.onResolve({ filter: /^otplib$/ }, (a) =>
      a.importer.endsWith(join('src', 'core', 'otp.ts')) ? { path: './otplib.js', external: true } : undefined,
    );
    // And the MCP SDK (with zod and ajv), required by src/cli/mcp.ts when `cpapi mcp` runs.
    build.onResolve({ filter: /^\.\/mcpSdk$/ }, (a) =>
      a.importer.endsWith(join('src', 'cli', 'mcp.ts')) ? { path: './mcpsdk.js', external: true } : undefined,
    );
    // And the JMESPath implementation: src/core/checks.ts requires it to compile an expression, the
    // JMESPath worker (dist/jmespathWorker.js, a thread of its own) to evaluate one.
    const jmespathUsers = [join('src', 'core', 'checks.ts'), join('src', 'core', 'jmespathWorker.ts')];
    build.onResolve({ filter: /^@jmespath-community\/jmespath$/ }, (a) =>
      jmespathUsers.some((u) => a.importer.endsWith(u)) ? { path: './jmespath.js', external: true } : undefined,
    );
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
  plugins: [undiciApart],
};

const targets = {
  // The extension's entry is a launcher (src/extension/launch.ts) that loads the extension itself, dist/explorer.js,
  // with a V8 code cache taken after activation.
  extension: { ...common, entryPoints: ['src/extension/launch.ts'], outfile: `${out}/extension.js`, external: ['vscode'] },
  explorer: { ...common, entryPoints: ['src/extension/extension.ts'], outfile: `${out}/explorer.js`, external: ['vscode'] },
  // cpapi: a small launcher (turns on Node's compile cache, then loads the bundle with a code cache of its own:
  // src/core/bundleCache.ts) and the bundle itself.
  cli: { ...common, entryPoints: ['src/cli/main.ts'], outfile: `${out}/cpapi.js` },
  cliLauncher: {
    ...common,
    entryPoints: ['src/cli/bin.ts'],
    outfile: `${out}/cli.js`,
    banner: { js: '#!/usr/bin/env node' },
  },
  sandbox: { ...common, entryPoints: ['src/sandbox/main.ts'], outfile: `${out}/sandbox.js` },
  undici: { ...common, entryPoints: ['src/core/undici.ts'], outfile: `${out}/undici.js` },
  otplib: {
    ...common,
    stdin: { contents: "module.exports = require('otplib');", resolveDir: '.', loader: 'js' },
    outfile: `${out}/otplib.js`,
  },
  mcpsdk: { ...common, entryPoints: ['src/cli/mcpSdk.ts'], outfile: `${out}/mcpsdk.js` },
  jmespath: {
    ...common,
    stdin: { contents: "module.exports = require('@jmespath-community/jmespath');", resolveDir: '.', loader: 'js' },
    outfile: `${out}/jmespath.js`,
  },
  // The worker thread expressions are evaluated in (src/core/jmespathPool.ts starts it from beside the running bundle).
  jmespathWorker: { ...common, entryPoints: ['src/core/jmespathWorker.ts'], outfile: `${out}/jmespathWorker.js` },
};

targets.webview = {
  ...common,
  platform: 'browser',
  format: 'iife',
  target: 'chrome120',
  entryPoints: ['src/webview/builder.ts'],
  outfile: `${out}/webview/builder.js`,
};
targets.resultView = { ...targets.webview, entryPoints: ['src/webview/result.ts'], outfile: `${out}/webview/result.js` };

const chosen = only
  ? Object.fromEntries(
      Object.entries(targets).filter(
        ([k]) =>
          k === only ||
          ((only === 'cli' || only === 'extension') &&
            ['cliLauncher', 'explorer', 'undici', 'otplib', 'jmespath', 'jmespathWorker', 'mcpsdk'].includes(k)),
      ),
    )
  : targets;
// A production build ships no source maps: remove those an earlier development build left.
if (production) removeSourceMaps(out);
await Promise.all(Object.values(chosen).map((t) => esbuild.build(t)));

// Codicons for the webview, served from the extension (node_modules is not packaged).
if (!only || only === 'webview' || only === 'resultView') {
  mkdirSync(`${out}/codicons`, { recursive: true });
  for (const f of ['codicon.css', 'codicon.ttf']) copyFileSync(`node_modules/@vscode/codicons/dist/${f}`, `${out}/codicons/${f}`);
}

function removeSourceMaps(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) removeSourceMaps(p);
    else if (e.name.endsWith('.map')) rmSync(p);
  }
}
