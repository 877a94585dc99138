import assert from 'node:assert/strict';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Sandbox } from '../../src/sandbox/server';
import { CLI, listPopsCall } from '../helpers/cli';
import { CREDS, startSandbox } from '../helpers/sandbox';

const LOADER = resolve(__dirname, '../../src/core/bundleCache.js');

/**
 * Two bundles in a folder: a.js requires b.js by name (through the loader) and node:path (through Node),
 * and a launcher that loads a.js with the loader and exits with the code it is given.
 */
function bundles(): { dir: string; cache: string; run: (code?: number, env?: Record<string, string>) => string } {
  const dir = mkdtempSync(join(tmpdir(), 'cpapi-bundles-'));
  const cache = mkdtempSync(join(tmpdir(), 'cpapi-cache-'));
  writeFileSync(
    join(dir, 'a.js'),
    '"use strict";\nconst b = require("./b.js");\nconst { basename } = require("node:path");\n' +
      'function twice(n) { return b.double(n); }\nmodule.exports = { answer: () => `${basename(__filename)} ${twice(21)} ${typeof module.exports}` };\n',
  );
  writeFileSync(join(dir, 'b.js'), 'exports.double = function (n) { return n * 2; };\n');
  const launcher = join(dir, 'launch.js');
  writeFileSync(
    launcher,
    `const { bundleLoader } = require(${JSON.stringify(LOADER)});
     const cacheDir = process.env.CACHE_DIR || undefined;
     process.stdout.write(bundleLoader(${JSON.stringify(dir)}, ['./a.js', './b.js'], cacheDir, 'test').load('./a.js').answer());
     process.exitCode = Number(process.argv[2]);`,
  );
  const run = (code = 0, env: Record<string, string> = {}): string => {
    const r = spawnSync(process.execPath, [launcher, String(code)], { env: { PATH: process.env.PATH ?? '', CACHE_DIR: cache, ...env } });
    assert.equal(r.status, code, r.stderr.toString());
    return r.stdout.toString();
  };
  return { dir, cache, run };
}

const files = (dir: string): string[] => readdirSync(dir).sort();

describe('the CLI bundles’ code cache (src/core/bundleCache.ts)', () => {
  it('loads the bundles as Node would, and writes a cache of each after a command that ended well', () => {
    const b = bundles();
    assert.equal(b.run(), 'a.js 42 object');
    const written = files(b.cache);
    assert.equal(written.length, 2);
    assert.ok(
      written.every((f) => /^cpapi-[ab]-test-[0-9a-f]{8}\.cache$/.test(f)),
      written.join(' '),
    );
    for (const f of written) {
      const text = readFileSync(join(b.cache, f));
      assert.match(text.toString('latin1', 0, text.indexOf(10) + 1), /^cpapi code cache 2 \d+ [\d.]+ [\d.]+ \d+\n$/);
      assert.equal(statSync(join(b.cache, f)).mode & 0o077, 0, 'only its owner can read or write it');
    }
  });

  it('uses the cache on the next run and does not write it again', () => {
    const b = bundles();
    b.run();
    const before = files(b.cache).map((f) => [f, readFileSync(join(b.cache, f)).toString('base64'), statSync(join(b.cache, f)).mtimeMs]);
    assert.equal(b.run(), 'a.js 42 object');
    const afterRun = files(b.cache).map((f) => [f, readFileSync(join(b.cache, f)).toString('base64'), statSync(join(b.cache, f)).mtimeMs]);
    assert.deepEqual(afterRun, before);
  });

  it('writes nothing after a command that failed (its cache would hold the failure’s path, not the work)', () => {
    const b = bundles();
    b.run(3);
    assert.deepEqual(files(b.cache), []);
  });

  it('a cache V8 rejects (damaged) is not used and is made again', () => {
    const b = bundles();
    b.run();
    const f = files(b.cache).find((n) => n.startsWith('cpapi-a-'))!;
    const text = readFileSync(join(b.cache, f));
    const head = text.indexOf(10) + 1;
    const damaged = Buffer.concat([text.subarray(0, head), Buffer.alloc(text.length - head, 0x5a)]);
    writeFileSync(join(b.cache, f), damaged);
    assert.equal(b.run(), 'a.js 42 object');
    assert.notDeepEqual(readFileSync(join(b.cache, f)), damaged);
    assert.deepEqual(readFileSync(join(b.cache, f)).subarray(0, head), text.subarray(0, head));
  });

  it('a bundle changed since its cache was made is compiled afresh and cached again, even with its size and time kept', () => {
    const b = bundles();
    b.run();
    const f = files(b.cache).find((n) => n.startsWith('cpapi-b-'))!;
    const old = readFileSync(join(b.cache, f));
    // The same length, another body, and its modification time put back (as an unpacked release may have it):
    // V8 checks the length alone, so the file's change time must tell them apart.
    const { atime, mtime } = statSync(join(b.dir, 'b.js'));
    writeFileSync(join(b.dir, 'b.js'), 'exports.double = function (n) { return n + 2; };\n');
    utimesSync(join(b.dir, 'b.js'), atime, mtime);
    assert.equal(b.run(), 'a.js 23 object');
    assert.notDeepEqual(readFileSync(join(b.cache, f)), old);
    assert.equal(b.run(), 'a.js 23 object');
  });

  it('a cache folder others can write to is neither read nor written (a shared temp folder made by someone else)', () => {
    const b = bundles();
    chmodSync(b.cache, 0o777);
    assert.equal(b.run(), 'a.js 42 object');
    assert.deepEqual(readdirSync(b.cache), [], 'nothing written there');
  });

  it('without a cache folder (NODE_DISABLE_COMPILE_CACHE) the bundles are required as usual and nothing is written', () => {
    const b = bundles();
    assert.equal(b.run(0, { CACHE_DIR: '' }), 'a.js 42 object');
    assert.deepEqual(files(b.cache), []);
  });

  it('a cache file that is not the user’s own is not run', { skip: process.getuid?.() !== 0 && 'needs root to give a file away' }, () => {
    const b = bundles();
    b.run();
    const f = files(b.cache).find((n) => n.startsWith('cpapi-a-'))!;
    // A cache V8 would accept, given to another user: it is not used, so it is made again (and is ours again).
    execFileSync('chown', ['65534', join(b.cache, f)]);
    assert.equal(b.run(), 'a.js 42 object');
    assert.equal(statSync(join(b.cache, f)).uid, process.getuid!());
  });
});

