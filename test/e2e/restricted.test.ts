import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import { SANDBOX_CREDENTIALS as CREDS } from '../../src/sandbox/accounts';
import { Sandbox } from '../../src/sandbox/server';
import { ARTIFACTS, type RunningCodeServer } from '../vscode/codeServer';
import { openVsCode, type Workbench } from './driver';

/** A cloned repository you have not trusted: its snippets can be read, but not sent without asking. */
describe('Restricted Mode end to end', () => {
  let sb: Sandbox;
  let cs: RunningCodeServer;
  let context: BrowserContext;
  let wb: Workbench;

  before(async () => {
    sb = await Sandbox.start();
    const workspace = join(ARTIFACTS, 'workspace-untrusted');
    rmSync(workspace, { recursive: true, force: true });
    mkdirSync(join(workspace, '.vscode', 'cpanel'), { recursive: true });
    writeFileSync(
      join(workspace, '.vscode', 'cpanel', 'from-repo.cpanel.json'),
      JSON.stringify({ version: 1, server: 'sandbox-whm', family: 'whm', function: 'listaccts', method: 'GET', params: [] }, null, 2),
    );
    const tls = { mode: 'pinned', fingerprint256: sb.fingerprint256 };
    ({ cs, context, wb } = await openVsCode({
      workspace,
      name: 'e2e-restricted',
      workspaceTrust: true,
      settings: {
        'security.workspace.trust.enabled': true,
        'security.workspace.trust.startupPrompt': 'never',
        'security.workspace.trust.banner': 'never',
        'cpanel.servers': [{ id: 'whm-r', label: 'sandbox-whm', host: '127.0.0.1', service: 'whm', secure: true, port: sb.port('whm'), username: 'root', auth: 'token', twoFactor: 'none', tls }],
      },
    }));
    await wb.command('cPanel: Set Credentials…');
    await wb.answer('API token', CREDS.root.whmToken);
    // Go on only once the token is stored, as a person waits for the confirmation.
    await wb.toast('stored in VS Code\'s secret storage').waitFor({ timeout: 20_000 });
    await wb.clearToasts();
  });

  afterEach(async (t) => wb?.afterTest(`restricted-${t.name}`));

  after(async () => {
    await context?.close();
    await cs?.stop();
    await sb?.stop();
  });

  it('asks before sending a snippet, and Cancel sends nothing', async () => {
    await wb.treeItem(/^from-repo/).click();
    await wb.page.mouse.move(900, 700);
    const send = wb.page.locator('.contentWidgets .codelens-decoration a', { hasText: 'Send' }).first();
    await send.click();
    const dialog = wb.dialog();
    await dialog.waitFor({ timeout: 20_000 });
    assert.match(await dialog.innerText(), /This workspace is in Restricted Mode\. Send WHM API 1 listaccts on sandbox-whm\?/);
    await wb.keepForReadme('restricted-mode');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await wb.page.waitForTimeout(500);
    assert.equal(sb.requests('listaccts').length, 0);
    await send.click();
    await wb.dialog().getByRole('button', { name: 'Send' }).click();
    await wb.tab(/whm listaccts · sandbox-whm · 200/).waitFor({ timeout: 20_000 });
    assert.equal(sb.requests('listaccts').length, 1);
  });
});
