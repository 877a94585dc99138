import { enableCompileCache } from 'node:module';
import type * as Cli from './main';

/*
 * The `cpapi` launcher: a few lines that turn on Node's compile cache before the CLI bundle is
 * compiled, so that from the second run on V8 reads the bundle's compiled code from disk instead of
 * compiling it again (the bundle is loaded by require below, after the cache is on). The cache lives
 * in Node's default place (the temp folder) and NODE_DISABLE_COMPILE_CACHE=1 turns it off.
 */
enableCompileCache?.();
// eslint-disable-next-line @typescript-eslint/no-require-imports
(require('./cpapi.js') as typeof Cli).start();
