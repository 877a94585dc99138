import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { Frame } from 'playwright-core';
import { SANDBOX_CREDENTIALS as CREDS } from '../../src/sandbox/accounts';
import { sandboxWhm, useVsCode, waitFor } from './driver';

/** Evaluated in a webview's page (the tests compile without the DOM's types): what `js` returns. */
const inPage = <T>(view: Frame, js: string): Promise<T> => view.evaluate(js) as Promise<T>;

/**
 * Issue 23, "what a new user met": the fixes a person sees in a webview (the builder, the result view),
 * in a real VS Code in Chromium against the sandbox. Three servers: the sandbox's WHM (the first
 * configured), bob's cPanel with session login, and a WHM whose token is wrong.
 */
describe('rough edges a new user met, in the webviews', () => {
  const vs = useVsCode({
    name: 'rough-edges',
    sandbox: { rejectReusedLoginCodes: false },
    settings: (sb) => ({
      'cpanel.servers': [
        sandboxWhm(sb, 'rough-whm'),
        {
          ...sandboxWhm(sb, 'rough-bob'),
          label: 'sandbox-bob',
          service: 'cpanel',
          port: sb.port('cpanel'),
          username: 'bob',
          auth: 'session',
        },
        { ...sandboxWhm(sb, 'rough-bad'), label: 'sandbox-bad' },
      ],
    }),
  });

  before(async () => {
    await vs.wb.setToken(CREDS.root.whmToken, 'sandbox-whm');
    await vs.wb.setToken('WR0NGT0KEN0000000000000000000000', 'sandbox-bad');
    await vs.wb.command('cPanel: Set Credentials…');
    await vs.wb.pick('Server to set credentials for', 'sandbox-bob');
    await vs.wb.answer('Password', CREDS.bob.password);
    await vs.wb.toast("stored in VS Code's secret storage").waitFor({ timeout: 20_000 });
    await vs.wb.clearToasts();
  });

  it('the builder opens on the active server, not the first configured, and its Send button says its shortcut', async () => {
    const wb = vs.wb;
    const item = wb.page.locator('.statusbar-item', { hasText: 'sandbox-whm' }).first();
    await item.waitFor({ timeout: 20_000 });
    await item.click();
    await wb.pick('Active server', 'sandbox-bob');
    await wb.page.locator('.statusbar-item', { hasText: 'sandbox-bob' }).first().waitFor();
    await wb.command('cPanel: Open Request Builder');
    const builder = wb.builderFrame();
    // The page draws an empty form, then the servers the host sends it: "Choose a server…" and the three.
    await waitFor(async () => (await builder.locator('#server option').count()) === 4, 'the servers in the builder', 30_000);
    assert.equal(await builder.locator('#server').inputValue(), 'rough-bob', 'the active server is chosen');
    assert.match((await builder.locator('#server option:checked').innerText()).trim(), /^sandbox-bob — /);
    const send = builder.locator('#send');
    assert.equal(await send.getAttribute('title'), 'Send (Ctrl+Enter); Escape cancels a send');
    assert.equal(await send.getAttribute('aria-keyshortcuts'), 'Control+Enter');
    await wb.screenshot('rough-builder-active-server');
    await wb.command('View: Close All Editors');
  });

  it('a session call: the Request tab shows the /cpsess…/ URL wrapped and the headers redacted; the Raw tab sets its link apart', async () => {
    const wb = vs.wb;
    await wb.command('cPanel: Send Request…');
    await wb.pick('Send Request: server', 'sandbox-bob');
    await wb.pick('function', 'Email/list_pops');
    await wb.pick('parameters', 'Send');
    const view = await wb.resultView(/list_pops/);
    assert.equal(await view.locator('#verdict').innerText(), 'OK');

    await view.locator('#tab-request').click();
    const sent = await view.locator('#request').innerText();
    assert.match(sent, /^GET https:\/\/127\.0\.0\.1:\d+\/cpsess\[redacted\]\/execute\/Email\/list_pops\n/);
    assert.match(sent, /\ncookie: \[redacted\](\n|$)/);
    assert.match(sent, /\nuser-agent: \S+/);
    assert.ok(!/cpsess\d/.test(sent), 'no session token');
    assert.ok(!sent.includes(CREDS.bob.password));
    const style = await inPage<[string, string, boolean]>(
      view,
      `(() => { const e = document.querySelector('#request'); const s = getComputedStyle(e); return [s.whiteSpace, s.overflowWrap, e.scrollWidth <= e.clientWidth]; })()`,
    );
    assert.deepEqual(style, ['pre-wrap', 'anywhere', true], 'wrapped, nothing to scroll sideways');

    await view.locator('#tab-raw').click();
    await view.locator('#raw').waitFor();
    const head = await view.locator('#panel p.muted').first().innerText();
    assert.match(head, /^application\/json[^·]* · [\d.]+ (B|KB) · open in an editor$/, head);
    assert.equal(await view.locator('#panel p.muted a').innerText(), 'open in an editor');
    await wb.screenshot('rough-raw-tab');
    await view.locator('#tab-table').click();
  });

  it('the Columns menu closes on Escape and on a click outside it; "Export 1 row", said once and in the singular', async () => {
    const wb = vs.wb;
    const view = await wb.resultView(/list_pops/);
    await view.locator('#tab-table').click();
    await view.locator('#rowcount', { hasText: /^1 row$/ }).waitFor();
    const menu = view.locator('#columns');
    const isOpen = (): Promise<boolean> => menu.evaluate((e) => (e as unknown as { open: boolean }).open);
    await menu.locator('summary').click();
    await waitFor(isOpen, 'the Columns menu to open');
    await wb.page.keyboard.press('Escape');
    await waitFor(async () => !(await isOpen()), 'Escape to close the Columns menu');
    assert.equal(await inPage<string>(view, 'document.activeElement?.tagName'), 'SUMMARY', 'the focus goes back to its button');

    await menu.locator('summary').click();
    await waitFor(isOpen, 'the Columns menu to open again');
    // A click in it (a column hidden) leaves it open; a click outside closes it.
    await menu.locator('input[data-column="login"]').uncheck();
    assert.equal(await isOpen(), true, 'a click inside leaves it open');
    await view.locator('#filter').click();
    await waitFor(async () => !(await isOpen()), 'a click outside to close the Columns menu');

    const file = join(vs.workspace, 'rough-export.csv');
    await view.locator('#export-csv').click();
    await wb.liveQuickInput.locator('.quick-input-title', { hasText: /^Export 1 row as CSV$/ }).waitFor({ timeout: 20_000 });
    await wb.screenshot('rough-export-1-row');
    await wb.answer(/^Export 1 row as CSV$/, file);
    await view.locator('#status', { hasText: 'Exported' }).waitFor({ timeout: 20_000 });
    assert.match(await view.locator('#status').innerText(), /^Exported 1 row and \d+ columns to rough-export\.csv\.$/);
    await waitFor(() => existsSync(file), 'the exported file');
    const lines = readFileSync(file, 'utf8').trim().split(/\r?\n/);
    assert.equal(lines.length, 2, 'a header and the one row');
    assert.ok(!lines[0]!.split(',').includes('login'), 'the hidden column is not exported');
    assert.ok(lines[1]!.includes('admin@bob.example'));
  });

  it("an authentication error's hint is said once in the result view", async () => {
    const wb = vs.wb;
    await wb.clearToasts();
    await wb.command('cPanel: Send Request…');
    await wb.pick('Send Request: server', 'sandbox-bad');
    await wb.pick('API', 'WHM API 1');
    await wb.pick('function', 'listaccts');
    await wb.pick('parameters', 'Send');
    const view = await wb.resultView(/listaccts/);
    assert.equal(await view.locator('#verdict').innerText(), 'Authentication error');
    const hint = (await view.locator('#hint').innerText()).trim();
    assert.ok(hint.length > 20, hint);
    const errors = (await view.locator('.banner ul.errors li').allInnerTexts()).map((t) => t.trim());
    assert.ok(!errors.includes(hint), `the hint is not repeated among the errors: ${errors.join(' | ')}`);
    const banner = await view.locator('.banner').innerText();
    assert.equal(banner.split(hint).length - 1, 1, `the hint once in: ${banner}`);
    await wb.screenshot('rough-auth-hint-once');
    await wb.clearToasts();
  });
});
