import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import { SANDBOX_CREDENTIALS as CREDS } from '../../src/sandbox/accounts';
import { Sandbox } from '../../src/sandbox/server';
import { deadPort } from '../helpers/ports';
import { ARTIFACTS, type RunningCodeServer } from '../vscode/codeServer';
import { openVsCode, type Workbench } from './driver';


/**
 * A group of three WHM servers, one of them down, in a real VS Code in Chromium: the group in the
 * tree, one call to all of it with one combined table, two targets compared, Test Connection of the
 * group, and a destructive call that needs the number of targets typed.
 */
describe('fleets end to end', () => {
  let sb: Sandbox;
  let cs: RunningCodeServer;
  let context: BrowserContext;
  let wb: Workbench;

  before(async () => {
    sb = await Sandbox.start({ rejectReusedLoginCodes: false });
    const tls = { mode: 'pinned', fingerprint256: sb.fingerprint256 };
    const whm = (id: string, label: string, port: number): Record<string, unknown> => ({ id, label, host: '127.0.0.1', service: 'whm', secure: true, port, username: 'root', auth: 'token', twoFactor: 'none', tls, groups: ['eu'] });
    const settings = { 'cpanel.servers': [whm('f1', 'eu-1', sb.port('whm')), whm('f2', 'eu-2', sb.port('whm')), whm('f3', 'eu-3', await deadPort())] };
    ({ cs, context, wb } = await openVsCode({ workspace: join(ARTIFACTS, 'workspace-fleet'), settings, name: 'e2e-fleet' }));
    for (const label of ['eu-1', 'eu-2', 'eu-3']) {
      await wb.command('cPanel: Set Credentials…');
      await wb.pick('Server to set credentials for', label);
      await wb.answer('API token', CREDS.root.whmToken);
      await wb.toast("stored in VS Code's secret storage").waitFor();
      await wb.clearToasts();
    }
  });

  afterEach(async (t) => wb?.afterTest(`fleet-${t.name}`));

  after(async () => {
    await context?.close();
    await cs?.stop();
    await sb?.stop();
  });

  const group = (): ReturnType<Workbench['page']['locator']> => wb.page.locator('.monaco-list-row', { hasText: '3 servers' }).first();


  it('sends one call to a group: one table with the server column, the down server listed with its hint', async () => {
    await group().waitFor({ timeout: 20_000 });
    await group().click({ button: 'right' });
    await wb.menuItem('Send to Group…');
    await wb.pick('API', 'WHM API 1');
    await wb.pick('function', 'listaccts');
    await wb.pick('parameters', 'Send');
    const view = await wb.resultView(/listaccts → group eu/);
    assert.equal(await view.locator('#verdict').innerText(), '2 of 3 targets OK');
    await view.locator('.notes.errors li', { hasText: /^eu-3: Nothing is listening on 127\.0\.0\.1:\d+/ }).waitFor();
    assert.equal(await view.locator('#rowcount').innerText(), '4 rows');
    const heads = await view.locator('#grid .head .cell').allInnerTexts();
    assert.deepEqual(heads.slice(0, 2), ['server', 'user']);
    assert.deepEqual((await view.locator('#grid .body .row > .cell:nth-child(1)').allInnerTexts()).sort(), ['eu-1', 'eu-1', 'eu-2', 'eu-2']);
    await wb.keepForReadme('fanout-group');
    // The targets table: how each server went.
    await view.locator('#tablepick').selectOption({ label: 'data.targets (3)' });
    await view.locator('#grid .cell', { hasText: 'network_error' }).waitFor();
  });

  it('compares two targets of the fan-out', async () => {
    const view = await wb.resultView(/listaccts → group eu/);
    await view.locator('#act-compare').click();
    await wb.pick('Compare two targets: the first', 'eu-1');
    await wb.pick('Compare eu-1 with…', 'eu-2');
    await wb.tab(/↔/).waitFor({ timeout: 20_000 });
    await wb.page.locator('.monaco-diff-editor').first().waitFor();
  });

  it('tests the connection of the whole group, with one summary', async () => {
    await wb.clearToasts();
    await group().click({ button: 'right' });
    await wb.menuItem('Test Connection of Group');
    await wb.notification(/Group eu: 2 of 3 servers answered\. eu-3: Nothing is listening/);
    await wb.keepForReadme('servers-groups');
  });

  it('sends a destructive call to the group only after the number of targets is typed', async () => {
    await wb.clearToasts();
    await group().click({ button: 'right' });
    await wb.menuItem('Send to Group…');
    await wb.pick('API', 'WHM API 1');
    await wb.pick('function', 'removeacct');
    await wb.answer('username', 'bob');
    await wb.pick('parameters', 'Send');
    const title = wb.quickInput.locator('.quick-input-title', { hasText: 'removeacct removes, suspends, revokes, resets or changes a password, on 3 targets (group eu)' });
    await title.waitFor({ timeout: 20_000 });
    await wb.quickInput.locator('input.input').fill('2');
    await wb.quickInput.locator('.quick-input-message', { hasText: 'Type 3, the number of targets.' }).waitFor();
    await wb.screenshot('fanout-destructive-count');
    await wb.page.keyboard.press('Escape');
    await wb.page.waitForTimeout(500);
    assert.equal(sb.requests('removeacct').length, 0, 'nothing sent');
  });

  it('looks right in a dark theme at a narrow sidebar', async () => {
    // Ctrl+K Ctrl+T: the theme picker (the palette would also offer the Marketplace's).
    await wb.page.locator('.monaco-workbench').click({ position: { x: 700, y: 860 } }).catch(() => undefined);
    await wb.page.keyboard.press('Control+K');
    await wb.page.keyboard.press('Control+T');
    const input = wb.quickInput.locator('input.input');
    await input.waitFor({ state: 'visible' });
    await input.fill('Dark Modern');
    await wb.quickInput.locator('.quick-input-list .monaco-list-row', { has: wb.page.locator('.label-name', { hasText: /Dark Modern/ }) }).first().click();
    await wb.page.locator('.monaco-workbench.vs-dark').waitFor({ timeout: 20_000 });
    // The sash between the side bar and the editors, dragged to make the side bar narrow.
    let box: { x: number; y: number; width: number; height: number } | null = null;
    for (const sash of await wb.page.locator('.monaco-sash.vertical').all()) {
      const b = await sash.boundingBox();
      if (b && b.x > 250 && b.x < 450 && b.height > 300) box = b;
    }
    if (box) {
      await wb.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await wb.page.mouse.down();
      await wb.page.mouse.move(225, box.y + box.height / 2, { steps: 8 });
      await wb.page.mouse.up();
    }
    await wb.page.locator('.tabs-container .tab', { hasText: /listaccts → group eu/ }).first().click();
    const view = await wb.resultView(/listaccts → group eu/);
    await view.locator('#tablepick').selectOption({ index: 0 });
    await wb.keepForReadme('fanout-dark-narrow');
    assert.match(await view.locator('#facts').innerText(), /^3 targets · \d+ ms · 3 answers · group eu$/);
    // The builder in the dark theme too.
    await wb.command('cPanel: Open Request Builder');
    await (await wb.webview('#function')).locator('#problems').waitFor();
    await wb.keepForReadme('builder-dark');
  });
});
