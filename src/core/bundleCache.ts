import { closeSync, fstatSync, lstatSync, openSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';

/*
 * Loads the CLI's bundles (dist/cpapi.js, and the bundles it requires by name: undici.js, otplib.js, …) with
 * a V8 code cache taken after the command ran.
 *
 * Node's own compile cache (module.enableCompileCache) stores the code V8 has when a file is compiled: the
 * top level, not the functions compiled later, when they are first called. A bundle's functions are compiled
 * lazily, so on every `cpapi call` V8 parsed and compiled again the few hundred functions of undici and of our
 * core that one call runs (a quarter of the process's instructions). Here each bundle is compiled with
 * vm.Script, and when a command ends well (exit code 0) without a usable cache, the cache is made from the
 * script then (Script#createCachedData), so it holds every function the command ran.
 *
 * The cache lives in Node's compile cache folder (module.getCompileCacheDir(): the temp folder, NODE_COMPILE_CACHE,
 * off with NODE_DISABLE_COMPILE_CACHE=1), one file per bundle and command (`cpapi --help` runs little of what
 * `cpapi call` does), named after the bundle's path. A file is used only if it is the current user's and was
 * made from the bundle as it is now (its size and modification time, as Python's .pyc files are checked);
 * V8 checks its own version, flags and the source's length, and rejects what does not match. Without a cache
 * folder the bundles are loaded with Node's require, as before.
 */

/** The CommonJS wrapper Node puts around a module, on the first line so that line numbers stay the same. */
const WRAP = '(function (exports, require, module, __filename, __dirname) { ';

interface Loaded {
  exports: unknown;
}

export interface BundleLoader {
  /** The exports of `name` (a file beside the entry bundle, e.g. "./cpapi.js"). */
  load(name: string): unknown;
  /** Writes the caches of the bundles loaded without a usable one, as they are now (what has run so far). */
  save(): void;
}

/**
 * @param dir where the bundles are
 * @param names the bundles loaded through the cache ("./cpapi.js", "./undici.js", …): a bundle requiring one of
 *   these gets it from here, anything else from Node's require
 * @param cacheDir Node's compile cache folder, or undefined for no cache
 * @param tag what the cache is for (the command), part of each cache file's name
 * @param saveAtExit write the caches when the process exits with code 0 (the CLI); otherwise `save()` does
 */
export function bundleLoader(
  dir: string,
  names: readonly string[],
  cacheDir: string | undefined,
  tag: string,
  saveAtExit = true,
): BundleLoader {
  if (cacheDir && !ownFolder(cacheDir)) cacheDir = undefined;
  const known = new Set(names);
  const loaded = new Map<string, Loaded>();
  const toSave: { file: string; header: string; script: Script }[] = [];

  const load = (name: string): unknown => {
    const done = loaded.get(name);
    if (done) return done.exports;
    const file = join(dir, name);
    const nodeRequire = createRequire(file);
    if (!cacheDir) return nodeRequire(file);
    const source = readFileSync(file, 'utf8');
    // The bundle as it is now: a release of the same size keeps neither its inode nor its change time.
    const { size, mtimeMs, ctimeMs, ino } = statSync(file);
    const header = `cpapi code cache 2 ${size} ${mtimeMs} ${ctimeMs} ${ino}\n`;
    const cacheFile = join(cacheDir, `cpapi-${basename(name, '.js')}-${tag}-${hashOf(file)}.cache`);
    const cachedData = readCache(cacheFile, header);
    const script = new Script(`${WRAP}${source}\n})`, {
      filename: file,
      columnOffset: -WRAP.length,
      ...(cachedData ? { cachedData } : {}),
    });
    if (!cachedData || script.cachedDataRejected) toSave.push({ file: cacheFile, header, script });
    const mod: Loaded = { exports: {} };
    loaded.set(name, mod);
    const req = Object.assign((id: string): unknown => (known.has(id) ? load(id) : nodeRequire(id)), {
      resolve: nodeRequire.resolve,
      cache: nodeRequire.cache,
    });
    (script.runInThisContext() as (...a: unknown[]) => void).call(mod.exports, mod.exports, req, mod, file, dirname(file));
    return mod.exports;
  };

  const save = (): void => {
    for (const s of toSave.splice(0)) writeCache(s.file, s.header, s.script);
  };
  if (cacheDir && saveAtExit) {
    process.once('exit', (code) => {
      if (code === 0) save();
    });
  }
  return { load, save };
}

/**
 * A cache folder is used only if it is a real folder of the current user's that nobody else can write to:
 * Node's default one is in the shared temp folder, where another user could have made it first.
 */
function ownFolder(dir: string): boolean {
  try {
    const st = lstatSync(dir);
    if (!st.isDirectory()) return false;
    return !process.getuid || (st.uid === process.getuid() && (st.mode & 0o022) === 0);
  } catch {
    return false;
  }
}

/** The cache in `file` if it is ours and was made from the bundle as it is now (`header`), else undefined. */
function readCache(file: string, header: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    // In a shared temp folder, a file someone else wrote is not run.
    if (process.getuid && st.uid !== process.getuid()) return undefined;
    const data = readFileSync(fd);
    const head = Buffer.byteLength(header);
    return data.length > head && data.toString('latin1', 0, head) === header ? data.subarray(head) : undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Writes the cache beside its place and renames it there, so a process reading it never sees half a file. */
function writeCache(file: string, header: string, script: Script): void {
  const part = `${file}.${process.pid}`;
  try {
    // 'wx': a file (or a link someone planted) already at that name is not written through.
    writeFileSync(part, Buffer.concat([Buffer.from(header, 'latin1'), script.createCachedData()]), { mode: 0o600, flag: 'wx' });
    renameSync(part, file);
  } catch {
    /* a cache that cannot be written costs the next run its compile time, nothing else */
  }
}

/** A short hash of a path (FNV-1a), so that two installed copies of cpapi keep caches of their own. */
function hashOf(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}
