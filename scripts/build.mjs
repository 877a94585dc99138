// Bundles the extension, the cpapi CLI and the sandbox with esbuild. Types are checked by `npm run typecheck`.
import { copyFileSync, mkdirSync } from 'node:fs';
import * as esbuild from 'esbuild';

const args = process.argv.slice(2);
const production = args.includes('--production');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;

const common = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
};

const targets = {
  extension: { ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  cli: { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  sandbox: { ...common, entryPoints: ['src/sandbox/main.ts'], outfile: 'dist/sandbox.js' },
};

targets.webview = {
  ...common,
  platform: 'browser',
  format: 'iife',
  target: 'chrome120',
  entryPoints: ['src/webview/builder.ts'],
  outfile: 'dist/webview/builder.js',
};

const chosen = only ? { [only]: targets[only] } : targets;
await Promise.all(Object.values(chosen).map((t) => esbuild.build(t)));

// Codicons for the webview, served from the extension (node_modules is not packaged).
if (!only || only === 'webview') {
  mkdirSync('dist/codicons', { recursive: true });
  for (const f of ['codicon.css', 'codicon.ttf']) copyFileSync(`node_modules/@vscode/codicons/dist/${f}`, `dist/codicons/${f}`);
}
