import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import * as undiciIndex from 'undici';
import { Agent, buildConnector, Client } from '../../src/core/undici';

const CLI = resolve(__dirname, '../../../dist/cli.js');
// The extension itself (dist/extension.js is the launcher that loads it with a code cache).
const EXTENSION = resolve(__dirname, '../../../dist/explorer.js');

/** Runs the built CLI with a preload that writes, at exit, which of Node's modules the process loaded. */
function loadedBuiltins(args: string[], script = CLI): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'cpapi-startup-'));
  const preload = join(dir, 'preload.js');
  const out = join(dir, 'loaded.json');
  writeFileSync(
    preload,
    `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify(process.moduleLoadList)));`,
  );
  try {
    execFileSync(process.execPath, ['--require', preload, script, ...args], { env: { PATH: process.env.PATH ?? '' }, stdio: 'ignore' });
  } catch {
    /* usage errors exit 2: what was loaded is still written */
  }
  return (JSON.parse(readFileSync(out, 'utf8')) as string[])
    .filter((m) => m.startsWith('NativeModule '))
    .map((m) => m.slice('NativeModule '.length));
}

describe('start-up', () => {
  it('undici parts are the same classes as undici’s index exports, with the request API on the Agent', () => {
    assert.equal(Agent, undiciIndex.Agent);
    assert.equal(Client, undiciIndex.Client);
    assert.equal(buildConnector, undiciIndex.buildConnector);
    assert.equal(typeof new Agent().request, 'function');
  });

  it('cpapi --help and a usage error load neither TLS nor HTTP: commands are loaded when they run', () => {
    for (const args of [['--help'], ['frobnicate']]) {
      const loaded = loadedBuiltins(args);
      for (const heavy of ['tls', 'http', 'http2', 'net']) assert.ok(!loaded.includes(heavy), `${args.join(' ')} loaded node:${heavy}`);
    }
  });

  it('cpapi call loads undici’s Agent and not its fetch, WebSocket, cache or mock modules', () => {
    const loaded = loadedBuiltins([
      'call',
      'uapi',
      'Email/list_pops',
      '--host',
      '127.0.0.1',
      '--service',
      'cpanel',
      '--port',
      '1',
      '--user',
      'bob',
      '--auth',
      'token',
    ]);
    assert.ok(loaded.includes('tls'), 'a call path loads TLS');
    // undici's index loads zlib (decompression), worker_threads and web streams (fetch); the Agent needs none of them.
    for (const unused of ['zlib', 'worker_threads', 'stream/web']) assert.ok(!loaded.includes(unused), `cpapi call loaded node:${unused}`);
  });

  it('loading the extension bundle (what activation costs) initializes neither undici nor TLS: they load with the first call', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cpapi-startup-'));
    // The bundle's top level runs as it would in the extension host; `vscode` is a stand-in that answers every property.
    const loader = join(dir, 'load-extension.js');
    writeFileSync(
      loader,
      `const Module = require('module'); const resolve = Module._resolveFilename;
       Module._resolveFilename = function (r, ...a) { return r === 'vscode' ? __filename : resolve.call(this, r, ...a); };
       module.exports = new Proxy(function () {}, { get: () => module.exports, apply: () => module.exports, construct: () => ({}) });
       if (require.main === module) require(${JSON.stringify(EXTENSION)});`,
    );
    const loaded = loadedBuiltins([], loader);
    for (const heavy of ['tls', 'http', 'http2', 'zlib']) assert.ok(!loaded.includes(heavy), `loading the extension loaded node:${heavy}`);
  });
});
