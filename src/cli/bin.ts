import { enableCompileCache, getCompileCacheDir } from 'node:module';
import { bundleLoader } from '../core/bundleCache';
import type * as Cli from './main';

/*
 * The `cpapi` launcher: a few lines that turn on Node's compile cache, then load the CLI bundle through
 * bundleLoader, which keeps a V8 code cache of the bundles taken after the command ran (every function the
 * command used, not only the bundle's top level). The cache lives in Node's compile cache folder (the temp
 * folder by default, NODE_COMPILE_CACHE to choose it); NODE_DISABLE_COMPILE_CACHE=1 turns both off.
 */
enableCompileCache?.();
const COMMANDS = ['call', 'run', 'fanout', 'mcp', 'import'];
const command = process.argv[2] ?? '';
const bundles = bundleLoader(
  __dirname,
  ['./cpapi.js', './undici.js', './otplib.js', './jmespath.js', './mcpsdk.js'],
  getCompileCacheDir?.(),
  COMMANDS.includes(command) ? command : 'other',
);
(bundles.load('./cpapi.js') as typeof Cli).start();
