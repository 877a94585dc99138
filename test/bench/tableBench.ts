import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { chromiumPath } from '../vscode/codeServer';
import { interleave, type Round } from './ab';

/**
 * The result view with 100,000 rows, in headless Chromium: the page the webview loads (our bundle
 * and stylesheet, VS Code's API stubbed), fed the message the host sends. Each figure is timed in
 * the page, from posting the message (or setting scrollTop) to the frame after the rows are in the
 * DOM. The baselines are the least a page can do with the same message: build a plain <table> of
 * the rows in view (first paint), and a hand-written virtual list of the same rows (scroll).
 */

const ROWS = 100_000;

/** Builds the 100,000-row view inside the page (so no test harness copies it), then times. */
const SETUP = `
window.acquireVsCodeApi = () => ({ postMessage() {}, getState() { return undefined; }, setState() {} });
window.makeView = (n) => {
  const data = [];
  for (let i = 0; i < n; i++) data.push({ user: 'u' + i, email: 'box' + i + '@example.test', domain: 'd' + (i % 997) + '.example', diskused: (i * 7919) % 100000, quota: i % 5 ? 250 * (1 + (i % 4)) : 'unlimited', suspended: i % 17 === 0 ? 1 : 0, ip: '10.0.' + (i % 256) + '.' + (i % 251), plan: i % 3 ? 'default' : 'gold' });
  return { title: 't', ok: true, kind: 'ok', verdict: 'OK', status: 200, ms: 1, size: '10 MB', server: 's', what: 'UAPI Email/list_pops_with_disk', errors: [], warnings: [], messages: [], data, raw: '', rawCut: false, contentType: 'application/json', request: { method: 'GET', url: 'https://h/' }, headers: [], canResend: true };
};
/** Resolves with the milliseconds from now until the frame after selector matches. */
window.until = (selector, start) => new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('nothing matched ' + selector + ' within 30 s')), 30000);
  const done = () => requestAnimationFrame(() => { clearTimeout(timer); resolve(performance.now() - start); });
  if (document.querySelector(selector)) return done();
  const mo = new MutationObserver(() => { if (document.querySelector(selector)) { mo.disconnect(); done(); } });
  mo.observe(document.body, { childList: true, subtree: true });
});
`;

/** The least a page does with the message: a table of the first 50 rows, and a virtual list on scroll. */
const BASELINE = `
const ROW_H = 24;
window.addEventListener('message', (e) => {
  const rows = e.data.view.data;
  const cols = Object.keys(rows[0]);
  const grid = document.createElement('div');
  grid.id = 'grid';
  grid.style.cssText = 'height:600px;overflow:auto;position:relative;font:13px monospace';
  const body = document.createElement('div');
  body.className = 'body';
  body.style.cssText = 'position:relative;height:' + rows.length * ROW_H + 'px';
  grid.append(body);
  document.body.append(grid);
  const draw = () => {
    const first = Math.floor(grid.scrollTop / ROW_H);
    const frag = document.createDocumentFragment();
    for (let i = first; i < Math.min(rows.length, first + 50); i++) {
      const tr = document.createElement('div');
      tr.className = 'row';
      tr.setAttribute('aria-rowindex', String(i + 2));
      tr.style.cssText = 'position:absolute;height:24px;transform:translateY(' + i * ROW_H + 'px)';
      for (const c of cols) { const td = document.createElement('span'); td.textContent = String(rows[i][c]); tr.append(td); }
      frag.append(tr);
    }
    body.replaceChildren(frag);
  };
  grid.addEventListener('scroll', draw);
  draw();
});
`;

export interface TableRounds {
  paint: Round[];
  scroll: Round[];
}

export async function measureTable(root: string, rounds: number): Promise<TableRounds> {
  const browser = await chromium.launch({ executablePath: chromiumPath(), headless: true });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (e) => process.stderr.write(`table bench page: ${e.message}\n`));
    const load = async (ours: boolean): Promise<void> => {
      // A new page each time: scripts' globals start afresh.
      await page.goto('about:blank');
      await page.setContent('<!DOCTYPE html><html><head></head><body><main id="app"></main></body></html>');
      await page.addScriptTag({ content: SETUP });
      if (ours) {
        await page.addStyleTag({ path: join(root, 'media', 'result.css') });
        await page.addScriptTag({ path: join(root, 'dist', 'webview', 'result.js') });
      } else {
        await page.addScriptTag({ content: BASELINE });
      }
      // `; 0`: evaluate hands back the expression's value, and an assignment's is the 100,000-row view, which
      // Playwright would copy out of the page on every round (six seconds of each, and the section's time limit).
      await page.evaluate(`window.view = window.makeView(${ROWS}); 0`);
    };
    // Page code as text: this file is compiled for Node, the page is a browser.
    const paint = (ours: boolean) => async (): Promise<number> => {
      await load(ours);
      return page.evaluate<number>(
        `(() => { const start = performance.now(); window.postMessage({ type: 'show', view: window.view }, '*'); return window.until('#grid .body .row', start); })()`,
      );
    };
    // Five jumps a round (the middle, then about the table), summed: one jump is a frame or two, too little to time alone.
    const scroll = (ours: boolean) => async (): Promise<number> => {
      await paint(ours)();
      let total = 0;
      for (const at of [0.5, 0.25, 0.75, 0.1, 0.9]) {
        const target = Math.floor(ROWS * at);
        total += await page.evaluate<number>(
          `(() => { const grid = document.getElementById('grid'); const start = performance.now(); grid.scrollTop = ${target * 24}; return window.until('#grid .body .row[aria-rowindex="${target + 2}"]', start); })()`,
        );
      }
      return total;
    };
    // One of each first: the bundle's code and Chromium's caches warm on both sides.
    await paint(true)();
    await paint(false)();
    return { paint: await interleave(rounds, paint(false), paint(true)), scroll: await interleave(rounds, scroll(false), scroll(true)) };
  } finally {
    await browser.close();
  }
}
