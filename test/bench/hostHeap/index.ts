import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString, writeHeapSnapshot } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as vscode from 'vscode';
import type { Services } from '../../../src/extension/services';
import { SANDBOX_CREDENTIALS as C } from '../../../src/sandbox/accounts';
import { Sandbox } from '../../../src/sandbox/server';

/**
 * Run in a real extension host (code-server's, through @vscode/test-electron's runner, like the
 * extension-host suite): 1,000 calls down the palette's path (the runner: pipeline, History, the
 * result view), with the heap measured after a full garbage collection at fixed points. History keeps
 * at most `cpanel.history.maxEntries` entries and the result views keep at most a few results, so once
 * History is full the heap must stop growing: the figure is the growth from the 500th call (History
 * full) to the 1,000th, against the growth of the first 500 (History filling).
 *
 * Writes its figures as JSON to BENCH_HEAP_OUT.
 */

const EXT_ID = 'cpanel-api-explorer.cpanel-api-explorer';
const CALLS = 1000;
const CAP = 500;

export interface HeapFigures {
  calls: number;
  cap: number;
  /** heapUsed (MB) after a full collection: before the first call, after CAP calls, after CALLS calls. */
  startMb: number;
  fullMb: number;
  endMb: number;
  /** History entries at the end. */
  entries: number;
  msPerCall: number;
}

function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

export async function run(): Promise<void> {
  const out = process.env.BENCH_HEAP_OUT;
  if (!out) throw new Error('BENCH_HEAP_OUT is not set');
  const gc = collector();
  // The sandbox runs in this extension host too, and logs every request it receives: that log is
  // emptied before each figure, or 500 calls' worth of it (about 2 MB) counts as the extension's growth.
  const sb = await Sandbox.start({ rejectReusedLoginCodes: false });
  const heapMb = (): number => {
    sb.clearLog();
    gc();
    gc();
    return process.memoryUsage().heapUsed / 2 ** 20;
  };
  // BENCH_HEAP_SNAPSHOTS=DIR writes a heap snapshot when History is full and at the end, to find what grows.
  const snapshots = process.env.BENCH_HEAP_SNAPSHOTS;
  const snapshot = (name: string): void => {
    if (snapshots) writeHeapSnapshot(join(snapshots, `${name}.heapsnapshot`));
  };
  const s = (await vscode.extensions.getExtension<Services>(EXT_ID)!.activate())!;
  const cfg = vscode.workspace.getConfiguration('cpanel');
  try {
    await cfg.update('results.tabMode', 'reuse', vscode.ConfigurationTarget.Global);
    await cfg.update('history.maxEntries', CAP, vscode.ConfigurationTarget.Global);
    await cfg.update(
      'servers',
      [
        {
          id: 'heap-whm',
          label: 'heap-whm',
          host: '127.0.0.1',
          service: 'whm',
          secure: true,
          port: sb.port('whm'),
          username: 'root',
          auth: 'token',
          twoFactor: 'none',
          tls: { mode: 'pinned', fingerprint256: sb.fingerprint256 },
        },
      ],
      vscode.ConfigurationTarget.Global,
    );
    await s.secrets.set('heap-whm', { token: C.root.whmToken });
    const profile = s.profiles.get('heap-whm');
    if (!profile) throw new Error('the server did not load');
    const send = async (): Promise<void> => {
      const r = await s.runner.run({ profile, request: { family: 'whm', function: 'listaccts', params: [] }, origin: 'palette' });
      if (r?.result.kind !== 'ok') throw new Error(`a call failed: ${r?.result.kind ?? 'not sent'} ${r?.result.hint ?? ''}`);
    };
    // Warm up (code loaded, the view's page built once), then start from a clean History.
    for (let i = 0; i < 20; i++) await send();
    await s.history.clear();
    const startMb = heapMb();
    const t0 = performance.now();
    for (let i = 0; i < CAP; i++) await send();
    await s.history.flushed();
    const fullMb = heapMb();
    snapshot('full');
    for (let i = CAP; i < CALLS; i++) await send();
    await s.history.flushed();
    const msPerCall = (performance.now() - t0) / CALLS;
    const endMb = heapMb();
    snapshot('end');
    const entries = (await s.history.list()).length;
    const figures: HeapFigures = { calls: CALLS, cap: CAP, startMb, fullMb, endMb, entries, msPerCall };
    writeFileSync(out, JSON.stringify(figures));
  } finally {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await cfg.update('servers', undefined, vscode.ConfigurationTarget.Global);
    await cfg.update('results.tabMode', undefined, vscode.ConfigurationTarget.Global);
    await cfg.update('history.maxEntries', undefined, vscode.ConfigurationTarget.Global);
    await s.secrets.delete('heap-whm');
    await sb.stop();
  }
}
