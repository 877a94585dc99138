import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { parseSnippet } from '../../src/core/snippets';
import { SANDBOX_CREDENTIALS as CREDS } from '../../src/sandbox/accounts';
import { jsonFileWritten, sandboxWhm, useVsCode, waitFor } from './driver';

/** The request builder and workspace snippets, in a real VS Code in Chromium, against the sandbox. */
describe('request builder and snippets end to end', () => {
  const vs = useVsCode({
    name: 'builder',
    sandbox: { rejectReusedLoginCodes: false },
    folders: ['.vscode/cpanel'],
    settings: (sb) => ({ 'cpanel.servers': [sandboxWhm(sb, 'whm-e2e')] }),
  });
  const snippetDir = join(vs.workspace, '.vscode', 'cpanel');
  let builder: FrameLocator;

  before(async () => {
    builder = vs.wb.builderFrame();
    // The one secret, typed as a person would.
    await vs.wb.setToken(CREDS.root.whmToken);
  });

  it('opens the builder from a function in the tree, fills a parameter and sends', async () => {
    await vs.wb.treeItem(/^sandbox-whm/).click();
    await vs.wb.treeItem('WHM API 1').click();
    await vs.wb.treeItem('Account Management').click();
    // The first look at a WHM category fetches applist and redraws the tree once signed in: wait for that redraw.
    await vs.wb.treeItem(/^sandbox-whm.*signed in/).waitFor({ timeout: 20_000 });
    await vs.wb.treeItem(/^accountsummary/).click({ button: 'right' });
    await vs.wb.menuItem('Open in Request Builder');
    await builder.locator('#function').waitFor({ timeout: 30_000 });
    // The function's hover card would cover the builder: move the pointer away, as a person would.
    await vs.wb.page.mouse.move(900, 700);
    await vs.wb.page
      .locator('.monaco-hover')
      .first()
      .waitFor({ state: 'hidden', timeout: 5000 })
      .catch(() => undefined);
    assert.equal(await builder.locator('#function').inputValue(), 'accountsummary');
    assert.match(await builder.locator('.fninfo').innerText(), /WHM API 1 · GET/);
    await builder.locator('select[aria-label="Add an optional parameter"]').selectOption('user');
    await builder.locator('.pvalue').last().fill('bob');
    await builder.locator('#send').click();
    await vs.wb.tab(/whm accountsummary · sandbox-whm · 200/).waitFor({ timeout: 20_000 });
    await builder.locator('.verdict.ok').waitFor({ timeout: 20_000 });
    assert.match(await builder.locator('#status').innerText(), /OK\s*· HTTP 200/);
    assert.match(vs.sb.requests('accountsummary').at(-1)!.path, /user=bob/);
    await vs.wb.page.locator('.tabs-container .tab', { hasText: 'Request Builder' }).click();
    await vs.wb.keepForReadme('builder');
  });

  it('copies the call as curl, with the secret as an environment variable', async () => {
    await builder.locator('button[data-lang="curl"]').click();
    await builder.locator('#status', { hasText: 'Copied as curl' }).waitFor({ timeout: 10_000 });
    assert.match(await builder.locator('#status').innerText(), /reads its secrets from the environment: CPANEL_TOKEN/);
  });

  it('sends from the keyboard with Ctrl+Enter', async () => {
    await vs.wb.page.locator('.tabs-container .tab', { hasText: 'Request Builder' }).click();
    const before = vs.sb.requests('accountsummary').length;
    await builder.locator('.pvalue').last().focus();
    await vs.wb.page.keyboard.press('Control+Enter');
    await waitFor(() => vs.sb.requests('accountsummary').length > before, 'the call sent with Ctrl+Enter', 10_000);
    assert.equal(vs.sb.requests('accountsummary').length, before + 1);
    await builder.locator('.verdict.ok').waitFor({ timeout: 20_000 });
  });

  it("keeps the focus when Tab leaves a new row's name, marks an empty row, and names the method chosen", async () => {
    const rowsBefore = await builder.locator('.pname').count();
    await builder.locator('#addParam').click();
    await builder.locator('.pname').last().fill('custom_thing');
    await vs.wb.page.keyboard.press('Tab');
    await vs.wb.page.keyboard.type('typed-after-tab');
    const value = builder.locator('.pvalue').last();
    // The page may redraw the row after Tab: what was typed must end up in its value.
    await waitFor(async () => (await value.inputValue()) === 'typed-after-tab', 'the typed value in the new row', 5000).catch(
      () => undefined,
    );
    assert.equal(await value.inputValue(), 'typed-after-tab', 'nothing typed after Tab is lost');
    // Emptied and redrawn: the row says it will not be sent.
    await builder.locator('.pvalue').last().fill('');
    await builder.locator('input[name="method"][value="POST"]').check();
    await builder.locator('.param', { hasText: '' }).last().locator('.rowhint', { hasText: 'Empty: left out of the request' }).waitFor();
    assert.match(await builder.locator('.fninfo').innerText(), /WHM API 1 · POST \(documented as GET\)/);
    // Back as it was, for the tests after this one.
    await builder.locator('.param').last().locator('button[aria-label^="Remove"]').click();
    await builder.locator('input[name="method"][value="GET"]').check();
    assert.equal(await builder.locator('.pname').count(), rowsBefore);
  });

  it('keeps the form across a window reload', async () => {
    await vs.wb.command('Developer: Reload Window');
    await vs.wb.page.locator('.activitybar').waitFor({ timeout: 60_000 });
    await builder.locator('#function').waitFor({ timeout: 30_000 });
    assert.equal(await builder.locator('#function').inputValue(), 'accountsummary');
    assert.equal(await builder.locator('.pvalue').last().inputValue(), 'bob');
    await vs.wb.page.mouse.move(900, 700);
  });

  it('saves the call as a snippet, lists it in the Snippets view and sends it from its CodeLens', async () => {
    await builder.locator('#save').click();
    await vs.wb.answer('Save as Snippet', 'bob-summary');
    const file = join(snippetDir, 'bob-summary.cpanel.json');
    const text = await jsonFileWritten(file);
    const parsed = parseSnippet(text);
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.snippet, {
      version: 1,
      server: 'sandbox-whm',
      family: 'whm',
      function: 'accountsummary',
      method: 'GET',
      params: [{ name: 'user', value: 'bob' }],
    });
    assert.ok(!text.includes(CREDS.root.whmToken));
    await vs.wb.treeItem(/^bob-summary/).waitFor({ timeout: 20_000 });
    const before = vs.sb.requests('accountsummary').length;
    const lens = vs.wb.page.locator('.contentWidgets .codelens-decoration a', { hasText: 'Send' }).first();
    await lens.waitFor({ timeout: 20_000 });
    await vs.wb.keepForReadme('snippet-codelens');
    await lens.click();
    await waitFor(() => vs.sb.requests('accountsummary').length > before, 'the call sent from the CodeLens', 10_000);
    assert.equal(vs.sb.requests('accountsummary').length, before + 1);
    await vs.wb.tab(/whm accountsummary · sandbox-whm · 200/).waitFor();
  });

  it('a malformed snippet shows a problem and does not break the view', async () => {
    writeFileSync(join(snippetDir, 'broken.cpanel.json'), '{ "version": 1, "server": "sandbox-whm", "family": "rest" }\n');
    // Files written behind VS Code's back reach the watcher late here; the view's Refresh is immediate.
    await vs.wb.command('cPanel: Refresh Snippets');
    await vs.wb.treeItem(/^broken/).waitFor({ timeout: 20_000 });
    assert.ok(await vs.wb.treeItem(/^bob-summary/).isVisible(), 'the good snippet is still listed');
    await vs.wb.treeItem(/^broken/).click();
    await vs.wb.page.locator('.contentWidgets .codelens-decoration', { hasText: 'This snippet has problems' }).waitFor({ timeout: 20_000 });
    await vs.wb.page.locator('.squiggly-error').first().waitFor({ timeout: 20_000 });
  });

  it('server text with HTML and script in it is shown as text in the builder', async () => {
    const evil = '<img src=x onerror="document.title=\'pwned\'"><b>bold</b><script>document.title="pwned"</script>';
    writeFileSync(
      join(snippetDir, 'xss.cpanel.json'),
      JSON.stringify(
        {
          version: 1,
          server: 'sandbox-whm',
          family: 'uapi',
          account: 'cptest',
          function: 'Email/add_pop',
          method: 'GET',
          params: [
            { name: 'email', value: 'x' },
            { name: 'password', value: 'Secret-123' },
            { name: 'domain', value: evil },
          ],
        },
        null,
        2,
      ),
    );
    await vs.wb.command('cPanel: Refresh Snippets');
    await vs.wb.treeItem(/^xss/).click();
    await vs.wb.page.mouse.move(900, 700);
    await vs.wb.page.locator('.contentWidgets .codelens-decoration a', { hasText: 'Open in Builder' }).first().click();
    await builder.locator('#account').waitFor();
    assert.equal(await builder.locator('#account').inputValue(), 'cptest');
    await builder.locator('#send').click();
    const errors = builder.locator('#status .errors');
    await errors.waitFor({ timeout: 20_000 });
    assert.ok((await errors.innerText()).includes('<b>bold</b>'), 'the markup is visible as text');
    assert.equal(await builder.locator('#status b, #status img, #status script').count(), 0, 'and never became elements');
    const title = await builder.locator('body').evaluate(() => (globalThis as unknown as { document: { title: string } }).document.title);
    assert.notEqual(title, 'pwned');
    await vs.wb.keepForReadme('builder-html-as-text');
  });

  it('a snippet that removes an account asks first, and Cancel sends nothing', async () => {
    writeFileSync(
      join(snippetDir, 'remove-bob.cpanel.json'),
      JSON.stringify(
        {
          version: 1,
          server: 'sandbox-whm',
          family: 'whm',
          function: 'removeacct',
          method: 'GET',
          params: [{ name: 'user', value: 'bob' }],
        },
        null,
        2,
      ),
    );
    await vs.wb.command('cPanel: Refresh Snippets');
    await vs.wb.treeItem(/^remove-bob/).click();
    await vs.wb.page.mouse.move(900, 700);
    const send = vs.wb.page.locator('.contentWidgets .codelens-decoration a', { hasText: 'Send' }).first();
    await send.click();
    const dialog = vs.wb.dialog();
    await dialog.waitFor({ timeout: 20_000 });
    const text = await dialog.innerText();
    assert.match(text, /WHM API 1 removeacct on sandbox-whm removes, suspends, revokes, resets or changes a password\. Send it\?/);
    assert.match(text, /GET https:\/\/127\.0\.0\.1:\d+\/json-api\/removeacct\?api\.version=1&user=bob/, 'the exact request is shown');
    await vs.wb.keepForReadme('confirm-destructive');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await vs.wb.dialogClosed();
    assert.equal(vs.sb.requests('removeacct').length, 0, 'Cancel sends nothing');
    await send.click();
    await vs.wb.dialog().getByRole('button', { name: 'Send' }).click();
    await vs.wb.tab(/whm removeacct · sandbox-whm · 200/).waitFor({ timeout: 20_000 });
    assert.equal(vs.sb.requests('removeacct').length, 1);
    assert.ok(!vs.sb.accounts.some((a) => a.user === 'bob'));
  });

  it('sends a JSON body from the builder: the skeleton from the catalog, bad JSON keeps Send disabled', async () => {
    await vs.wb.command('cPanel: Open Request Builder');
    await builder.locator('#function').waitFor({ timeout: 30_000 });
    await builder.locator('#family').selectOption('whm');
    await builder.locator('#function').fill('personalization_set');
    await builder.locator('#function').press('Tab');
    // The rows of the previous call stay (as typed values do): take them out, as a person would.
    for (let i = 0; i < 10 && (await builder.locator('.params button[aria-label^="Remove"]').count()) > 0; i++)
      await builder.locator('.params button[aria-label^="Remove"]').first().click();
    const json = builder.locator('#jsonBody');
    await json.waitFor({ timeout: 10_000 });
    assert.equal(await json.inputValue(), '{\n  "personalization": {}\n}');
    await json.fill('{"personalization": {"theme": ');
    await builder.locator('#problems', { hasText: 'The JSON body is not valid JSON' }).waitFor({ timeout: 10_000 });
    assert.ok(await builder.locator('#send').isDisabled());
    await json.fill('{"personalization": {"theme": "dark"}}');
    await builder.locator('#send:not([disabled])').waitFor({ timeout: 10_000 });
    await vs.wb.keepForReadme('builder-json-body');
    await builder.locator('#send').click();
    await vs.wb.tab(/whm personalization_set · sandbox-whm · 200/).waitFor({ timeout: 20_000 });
    const sent = vs.sb.requests('/json-api/personalization_set').at(-1)!;
    assert.equal(sent.headers['content-type'], 'application/json');
    assert.deepEqual(vs.sb.personalization.get('root'), { theme: 'dark' });
  });

  it('a fresh form says what it needs quietly, and a partial function name finds its function', async () => {
    // Closed by its tab's own button: a palette opened right after the tab is clicked can lose the focus to
    // the builder's webview taking it (VS Code hands an activated webview the focus a moment later).
    const tab = vs.wb.page.locator('.tabs-container .tab', { hasText: 'Request Builder' });
    await tab.hover();
    await tab.locator('.tab-actions .action-label').first().click();
    await vs.wb.page.locator('.tabs-container .tab', { hasText: 'Request Builder' }).waitFor({ state: 'detached' });
    // The Servers view's own button, not the palette: the result view that became active takes the focus a
    // moment later, which would close a palette opened in between.
    const header = vs.wb.page
      .locator('.pane-header', { has: vs.wb.page.locator('.action-label[aria-label="Open Request Builder"]') })
      .first();
    await header.hover();
    await header.locator('.action-label[aria-label="Open Request Builder"]').click();
    const fresh = await vs.wb.webview('#function');
    await fresh.locator('#problems', { hasText: 'Choose a function.' }).waitFor();
    assert.match((await fresh.locator('#problems').getAttribute('class')) ?? '', /\bquiet\b/, 'not shown as an error before any input');
    assert.notEqual(await fresh.locator('#server').inputValue(), '', 'a server is chosen to start with');
    // A name that means one function becomes it.
    await fresh.locator('#function').fill('accountsum');
    await vs.wb.page.keyboard.press('Tab');
    await fresh.locator('.fninfo', { hasText: 'WHM API 1 · GET' }).waitFor();
    assert.equal(await fresh.locator('#function').inputValue(), 'accountsummary');
    // Words of several: the choices, each a link.
    await fresh.locator('#function').fill('dns zone');
    await vs.wb.page.keyboard.press('Tab');
    const first = fresh.locator('.fninfo a.suggestion').first();
    await first.waitFor();
    const name = await first.innerText();
    await first.click();
    await fresh.locator('.fninfo', { hasText: 'documentation' }).waitFor();
    assert.equal(await fresh.locator('#function').inputValue(), name);
  });
});
