import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { Page } from 'playwright-core';
import { SANDBOX_CREDENTIALS as C } from '../../src/sandbox/accounts';
import type { Sandbox } from '../../src/sandbox/server';
import { Workbench } from '../e2e/driver';
import { ARTIFACTS, launchBrowser, ROOT, startCodeServer } from '../vscode/codeServer';

/**
 * What a person waits for in a real VS Code (code-server in headless Chromium), measured from the
 * page and from VS Code's own activation times:
 * - activation of this extension against an empty extension activated by the same event in the
 *   same window (both listen for onView:cpanel.servers), from Developer: Show Running Extensions;
 * - Send → result tab visible, from the click on "Send" to the tab being in the page (timestamps
 *   in the page), less the call's own time as the result reports it (connect, server, read).
 */

export interface VsCodeRound {
  /** Milliseconds, as Running Extensions shows them (loading the code and calling activate). */
  activation: { ours: number; empty: number; minimal: number };
  /** The same after Reload Window: the extension's code cache, written by the first activation, is used. */
  warm: { ours: number; empty: number; minimal: number };
  /** Per send: time the person waited, and the call's own time. */
  sends: { waitedMs: number; callMs: number }[];
}

/**
 * A baseline extension packaged like ours and activated by the same event: `empty` does nothing;
 * `minimal` takes the vscode API (the extension host builds it for each extension on its first
 * require) and registers one command, the least any real extension does.
 */
const BASELINES = {
  empty: 'exports.activate = () => {};\n',
  minimal:
    "const vscode = require('vscode');\nexports.activate = (context) => {\n  context.subscriptions.push(vscode.commands.registerCommand('bench.minimal.hello', () => undefined));\n};\n",
};

function baselineExtension(name: keyof typeof BASELINES): string {
  const dir = mkdtempSync(join(ARTIFACTS, `bench-${name}-`));
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name,
      displayName: name,
      publisher: 'bench',
      version: '0.0.1',
      license: 'MIT',
      engines: { vscode: '^1.105.0' },
      main: './extension.js',
      activationEvents: ['onView:cpanel.servers'],
    }),
  );
  writeFileSync(join(dir, 'extension.js'), BASELINES[name]);
  writeFileSync(join(dir, 'README.md'), `# ${name}\n\nA baseline extension of the benchmark.\n`);
  writeFileSync(join(dir, 'LICENSE'), 'MIT\n');
  const vsix = join(dir, `${name}.vsix`);
  const r = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '--allow-missing-repository', '-o', vsix],
    { cwd: dir, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`could not package the ${name} extension: ${r.stdout}${r.stderr}`);
  return vsix;
}

/** Activation times (ms) by extension name, read off the Running Extensions editor. */
async function activationTimes(wb: Workbench, names: string[]): Promise<Map<string, number>> {
  await wb.command('Developer: Show Running Extensions');
  const rows = wb.page.locator('.runtime-extensions-editor .monaco-list-row');
  await rows.first().waitFor({ timeout: 20_000 });
  const found = new Map<string, number>();
  // The list is virtual: read what is shown, then from the end.
  for (const key of ['Home', 'End']) {
    await rows.first().click();
    await wb.page.keyboard.press(key);
    await wb.page.waitForTimeout(300);
    for (let i = 0; i < (await rows.count()); i++) {
      const row = rows.nth(i);
      const name = await row.getAttribute('aria-label');
      const text = await row
        .locator('.activation-time')
        .innerText()
        .catch(() => '');
      const ms = /(\d+)\s*ms/.exec(text);
      if (name && names.includes(name) && ms) found.set(name, Number(ms[1]));
    }
  }
  await wb.page.keyboard.press('Escape');
  for (const n of names) if (!found.has(n)) throw new Error(`Running Extensions shows no activation time for ${n}`);
  return found;
}

/**
 * Installs a recorder in the page (run there, so written as page source): the time of the next
 * mouse-down, and the time a new tab whose title matches `pattern` is in the DOM.
 */
const TIMER_SOURCE = `(pattern) => {
  const re = new RegExp(pattern);
  const count = () => [...document.querySelectorAll('.tabs-container .tab')].filter((t) => re.test(t.textContent || '')).length;
  const before = count();
  const state = {};
  window.__bench = state;
  document.addEventListener('mousedown', (e) => (state.t0 = e.timeStamp), { capture: true, once: true });
  const obs = new MutationObserver(() => {
    if (state.t0 !== undefined && count() > before) {
      state.t1 = performance.now();
      obs.disconnect();
    }
  });
  obs.observe(document.body, { subtree: true, childList: true, characterData: true });
}`;

async function armTimer(page: Page, tabPattern: string): Promise<void> {
  await page.evaluate(`(${TIMER_SOURCE})(${JSON.stringify(tabPattern)})`);
}

