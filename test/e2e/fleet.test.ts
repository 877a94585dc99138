import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Locator } from 'playwright-core';
import { SANDBOX_CREDENTIALS as CREDS } from '../../src/sandbox/accounts';
import { deadPort } from '../helpers/ports';
import { sandboxWhm, useVsCode } from './driver';

/**
 * A group of three WHM servers, one of them down, in a real VS Code in Chromium: the group in the
 * tree, one call to all of it with one combined table, two targets compared, Test Connection of the
 * group, and a destructive call that needs the number of targets typed.
 */
describe('fleets end to end', () => {
  const vs = useVsCode({
    name: 'fleet',
    sandbox: { rejectReusedLoginCodes: false },
    settings: async (sb) => {
      const whm = (id: string, label: string, port: number): Record<string, unknown> => sandboxWhm(sb, id, { label, port, groups: ['eu'] });
      return {
        'cpanel.servers': [whm('f1', 'eu-1', vs.sb.port('whm')), whm('f2', 'eu-2', vs.sb.port('whm')), whm('f3', 'eu-3', await deadPort())],
      };
    },
  });

  before(async () => {
    for (const label of ['eu-1', 'eu-2', 'eu-3']) await vs.wb.setToken(CREDS.root.whmToken, label);
  });

  const group = (): Locator => vs.wb.page.locator('.monaco-list-row', { hasText: '3 servers' }).first();

  it('sends one call to a group: one table with the server column, the down server listed with its hint', async () => {
    await group().waitFor({ timeout: 20_000 });
    await group().click({ button: 'right' });
    // The group's menu has the group's commands, none of one server's (whose picker would list every server).
    const items = (await vs.wb.page.locator('.context-view:not([inert]) .monaco-menu').getByRole('menuitem').allInnerTexts()).map((t) =>
      t.split('\n')[0]!.trim(),
    );
    assert.ok(items.includes('Send to Group…') && items.includes('Test Connection of Group'), items.join(' | '));
    for (const one of ['Edit Server…', 'Remove Server', 'Set Credentials…', 'Test Connection'])
      assert.ok(!items.includes(one), `${one} is not on a group's menu (${items.join(' | ')})`);
    await vs.wb.menuItem('Send to Group…');
    await vs.wb.pick('API', 'WHM API 1');
    await vs.wb.pick('function', 'listaccts');
    await vs.wb.pick('parameters', 'Send');
    const view = await vs.wb.resultView(/listaccts → group eu/);
    assert.equal(await view.locator('#verdict').innerText(), '2 of 3 targets OK');
    await view.locator('.notes.errors li', { hasText: /^eu-3: Nothing is listening on 127\.0\.0\.1:\d+/ }).waitFor();
    assert.equal(await view.locator('#rowcount').innerText(), '4 rows');
    const heads = await view.locator('#grid .head .cell').allInnerTexts();
    assert.deepEqual(heads.slice(0, 2), ['server', 'user']);
    assert.deepEqual((await view.locator('#grid .body .row > .cell:nth-child(1)').allInnerTexts()).sort(), [
      'eu-1',
      'eu-1',
      'eu-2',
      'eu-2',
    ]);
    await vs.wb.keepForReadme('fanout-group');
    // The targets table: how each server went.
    await view.locator('#tablepick').selectOption({ label: 'data.targets (3)' });
    await view.locator('#grid .cell', { hasText: 'network_error' }).waitFor();
  });

  it('compares two targets of the fan-out', async () => {
    const view = await vs.wb.resultView(/listaccts → group eu/);
    await view.locator('#act-compare').click();
    await vs.wb.pick('Compare two targets: the first', 'eu-1');
    await vs.wb.pick('Compare eu-1 with…', 'eu-2');
    await vs.wb.tab(/↔/).waitFor({ timeout: 20_000 });
    await vs.wb.page.locator('.monaco-diff-editor').first().waitFor();
  });

  it('tests the connection of the whole group, with one summary', async () => {
    await vs.wb.clearToasts();
    await group().click({ button: 'right' });
    await vs.wb.menuItem('Test Connection of Group');
    await vs.wb.toast(/Group eu: 2 of 3 servers answered\. eu-3: Nothing is listening/).waitFor({ timeout: 20_000 });
    // The summary comes once the progress notification is gone: never the two together.
    assert.equal(await vs.wb.toast(/Testing the 3 servers of eu/).isVisible(), false, 'the progress is gone when the summary shows');
    await vs.wb.keepForReadme('servers-groups');
  });

  it('sends a destructive call to the group only after the number of targets is typed', async () => {
    await vs.wb.clearToasts();
    await group().click({ button: 'right' });
    await vs.wb.menuItem('Send to Group…');
    await vs.wb.pick('API', 'WHM API 1');
    await vs.wb.pick('function', 'removeacct');
    await vs.wb.answer('username', 'bob');
    await vs.wb.pick('parameters', 'Send');
    const title = vs.wb.quickInput.locator('.quick-input-title', {
      hasText: 'removeacct removes, suspends, revokes, resets or changes a password, on 3 targets (group eu)',
    });
    await title.waitFor({ timeout: 20_000 });
    await vs.wb.quickInput.locator('input.input').fill('2');
    await vs.wb.quickInput.locator('.quick-input-message', { hasText: 'Type 3, the number of targets.' }).waitFor();
    await vs.wb.screenshot('fanout-destructive-count');
    await vs.wb.page.keyboard.press('Escape');
    await vs.wb.quickInputClosed();
    assert.equal(vs.sb.requests('removeacct').length, 0, 'nothing sent');
  });

  it('looks right in a dark theme at a narrow sidebar', async () => {
    // Ctrl+K Ctrl+T: the theme picker (the palette would also offer the Marketplace's).
    await vs.wb.page
      .locator('.monaco-workbench')
      .click({ position: { x: 700, y: 860 } })
      .catch(() => undefined);
    await vs.wb.page.keyboard.press('Control+K');
    await vs.wb.page.keyboard.press('Control+T');
    const input = vs.wb.quickInput.locator('input.input');
    await input.waitFor({ state: 'visible' });
    await input.fill('Dark Modern');
    await vs.wb.quickInput
      .locator('.quick-input-list .monaco-list-row', { has: vs.wb.page.locator('.label-name', { hasText: /Dark Modern/ }) })
      .first()
      .click();
    await vs.wb.page.locator('.monaco-workbench.vs-dark').waitFor({ timeout: 20_000 });
    // The sash between the side bar and the editors, dragged to make the side bar narrow.
    let box: { x: number; y: number; width: number; height: number } | null = null;
    for (const sash of await vs.wb.page.locator('.monaco-sash.vertical').all()) {
      const b = await sash.boundingBox();
      if (b && b.x > 250 && b.x < 450 && b.height > 300) box = b;
    }
    if (box) {
      await vs.wb.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await vs.wb.page.mouse.down();
      await vs.wb.page.mouse.move(225, box.y + box.height / 2, { steps: 8 });
      await vs.wb.page.mouse.up();
    }
    await vs.wb.page
      .locator('.tabs-container .tab', { hasText: /listaccts → group eu/ })
      .first()
      .click();
    const view = await vs.wb.resultView(/listaccts → group eu/);
    await view.locator('#tablepick').selectOption({ index: 0 });
    await vs.wb.keepForReadme('fanout-dark-narrow');
    assert.match(await view.locator('#facts').innerText(), /^3 targets · \d+ ms · 3 answers · group eu$/);
    // The builder in the dark theme too.
    await vs.wb.command('cPanel: Open Request Builder');
    await (await vs.wb.webview('#function')).locator('#problems').waitFor();
    await vs.wb.keepForReadme('builder-dark');
  });
});
