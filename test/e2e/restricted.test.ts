import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { SANDBOX_CREDENTIALS as CREDS } from '../../src/sandbox/accounts';
import { sandboxWhm, useVsCode } from './driver';

/** A cloned repository you have not trusted: its snippets can be read, but not sent without asking. */
describe('Restricted Mode end to end', () => {
  const vs = useVsCode({
    name: 'restricted',
    workspaceTrust: true,
    files: {
      '.vscode/cpanel/from-repo.cpanel.json': JSON.stringify(
        { version: 1, server: 'sandbox-whm', family: 'whm', function: 'listaccts', method: 'GET', params: [] },
        null,
        2,
      ),
    },
    settings: (sb) => ({
      'security.workspace.trust.enabled': true,
      'security.workspace.trust.startupPrompt': 'never',
      'security.workspace.trust.banner': 'never',
      'cpanel.servers': [sandboxWhm(sb, 'whm-r')],
    }),
  });

  // Go on only once the token is stored, as a person waits for the confirmation.
  before(() => vs.wb.setToken(CREDS.root.whmToken));

  it('asks before sending a snippet, and Cancel sends nothing', async () => {
    await vs.wb.treeItem(/^from-repo/).click();
    await vs.wb.page.mouse.move(900, 700);
    const send = vs.wb.page.locator('.contentWidgets .codelens-decoration a', { hasText: 'Send' }).first();
    await send.click();
    const dialog = vs.wb.dialog();
    await dialog.waitFor({ timeout: 20_000 });
    assert.match(await dialog.innerText(), /This workspace is in Restricted Mode\. Send whm listaccts on sandbox-whm\?/);
    await vs.wb.keepForReadme('restricted-mode');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await vs.wb.dialogClosed();
    assert.equal(vs.sb.requests('listaccts').length, 0);
    await send.click();
    await vs.wb.dialog().getByRole('button', { name: 'Send' }).click();
    await vs.wb.tab(/whm listaccts · sandbox-whm · 200/).waitFor({ timeout: 20_000 });
    assert.equal(vs.sb.requests('listaccts').length, 1);
  });
});