export async function measureVsCode(sb: Sandbox, vsixRounds: number, sendsPerRound: number): Promise<VsCodeRound[]> {
  const baselines = [baselineExtension('empty'), baselineExtension('minimal')];
  const rounds: VsCodeRound[] = [];
  for (let round = 0; round < vsixRounds; round++) {
    const workspace = join(ARTIFACTS, 'bench-workspace');
    mkdirSync(workspace, { recursive: true });
    const cs = await startCodeServer({
      workspace,
      installExtension: true,
      extraVsix: baselines,
      settings: {
        'cpanel.results.tabMode': 'perResult',
        'cpanel.servers': [
          {
            id: 'bench-whm',
            label: 'bench-whm',
            host: '127.0.0.1',
            service: 'whm',
            port: sb.port('whm'),
            username: 'root',
            auth: 'token',
            twoFactor: 'none',
            tls: { mode: 'pinned', fingerprint256: sb.fingerprint256 },
          },
        ],
      },
    });
    const { context, page } = await launchBrowser(cs.runDir);
    const wb = new Workbench(page);
    try {
      await page.goto(`${cs.url}/?folder=${encodeURIComponent(workspace)}`);
      await page.locator('.activitybar').waitFor({ timeout: 60_000 });
      // Let start-up finish, so that the activation measured is ours and not the window's.
      await page.waitForTimeout(5000);
      await page.locator('.activitybar a.action-label[aria-label^="cPanel"]').click();
      await wb.treeItem(/^bench-whm/).waitFor({ timeout: 30_000 });
      const times = await activationTimes(wb, ['cpanel-api-explorer', 'empty', 'minimal']);
      // Again in a reloaded window (a new extension host, the same user data): as every window after the first.
      // The side bar is closed first, so that the reloaded window does not show the cPanel view (and activate
      // the extension) while it starts: the view is opened once start-up is over, as in the first window.
      await wb.command('View: Close Primary Side Bar');
      await page.locator('.part.sidebar').waitFor({ state: 'hidden' });
      await wb.command('Developer: Reload Window');
      await page.locator('.activitybar').waitFor({ timeout: 60_000 });
      await page.waitForTimeout(5000);
      await page.locator('.activitybar a.action-label[aria-label^="cPanel"]').click();
      await wb.treeItem(/^bench-whm/).waitFor({ timeout: 60_000 });
      const warm = await activationTimes(wb, ['cpanel-api-explorer', 'empty', 'minimal']);
      const sends: VsCodeRound['sends'] = [];
      if (sendsPerRound > 0) {
        await wb.command('cPanel: Set Credentials…');
        await wb.answer('API token', C.root.whmToken);
        await wb.clearToasts();
        for (let i = 0; i < sendsPerRound; i++) {
          await wb.command('cPanel: Send Request…');
          await wb.pick('API', 'WHM API 1');
          await wb.pick('function', 'listaccts');
          const pattern = 'whm listaccts · bench-whm · 200 · (\\d+) ms';
          // The timer starts at the click on Send (the driver's pick, which waits for the live quick input).
          await wb.pick('parameters', 'Send', () => armTimer(page, pattern));
          await page.waitForFunction('window.__bench && window.__bench.t1 !== undefined', undefined, { timeout: 20_000 });
          const { t0, t1 } = (await page.evaluate('window.__bench')) as { t0: number; t1: number };
          const titles = await page.locator('.tabs-container .tab').allInnerTexts();
          const callMs = Math.max(
            ...titles
              .map((t) => Number(new RegExp(pattern).exec(t)?.[1] ?? -1))
              .filter((n) => n >= 0)
              .slice(-1),
          );
          sends.push({ waitedMs: t1 - t0, callMs });
          // The new result view takes the focus once its page has loaded, a moment after its tab shows: the next
          // palette opened before that would be closed by it. Wait until the focus is in the view's frame.
          await page.waitForFunction(
            `(() => { const a = document.activeElement; return !!a && a.tagName === 'IFRAME' && a.classList.contains('webview'); })()`,
            undefined,
            { timeout: 20_000 },
          );
        }
      }
      rounds.push({
        activation: { ours: times.get('cpanel-api-explorer')!, empty: times.get('empty')!, minimal: times.get('minimal')! },
        warm: { ours: warm.get('cpanel-api-explorer')!, empty: warm.get('empty')!, minimal: warm.get('minimal')! },
        sends,
      });
    } catch (e) {
      // What the window showed when a step gave up: the row's FAILED line says which step, the picture why.
      const shot = join(ARTIFACTS, `bench-vscode-round-${round + 1}.png`);
      await page.screenshot({ path: shot }).catch(() => undefined);
      throw new Error(`round ${round + 1}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)} (the window then: ${shot})`, {
        cause: e,
      });
    } finally {
      await context.close();
      await cs.stop();
    }
  }
  return rounds;
}
