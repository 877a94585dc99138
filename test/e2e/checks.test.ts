import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Locator } from 'playwright-core';
import { serializeSnippet } from '../../src/core/snippets';
import { SANDBOX_CREDENTIALS as CREDS } from '../../src/sandbox/accounts';
import { sandboxWhm, useVsCode } from './driver';

/**
 * Snippets that check things, as a person uses them: switch the environment in the status bar,
 * run a two-snippet chain (create a mailbox, then list and check it is there) from its CodeLens,
 * see it pass and then fail, and find both snippets in the Testing view.
 */
describe('environments, chains and checks end to end', () => {
  const common = { version: 1 as const, server: '${whm}', family: 'uapi' as const, account: '${account}' };
  const environments = {
    staging: { whm: 'sandbox-whm', account: 'cptest', mailbox: 'e2ebox', mailPassword: { secret: true } },
    production: { whm: 'sandbox-whm', account: 'bob', mailbox: 'e2ebox', mailPassword: { secret: true } },
  };
  const vs = useVsCode({
    name: 'checks',
    sandbox: { rejectReusedLoginCodes: false },
    files: {
      '.vscode/cpanel/environments.json': `${JSON.stringify({ environments }, null, 2)}\n`,
      '.vscode/cpanel/mail/1-add-mailbox.cpanel.json': serializeSnippet({
        ...common,
        function: 'Email/add_pop',
        method: 'POST',
        params: [
          { name: 'email', value: '${mailbox}' },
          { name: 'password', value: '${mailPassword}' },
        ],
        capture: { created: 'data' },
        expect: [{ ok: true }],
      }),
      '.vscode/cpanel/mail/2-list-mailboxes.cpanel.json': serializeSnippet({
        ...common,
        function: 'Email/list_pops',
        method: 'GET',
        params: [],
        expect: [{ ok: true }, { jmespath: "data[?email=='${created}'] | length(@) == `1`" }],
      }),
    },
    settings: (sb) => ({ 'cpanel.servers': [sandboxWhm(sb, 'whm-checks')] }),
  });

  before(() => vs.wb.setToken(CREDS.root.whmToken));

  const statusItem = (): Locator => vs.wb.page.locator('.statusbar-item', { hasText: /No environment|staging|production/ }).first();

  it('switches the environment from the status bar', async () => {
    await statusItem().waitFor({ timeout: 30_000 });
    assert.match(await statusItem().innerText(), /No environment/);
    await statusItem().click();
    await vs.wb.pick('cPanel environment for snippets', 'staging');
    await vs.wb.page.locator('.statusbar-item', { hasText: 'staging' }).first().waitFor();
    await vs.wb.keepForReadme('environment-status-bar');
    // Its secret goes to VS Code's secret storage, never into the environments file.
    await vs.wb.command('cPanel: Set Environment Secret…');
    await vs.wb.answer('staging: mailPassword', 'E2e-Mailbox-Pass-1');
    await vs.wb.notification(/staging: mailPassword is stored in VS Code's secret storage/);
    await vs.wb.clearToasts();
  });

  it('runs the chain from its CodeLens: it passes, the checks show above the snippets; again, and it fails naming the check', async () => {
    await vs.wb.openFile('2-list-mailboxes.cpanel.json');
    const runFolder = vs.wb.page.locator('.codelens-decoration a', { hasText: 'Run Folder' }).first();
    await runFolder.waitFor({ timeout: 30_000 });
    await runFolder.click();
    await vs.wb.notification(/mail: 2 passed, 0 failed/, 30_000);
    await vs.wb.page
      .locator('.codelens-decoration a', { hasText: /all 2 checks passed/ })
      .first()
      .waitFor({ timeout: 20_000 });
    assert.ok(
      vs.sb.mail.some((m) => m.email === 'e2ebox@cptest.example'),
      'the mailbox was made on the staging account',
    );
    await vs.wb.keepForReadme('snippet-chain-passed');
    await vs.wb.clearToasts();
    // Again: the mailbox exists now, so the first snippet's check fails, nothing is captured, and the second is not sent.
    await runFolder.click();
    await vs.wb.notification(
      /mail: 0 passed, 2 failed \(.*1-add-mailbox\.cpanel\.json: expected ok to be true, but the call failed \(api_error: .*already exists/,
      30_000,
    );
    await vs.wb.page.locator('.codelens-decoration a', { hasText: 'Not sent' }).first().waitFor({ timeout: 20_000 });
    await vs.wb.keepForReadme('snippet-chain-failed');
    await vs.wb.clearToasts();
    assert.ok(!vs.sb.log.some((r) => r.path.includes('E2e-Mailbox-Pass-1')), 'the secret went in the body only');
  });

  it('lists the snippets with expect in the Testing view and runs them there', async () => {
    await vs.wb.command('Testing: Focus on Test Explorer View');
    const folder = vs.wb.page.getByRole('treeitem', { name: /^\.vscode\/cpanel\/mail/ }).first();
    await folder.waitFor({ timeout: 30_000 });
    await folder.click();
    const row = (name: string): Locator => vs.wb.page.locator('.monaco-list-row', { hasText: name }).first();
    await vs.wb.page
      .getByRole('treeitem', { name: /^1-add-mailbox\.cpanel\.json/ })
      .first()
      .waitFor();
    await row('2-list-mailboxes.cpanel.json').waitFor();
    // Production's account has no such mailbox yet: the chain passes there.
    await vs.wb.command('cPanel: Select Environment…');
    await vs.wb.pick('cPanel environment for snippets', 'production');
    await vs.wb.command('cPanel: Set Environment Secret…');
    await vs.wb.answer('production: mailPassword', 'E2e-Mailbox-Pass-2');
    await vs.wb.clearToasts();
    await folder.hover();
    await folder.locator('.action-label[aria-label^="Run Test"]').first().click();
    const passed = vs.wb.page.getByRole('treeitem', { name: /^2-list-mailboxes\.cpanel\.json \(Passed\)/ }).first();
    try {
      await passed.waitFor({ timeout: 30_000 });
    } catch (e) {
      const names = await vs.wb.page.getByRole('treeitem').evaluateAll((els) => els.map((el) => el.getAttribute('aria-label')));
      throw new Error(`no passed test in the Testing view: ${names.join(' | ')}`, { cause: e });
    }
    assert.ok(vs.sb.mail.some((m) => m.email === 'e2ebox@bob.example'));
    await vs.wb.keepForReadme('testing-view');
  });
});
