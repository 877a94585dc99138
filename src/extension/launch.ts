import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type * as vscode from 'vscode';
import { bundleLoader, type BundleLoader } from '../core/bundleCache';
import type * as Explorer from './extension';

/*
 * The extension's entry (dist/extension.js): a few lines that load the extension itself (dist/explorer.js)
 * through bundleLoader, with a V8 code cache in the extension's global storage. Without it, activating
 * compiled the 370 KB bundle and then, one by one, every function activation runs: most of what
 * activation cost. The cache is written once activation is over, so it holds those functions; it is used
 * only if it is this user's and was made from the bundle as it is now (see bundleCache.ts).
 */
let explorer: typeof Explorer | undefined;

export function activate(context: vscode.ExtensionContext): ReturnType<typeof Explorer.activate> {
  const loader = loaderFor(context);
  explorer = loader.load('./explorer.js') as typeof Explorer;
  const exports = explorer.activate(context);
  // After activation's own turn, not in it: the cache then holds every function activation ran.
  setImmediate(() => loader.save());
  return exports;
}

export function deactivate(): unknown {
  return explorer?.deactivate?.();
}

function loaderFor(context: vscode.ExtensionContext): BundleLoader {
  let cacheDir: string | undefined;
  if (context.globalStorageUri.scheme === 'file' && process.env.NODE_DISABLE_COMPILE_CACHE !== '1') {
    cacheDir = join(context.globalStorageUri.fsPath, 'code-cache');
    try {
      mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    } catch {
      cacheDir = undefined;
    }
  }
  return bundleLoader(__dirname, ['./explorer.js'], cacheDir, 'activate', false);
}
