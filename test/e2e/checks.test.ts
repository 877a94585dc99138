import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import { serializeSnippet } from '../../src/core/snippets';
import { SANDBOX_CREDENTIALS as CREDS } from '../../src/sandbox/accounts';
import { Sandbox } from '../../src/sandbox/server';
import { ARTIFACTS, type RunningCodeServer } from '../vscode/codeServer';
import { openVsCode, type Workbench } from './driver';

/**
 * Snippets that check things, as a person uses them: switch the environment in the status bar,
 * run a two-snippet chain (create a mailbox, then list and check it is there) from its CodeLens,
 * see it pass and then fail, and find both snippets in the Testing view.
 */
describe('environments, chains and checks end to end', () => {
  let sb: Sandbox;
  let cs: RunningCodeServer;
  let context: BrowserContext;
  let wb: Workbench;
  const workspace = join(ARTIFACTS, 'workspace-checks');
  const chain = join(workspace, '.vscode', 'cpanel', 'mail');

  before(async () => {
    sb = await Sandbox.start({ rejectReusedLoginCodes: false });
    rmSync(workspace, { recursive: true, force: true });
    mkdirSync(chain, { recursive: true });
    writeFileSync(
      join(workspace, '.vscode', 'cpanel', 'environments.json'),
      `${JSON.stringify({ environments: { staging: { whm: 'sandbox-whm', account: 'cptest', mailbox: 'e2ebox', mailPassword: { secret: true } }, production: { whm: 'sandbox-whm', account: 'bob', mailbox: 'e2ebox', mailPassword: { secret: true } } } }, null, 2)}\n`,
    );
    const common = { version: 1 as const, server: '${whm}', family: 'uapi' as const, account: '${account}' };
    writeFileSync(
      join(chain, '1-add-mailbox.cpanel.json'),
      serializeSnippet({ ...common, function: 'Email/add_pop', method: 'POST', params: [{ name: 'email', value: '${mailbox}' }, { name: 'password', value: '${mailPassword}' }], capture: { created: 'data' }, expect: [{ ok: true }] }),
    );
    writeFileSync(
      join(chain, '2-list-mailboxes.cpanel.json'),
      serializeSnippet({ ...common, function: 'Email/list_pops', method: 'GET', params: [], expect: [{ ok: true }, { jmespath: "data[?email=='${created}'] | length(@) == `1`" }] }),
    );
    const tls = { mode: 'pinned', fingerprint256: sb.fingerprint256 };
    const settings = { 'cpanel.servers': [{ id: 'whm-checks', label: 'sandbox-whm', host: '127.0.0.1', service: 'whm', secure: true, port: sb.port('whm'), username: 'root', auth: 'token', twoFactor: 'none', tls }] };
    ({ cs, context, wb } = await openVsCode({ workspace, settings, name: 'e2e-checks' }));
    await wb.command('cPanel: Set Credentials…');
    await wb.answer('API token', CREDS.root.whmToken);
    await wb.toast("stored in VS Code's secret storage").waitFor();
    await wb.clearToasts();
  });

  afterEach(async (t) => wb?.afterTest(`checks-${t.name}`));

  after(async () => {
    await context?.close();
    await cs?.stop();
    await sb?.stop();
  });

  const statusItem = (): ReturnType<Workbench['page']['locator']> => wb.page.locator('.statusbar-item', { hasText: /No environment|staging|production/ }).first();

  it('switches the environment from the status bar', async () => {
    await statusItem().waitFor({ timeout: 30_000 });
    assert.match(await statusItem().innerText(), /No environment/);
    await statusItem().click();
    await wb.pick('cPanel environment for snippets', 'staging');
    await wb.page.locator('.statusbar-item', { hasText: 'staging' }).first().waitFor();
    await wb.keepForReadme('environment-status-bar');
    // Its secret goes to VS Code's secret storage, never into the environments file.
    await wb.command('cPanel: Set Environment Secret…');
    await wb.answer('staging: mailPassword', 'E2e-Mailbox-Pass-1');
    await wb.notification(/staging: mailPassword is stored in VS Code's secret storage/);
    await wb.clearToasts();
  });

  it('runs the chain from its CodeLens: it passes, the checks show above the snippets; again, and it fails naming the check', async () => {
    await wb.command('Go to File…'.replace('…', ''));
    await wb.quickInput.locator('input.input').fill('2-list-mailboxes.cpanel.json');
    await wb.page.waitForTimeout(500);
    await wb.quickInput.locator('input.input').press('Enter');
    const runFolder = wb.page.locator('.codelens-decoration a', { hasText: 'Run Folder' }).first();
    await runFolder.waitFor({ timeout: 30_000 });
    await runFolder.click();
    await wb.notification(/mail: 2 passed, 0 failed/, 30_000);
    await wb.page.locator('.codelens-decoration a', { hasText: /all 2 checks passed/ }).first().waitFor({ timeout: 20_000 });
    assert.ok(sb.mail.some((m) => m.email === 'e2ebox@cptest.example'), 'the mailbox was made on the staging account');
    await wb.keepForReadme('snippet-chain-passed');
    await wb.clearToasts();
    // Again: the mailbox exists now, so the first snippet's check fails, nothing is captured, and the second is not sent.
    await runFolder.click();
    await wb.notification(/mail: 0 passed, 2 failed \(.*1-add-mailbox\.cpanel\.json: expected ok to be true, but the call failed \(api_error: .*already exists/, 30_000);
    await wb.page.locator('.codelens-decoration a', { hasText: 'Not sent' }).first().waitFor({ timeout: 20_000 });
    await wb.keepForReadme('snippet-chain-failed');
    await wb.clearToasts();
    assert.ok(!sb.log.some((r) => r.path.includes('E2e-Mailbox-Pass-1')), 'the secret went in the body only');
  });

  it('lists the snippets with expect in the Testing view and runs them there', async () => {
    await wb.command('Testing: Focus on Test Explorer View');
    const folder = wb.page.getByRole('treeitem', { name: /^\.vscode\/cpanel\/mail/ }).first();
    await folder.waitFor({ timeout: 30_000 });
    await folder.click();
    const row = (name: string): ReturnType<Workbench['page']['locator']> => wb.page.locator('.monaco-list-row', { hasText: name }).first();
    await wb.page.getByRole('treeitem', { name: /^1-add-mailbox\.cpanel\.json/ }).first().waitFor();
    await row('2-list-mailboxes.cpanel.json').waitFor();
    // Production's account has no such mailbox yet: the chain passes there.
    await wb.command('cPanel: Select Environment…');
    await wb.pick('cPanel environment for snippets', 'production');
    await wb.command('cPanel: Set Environment Secret…');
    await wb.answer('production: mailPassword', 'E2e-Mailbox-Pass-2');
    await wb.clearToasts();
    await folder.hover();
    await folder.locator('.action-label[aria-label^="Run Test"]').first().click();
    const passed = wb.page.getByRole('treeitem', { name: /^2-list-mailboxes\.cpanel\.json \(Passed\)/ }).first();
    try {
      await passed.waitFor({ timeout: 30_000 });
    } catch (e) {
      const names = await wb.page.getByRole('treeitem').evaluateAll((els) => els.map((el) => el.getAttribute('aria-label')));
      throw new Error(`no passed test in the Testing view: ${names.join(' | ')}`, { cause: e });
    }
    assert.ok(sb.mail.some((m) => m.email === 'e2ebox@bob.example'));
    await wb.keepForReadme('testing-view');
  });
});