describe('cpapi (dist/cli.js) with its code cache', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox();
  });
  after(async () => {
    await sb.stop();
  });

  it('a call caches cpapi.js and undici.js for the call command, and the next call gives the same answer from the cache', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'cpapi-cc-'));
    const args = [CLI, ...listPopsCall(sb)];
    const env = { PATH: process.env.PATH ?? '', CPANEL_TOKEN: CREDS.bob.cpanelToken, NODE_COMPILE_CACHE: cache };
    // The sandbox answers from this process: the CLI runs asynchronously.
    const cpapi = async (e: Record<string, string>): Promise<string> =>
      (await promisify(execFile)(process.execPath, args, { env: e })).stdout;
    const first = await cpapi(env);
    assert.equal((JSON.parse(first) as { ok: boolean }).ok, true);
    const [sub] = readdirSync(cache);
    const ours = files(join(cache, sub!)).filter((f) => f.startsWith('cpapi-'));
    assert.deepEqual(
      ours.map((f) => f.replace(/-[0-9a-f]{8}\.cache$/, '')),
      ['cpapi-cpapi-call', 'cpapi-undici-call'],
    );
    const stamp = ours.map((f) => statSync(join(cache, sub!, f)).mtimeMs);
    assert.equal(await cpapi(env), first);
    assert.deepEqual(
      ours.map((f) => statSync(join(cache, sub!, f)).mtimeMs),
      stamp,
      'the second call used the cache rather than making it again',
    );
    // The process ends once its output is written (process.exit after the streams' callbacks): an answer of
    // several megabytes, piped, arrives whole, both as the normalized JSON and as the raw body.
    for (const raw of [false, true]) {
      sb.inject({ fault: { kind: 'huge', bytes: 8 * 1024 * 1024 } });
      const { stdout } = await promisify(execFile)(process.execPath, [...args, ...(raw ? ['--raw'] : [])], {
        env,
        maxBuffer: 64 * 1024 * 1024,
      });
      const answer = JSON.parse(stdout) as { data: unknown[] };
      assert.ok(stdout.length > 8 * 1024 * 1024 && answer.data.length > 50_000, `${stdout.length} characters`);
    }
    // Turned off, nothing of ours is written.
    const off = mkdtempSync(join(tmpdir(), 'cpapi-cc-'));
    assert.equal(await cpapi({ ...env, NODE_COMPILE_CACHE: off, NODE_DISABLE_COMPILE_CACHE: '1' }), first);
    assert.deepEqual(readdirSync(off), []);
  });
});
