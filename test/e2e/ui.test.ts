import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import { SANDBOX_CREDENTIALS as CREDS } from '../../src/sandbox/accounts';
import { Sandbox } from '../../src/sandbox/server';
import { ARTIFACTS, type RunningCodeServer } from '../vscode/codeServer';
import { openVsCode, type Workbench } from './driver';

/**
 * A person's path through the product, in a real VS Code (code-server) in headless Chromium,
 * against the sandbox: add servers through the UI, pin a certificate, browse the tree, send calls
 * from the palette, and meet a wrong password and a wrong two-factor code.
 */
describe('end to end in VS Code and Chromium', () => {
  let sb: Sandbox;
  let cs: RunningCodeServer;
  let context: BrowserContext;
  let wb: Workbench;

  before(async () => {
    sb = await Sandbox.start({ rejectReusedLoginCodes: false });
    ({ cs, context, wb } = await openVsCode({ workspace: join(ARTIFACTS, 'workspace-e2e'), name: 'e2e-ui' }));
  });

  afterEach(async (t) => wb?.afterTest(t.name));

  after(async () => {
    await context?.close();
    await cs?.stop();
    await sb?.stop();
  });

  it('shows the welcome view, adds a WHM server through the wizard and pins its certificate', async () => {
    const welcome = wb.page.locator('.welcome-view-content', { hasText: 'No cPanel or WHM server yet' });
    await welcome.waitFor({ timeout: 30_000 });
    await wb.screenshot('welcome');
    await welcome.getByRole('button', { name: 'Add Server' }).click();
    await wb.answer('Label', 'sandbox-whm');
    await wb.answer('Host', '127.0.0.1');
    await wb.pick('Service', 'WHM');
    await wb.pick('Connection', 'HTTPS');
    await wb.answer('Port', String(sb.port('whm')));
    await wb.answer('Username', 'root');
    await wb.pick('Authentication', 'API token');
    await wb.pick('Two-factor', 'No two-factor authentication');
    await wb.answer('API token', CREDS.root.whmToken);
    await wb.clickToastButton('Added sandbox-whm', 'Test Connection');
    // A self-signed certificate: the fingerprint is shown and pinning is offered.
    const dialog = wb.dialog();
    await dialog.waitFor({ timeout: 20_000 });
    assert.match(await dialog.innerText(), new RegExp(sb.fingerprint256));
    await wb.keepForReadme('pin-certificate');
    await dialog.getByRole('button', { name: 'Pin Certificate' }).click();
    await wb.notification(/Connected to sandbox-whm as root: cPanel & WHM 11\.138/);
    await wb.screenshot('connected');
    await wb.clearToasts();
  });

  it('browses the tree: families, categories, functions with tooltips, and accounts', async () => {
    await wb.treeItem(/^sandbox-whm/).click();
    await wb.treeItem('cPanel accounts').click();
    await wb.treeItem(/^cptest/).waitFor();
    assert.ok(await wb.treeItem(/^bob/).isVisible());
    await wb.treeItem(/^cptest/).click();
    await wb.treeItem(/^UAPI/).waitFor();
    await wb.treeItem('WHM API 1').click();
    await wb.treeItem('Account Management').click();
    await wb.treeItem(/^listaccts/).waitFor();
    await wb.treeItem(/^listaccts/).hover();
    await wb.page.locator('.monaco-hover', { hasText: 'Documentation' }).first().waitFor({ timeout: 10_000 });
    await wb.keepForReadme('tree');
  });

  it('sends a WHM call from the palette and shows the result tab', async () => {
    await wb.command('cPanel: Send Request…');
    await wb.pick('API', 'WHM API 1');
    await wb.pick('function', 'listaccts');
    await wb.pick('parameters', 'Send');
    const tab = wb.tab(/whm listaccts · sandbox-whm · 200 · \d+ ms/);
    await tab.waitFor({ timeout: 20_000 });
    const view = await wb.resultView(/listaccts/);
    assert.equal(await view.locator('#verdict').innerText(), 'OK');
    await view.locator('#grid .cell', { hasText: 'cptest' }).first().waitFor();
    await wb.keepForReadme('whm-result');
  });

  it('a destructive call from the palette asks first with the exact request, and Cancel sends nothing', async () => {
    await wb.command('cPanel: Send Request…');
    await wb.pick('API', 'WHM API 1');
    await wb.pick('function', 'removeacct');
    await wb.answer('username', 'bob');
    await wb.pick('parameters', 'Send');
    const dialog = wb.dialog();
    await dialog.waitFor({ timeout: 20_000 });
    const text = await dialog.innerText();
    assert.match(text, /WHM API 1 removeacct on sandbox-whm removes, suspends, revokes, resets or changes a password/);
    assert.match(text, /GET https:\/\/127\.0\.0\.1:\d+\/json-api\/removeacct\?api\.version=1&username=bob/);
    await wb.screenshot('palette-destructive-confirm');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await wb.page.waitForTimeout(500);
    assert.equal(sb.requests('removeacct').length, 0, 'Cancel sends nothing');
  });

  it('adds a cPanel server with session login and 2FA, and sends a UAPI call', async () => {
    await wb.command('cPanel: Add Server…');
    await wb.answer('Label', 'sandbox-cpanel');
    // A URL pasted as the host is split: its port becomes the suggested port.
    await wb.answer('Host', `https://127.0.0.1:${sb.port('cpanel')}/`);
    await wb.pick('Service', 'cPanel');
    await wb.pick('Connection', 'HTTPS');
    assert.equal(await wb.quickInput.locator('input.input').inputValue(), String(sb.port('cpanel')));
    await wb.answer('Port', String(sb.port('cpanel')));
    await wb.answer('Username', 'cptest');
    await wb.pick('Authentication', 'Session login');
    await wb.pick('Two-factor', 'Code once at login');
    await wb.answer('Password', CREDS.cptest.password);
    // The otpauth:// link an authenticator shows: its secret is taken, the step count holds.
    await wb.quickInput.locator('.quick-input-title', { hasText: 'Two-factor secret' }).waitFor();
    assert.match(await wb.quickInput.locator('.quick-input-title').innerText(), /\(10\/10\): Two-factor secret/);
    await wb.answer('Two-factor secret', `otpauth://totp/127.0.0.1:cptest?secret=${CREDS.cptest.tfaSecret}&issuer=127.0.0.1`);
    await wb.toast('Added sandbox-cpanel').waitFor();
    await wb.clearToasts();
    await wb.command('cPanel: Send Request…');
    await wb.pick('server', 'sandbox-cpanel');
    await wb.pick('function', 'Email/list_pops');
    await wb.pick('parameters', 'Send');
    // Same host, and the very certificate already pinned for sandbox-whm: pinned here too, without a second question.
    await wb.notification(/Pinned the certificate of sandbox-cpanel: it is the one pinned for sandbox-whm on 127\.0\.0\.1/);
    await wb.tab(/uapi Email.list_pops · sandbox-cpanel · 200/).waitFor({ timeout: 20_000 });
    const view = await wb.resultView(/list_pops/);
    await view.locator('#grid .cell', { hasText: 'info@cptest.example' }).first().waitFor();
    await wb.keepForReadme('uapi-result');
    const login = sb.requests('/login');
    assert.equal(login.length, 1);
    assert.match(new URLSearchParams(login[0]!.body).get('tfa_token') ?? '', /^\d{6}$/);
  });

  it('a wrong password gives a clear error with what to do', async () => {
    await wb.command('cPanel: Sign Out');
    await wb.pick('Server to sign out of', 'sandbox-cpanel').catch(() => undefined);
    await wb.clearToasts();
    await wb.command('cPanel: Set Credentials…');
    await wb.pick('Server to set credentials for', 'sandbox-cpanel');
    await wb.answer('Password', 'definitely-wrong');
    await wb.answer('Two-factor secret', CREDS.cptest.tfaSecret);
    await wb.clearToasts();
    await wb.command('cPanel: Test Connection');
    await wb.pick('Server to test', 'sandbox-cpanel');
    const toast = wb.toast(/refused the username or password for cptest/);
    await toast.waitFor({ timeout: 20_000 });
    await wb.keepForReadme('wrong-password');
    assert.ok(!(await toast.innerText()).includes('definitely-wrong'));
    await wb.clearToasts();
  });

  it('a wrong two-factor secret gives a clear error', async () => {
    await wb.command('cPanel: Set Credentials…');
    await wb.pick('Server to set credentials for', 'sandbox-cpanel');
    await wb.answer('Password', CREDS.cptest.password);
    await wb.answer('Two-factor secret', 'AAAAAAAAAAAAAAAA');
    await wb.clearToasts();
    await wb.command('cPanel: Test Connection');
    await wb.pick('Server to test', 'sandbox-cpanel');
    await wb.toast(/refused the two-factor code for cptest/).waitFor({ timeout: 20_000 });
    await wb.keepForReadme('wrong-otp');
  });

  it('refuses a pinned server whose certificate changed, showing both fingerprints', async () => {
    const pinned = sb.fingerprint256;
    await sb.rotateCertificate();
    await wb.clearToasts();
    await wb.command('cPanel: Test Connection');
    await wb.pick('Server to test', 'sandbox-whm');
    const dialog = wb.dialog();
    await dialog.waitFor({ timeout: 20_000 });
    const text = await dialog.innerText();
    assert.match(text, /has changed, so the call was refused and nothing was sent/);
    assert.ok(text.includes(pinned) && text.includes(sb.fingerprint256), text);
    await wb.keepForReadme('certificate-changed');
    const before = sb.requests('/json-api/').length;
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await wb.page.waitForTimeout(300);
    assert.equal(sb.requests('/json-api/').length, before, 'nothing reached the server');
  });

  it('Edit Server changes one field without replaying every step, and keeps the credentials', async () => {
    await wb.clearToasts();
    await wb.command('cPanel: Edit Server…');
    await wb.pick('Server to edit', 'sandbox-cpanel');
    await wb.quickInput.locator('.quick-input-title', { hasText: 'Edit sandbox-cpanel: what to change' }).waitFor();
    await wb.keepForReadme('edit-one-field');
    await wb.pick('what to change', 'Label');
    await wb.answer('Edit sandbox-cpanel: Label', 'sandbox-cpanel-edited');
    await wb.toast('Saved sandbox-cpanel-edited.').waitFor({ timeout: 20_000 });
    // Nothing else was asked: no step replayed, no password typed again.
    await wb.page.waitForTimeout(500);
    assert.equal(await wb.quickInput.isVisible(), false);
  });

  it('shows the active server in the status bar, and a walkthrough for a new user', async () => {
    const item = wb.page.locator('.statusbar-item', { hasText: /sandbox-(whm|cpanel)/ }).first();
    await item.waitFor({ timeout: 20_000 });
    await item.click();
    await wb.pick('Active server', 'sandbox-cpanel');
    await wb.page.locator('.statusbar-item', { hasText: 'sandbox-cpanel' }).first().waitFor();
    await wb.clearToasts();
    await wb.command('Welcome: Open Walkthrough...');
    const input = wb.quickInput.locator('input.input');
    await input.waitFor({ state: 'visible' });
    await input.fill('cPanel API Explorer');
    await wb.quickInput.locator('.quick-input-list .monaco-list-row', { has: wb.page.locator('.label-name', { hasText: 'Get started with cPanel API Explorer' }) }).first().click();
    await wb.page.locator('.getting-started-step', { hasText: 'Add a server' }).first().waitFor({ timeout: 20_000 });
    await wb.page.locator('.getting-started-step', { hasText: 'Send a call' }).first().click();
    await wb.page.locator('.getting-started-media', { hasText: 'Every call is kept in the' }).first().waitFor({ timeout: 20_000 }).catch(() => undefined);
    await wb.keepForReadme('walkthrough');
  });
});
