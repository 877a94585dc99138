import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SANDBOX_CREDENTIALS as CREDS } from '../../src/sandbox/accounts';
import { useVsCode } from './driver';

/**
 * A person's path through the product, in a real VS Code (code-server) in headless Chromium,
 * against the sandbox: add servers through the UI, pin a certificate, browse the tree, send calls
 * from the palette, and meet a wrong password and a wrong two-factor code.
 */
describe('end to end in VS Code and Chromium', () => {
  const vs = useVsCode({ name: 'ui', sandbox: { rejectReusedLoginCodes: false } });

  it('shows the welcome view, adds a WHM server through the wizard and pins its certificate', async () => {
    const welcome = vs.wb.page.locator('.welcome-view-content', { hasText: 'No cPanel or WHM server yet' });
    await welcome.waitFor({ timeout: 30_000 });
    await vs.wb.screenshot('welcome');
    await welcome.getByRole('button', { name: 'Add Server' }).click();
    await vs.wb.answer('Label', 'sandbox-whm');
    await vs.wb.answer('Host', '127.0.0.1');
    await vs.wb.pick('Service', 'WHM');
    await vs.wb.pick('Connection', 'HTTPS');
    await vs.wb.answer('Port', String(vs.sb.port('whm')));
    await vs.wb.answer('Username', 'root');
    await vs.wb.pick('Authentication', 'API token');
    await vs.wb.pick('Two-factor', 'No two-factor authentication');
    await vs.wb.answer('Groups', '');
    await vs.wb.answer('API token', CREDS.root.whmToken);
    await vs.wb.clickToastButton('Added sandbox-whm', 'Test Connection');
    // A self-signed certificate: the fingerprint is shown and pinning is offered.
    const dialog = vs.wb.dialog();
    await dialog.waitFor({ timeout: 20_000 });
    assert.match(await dialog.innerText(), new RegExp(vs.sb.fingerprint256));
    await vs.wb.keepForReadme('pin-certificate');
    await dialog.getByRole('button', { name: 'Pin Certificate' }).click();
    await vs.wb.notification(/Connected to sandbox-whm as root: cPanel & WHM 11\.138/);
    await vs.wb.screenshot('connected');
    await vs.wb.clearToasts();
  });

  it('browses the tree: families, categories, functions with tooltips, and accounts', async () => {
    await vs.wb.treeItem(/^sandbox-whm/).click();
    await vs.wb.treeItem('cPanel accounts').click();
    await vs.wb.treeItem(/^cptest/).waitFor();
    assert.ok(await vs.wb.treeItem(/^bob/).isVisible());
    await vs.wb.treeItem(/^cptest/).click();
    await vs.wb.treeItem(/^UAPI/).waitFor();
    await vs.wb.treeItem('WHM API 1').click();
    await vs.wb.treeItem('Account Management').click();
    await vs.wb.treeItem(/^listaccts/).waitFor();
    await vs.wb.treeItem(/^listaccts/).hover();
    await vs.wb.page.locator('.monaco-hover', { hasText: 'Documentation' }).first().waitFor({ timeout: 10_000 });
    await vs.wb.keepForReadme('tree');
  });

  it('sends a WHM call from the palette and shows the result tab', async () => {
    await vs.wb.command('cPanel: Send Request…');
    await vs.wb.pick('API', 'WHM API 1');
    await vs.wb.pick('function', 'listaccts');
    await vs.wb.pick('parameters', 'Send');
    const tab = vs.wb.tab(/whm listaccts · sandbox-whm · 200 · \d+ ms/);
    await tab.waitFor({ timeout: 20_000 });
    const view = await vs.wb.resultView(/listaccts/);
    assert.equal(await view.locator('#verdict').innerText(), 'OK');
    await view.locator('#grid .cell', { hasText: 'cptest' }).first().waitFor();
    await vs.wb.keepForReadme('whm-result');
  });

  it('a destructive call from the palette asks first with the exact request, and Cancel sends nothing', async () => {
    await vs.wb.command('cPanel: Send Request…');
    await vs.wb.pick('API', 'WHM API 1');
    await vs.wb.pick('function', 'removeacct');
    await vs.wb.answer('username', 'bob');
    await vs.wb.pick('parameters', 'Send');
    const dialog = vs.wb.dialog();
    await dialog.waitFor({ timeout: 20_000 });
    const text = await dialog.innerText();
    assert.match(text, /WHM API 1 removeacct on sandbox-whm removes, suspends, revokes, resets or changes a password/);
    assert.match(text, /GET https:\/\/127\.0\.0\.1:\d+\/json-api\/removeacct\?api\.version=1&username=bob/);
    await vs.wb.screenshot('palette-destructive-confirm');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await vs.wb.dialogClosed();
    assert.equal(vs.sb.requests('removeacct').length, 0, 'Cancel sends nothing');
  });

  it('adds a cPanel server with session login and 2FA, and sends a UAPI call', async () => {
    await vs.wb.command('cPanel: Add Server…');
    await vs.wb.answer('Label', 'sandbox-cpanel');
    // A URL pasted as the host is split: its port becomes the suggested port.
    await vs.wb.answer('Host', `https://127.0.0.1:${vs.sb.port('cpanel')}/`);
    await vs.wb.pick('Service', 'cPanel');
    await vs.wb.pick('Connection', 'HTTPS');
    assert.equal(await vs.wb.quickInput.locator('input.input').inputValue(), String(vs.sb.port('cpanel')));
    await vs.wb.answer('Port', String(vs.sb.port('cpanel')));
    await vs.wb.answer('Username', 'cptest');
    await vs.wb.pick('Authentication', 'Session login');
    await vs.wb.pick('Two-factor', 'Code once at login');
    await vs.wb.answer('Groups', '');
    await vs.wb.answer('Password', CREDS.cptest.password);
    // The otpauth:// link an authenticator shows: its secret is taken, the step count holds.
    await vs.wb.quickInput.locator('.quick-input-title', { hasText: 'Two-factor secret' }).waitFor();
    assert.match(await vs.wb.quickInput.locator('.quick-input-title').innerText(), /\(11\/11\): Two-factor secret/);
    await vs.wb.answer('Two-factor secret', `otpauth://totp/127.0.0.1:cptest?secret=${CREDS.cptest.tfaSecret}&issuer=127.0.0.1`);
    await vs.wb.toast('Added sandbox-cpanel').waitFor();
    await vs.wb.clearToasts();
    await vs.wb.command('cPanel: Send Request…');
    await vs.wb.pick('server', 'sandbox-cpanel');
    await vs.wb.pick('function', 'Email/list_pops');
    await vs.wb.pick('parameters', 'Send');
    // Same host, and the very certificate already pinned for sandbox-whm: pinned here too, without a second question.
    await vs.wb.notification(/Pinned the certificate of sandbox-cpanel: it is the one pinned for sandbox-whm on 127\.0\.0\.1/);
    await vs.wb.tab(/uapi Email.list_pops · sandbox-cpanel · 200/).waitFor({ timeout: 20_000 });
    const view = await vs.wb.resultView(/list_pops/);
    await view.locator('#grid .cell', { hasText: 'info@cptest.example' }).first().waitFor();
    await vs.wb.keepForReadme('uapi-result');
    const login = vs.sb.requests('/login');
    assert.equal(login.length, 1);
    assert.match(new URLSearchParams(login[0]!.body).get('tfa_token') ?? '', /^\d{6}$/);
  });

  it('a wrong password gives a clear error with what to do', async () => {
    // sandbox-cpanel is the one server with session login: Sign Out asks nothing.
    await vs.wb.command('cPanel: Sign Out');
    await vs.wb.notification('Signed out of sandbox-cpanel.');
    await vs.wb.clearToasts();
    await vs.wb.command('cPanel: Set Credentials…');
    await vs.wb.pick('Server to set credentials for', 'sandbox-cpanel');
    await vs.wb.answer('Password', 'definitely-wrong');
    await vs.wb.answer('Two-factor secret', CREDS.cptest.tfaSecret);
    await vs.wb.clearToasts();
    await vs.wb.command('cPanel: Test Connection');
    await vs.wb.pick('Server to test', 'sandbox-cpanel');
    const toast = vs.wb.toast(/refused the username or password for cptest/);
    await toast.waitFor({ timeout: 20_000 });
    await vs.wb.keepForReadme('wrong-password');
    assert.ok(!(await toast.innerText()).includes('definitely-wrong'));
    await vs.wb.clearToasts();
  });

  it('a wrong two-factor secret gives a clear error', async () => {
    await vs.wb.command('cPanel: Set Credentials…');
    await vs.wb.pick('Server to set credentials for', 'sandbox-cpanel');
    await vs.wb.answer('Password', CREDS.cptest.password);
    await vs.wb.answer('Two-factor secret', 'AAAAAAAAAAAAAAAA');
    await vs.wb.clearToasts();
    await vs.wb.command('cPanel: Test Connection');
    await vs.wb.pick('Server to test', 'sandbox-cpanel');
    await vs.wb.toast(/refused the two-factor code for cptest/).waitFor({ timeout: 20_000 });
    await vs.wb.keepForReadme('wrong-otp');
  });

  it('refuses a pinned server whose certificate changed, showing both fingerprints', async () => {
    const pinned = vs.sb.fingerprint256;
    await vs.sb.rotateCertificate();
    await vs.wb.clearToasts();
    await vs.wb.command('cPanel: Test Connection');
    await vs.wb.pick('Server to test', 'sandbox-whm');
    const dialog = vs.wb.dialog();
    await dialog.waitFor({ timeout: 20_000 });
    const text = await dialog.innerText();
    assert.match(text, /has changed, so the call was refused and nothing was sent/);
    assert.ok(text.includes(pinned) && text.includes(vs.sb.fingerprint256), text);
    await vs.wb.keepForReadme('certificate-changed');
    const before = vs.sb.requests('/json-api/').length;
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await vs.wb.dialogClosed();
    assert.equal(vs.sb.requests('/json-api/').length, before, 'nothing reached the server');
  });

  it('Edit Server changes one field without replaying every step, and keeps the credentials', async () => {
    await vs.wb.clearToasts();
    await vs.wb.command('cPanel: Edit Server…');
    await vs.wb.pick('Server to edit', 'sandbox-cpanel');
    await vs.wb.quickInput.locator('.quick-input-title', { hasText: 'Edit sandbox-cpanel: what to change' }).waitFor();
    await vs.wb.keepForReadme('edit-one-field');
    await vs.wb.pick('what to change', 'Label');
    await vs.wb.answer('Edit sandbox-cpanel: Label', 'sandbox-cpanel-edited');
    await vs.wb.toast('Saved sandbox-cpanel-edited.').waitFor({ timeout: 20_000 });
    // Nothing else was asked: no step replayed, no password typed again (the toast comes after the last step).
    assert.equal(await vs.wb.liveQuickInput.isVisible(), false);
  });

  it('shows the active server in the status bar, and a walkthrough for a new user', async () => {
    const item = vs.wb.page.locator('.statusbar-item', { hasText: /sandbox-(whm|cpanel)/ }).first();
    await item.waitFor({ timeout: 20_000 });
    await item.click();
    await vs.wb.pick('Active server', 'sandbox-cpanel');
    await vs.wb.page.locator('.statusbar-item', { hasText: 'sandbox-cpanel' }).first().waitFor();
    await vs.wb.clearToasts();
    await vs.wb.command('Welcome: Open Walkthrough...');
    const input = vs.wb.quickInput.locator('input.input');
    await input.waitFor({ state: 'visible' });
    await input.fill('cPanel API Explorer');
    await vs.wb.quickInput
      .locator('.quick-input-list .monaco-list-row', {
        has: vs.wb.page.locator('.label-name', { hasText: 'Get started with cPanel API Explorer' }),
      })
      .first()
      .click();
    await vs.wb.page.locator('.getting-started-step', { hasText: 'Add a server' }).first().waitFor({ timeout: 20_000 });
    await vs.wb.page.locator('.getting-started-step', { hasText: 'Send a call' }).first().click();
    await vs.wb.page
      .locator('.getting-started-media', { hasText: 'Every call is kept in the' })
      .first()
      .waitFor({ timeout: 20_000 })
      .catch(() => undefined);
    await vs.wb.keepForReadme('walkthrough');
  });
});
