import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import type { BrowserContext, FrameLocator } from 'playwright-core';
import { parseSnippet } from '../../src/core/snippets';
import { SANDBOX_CREDENTIALS as CREDS } from '../../src/sandbox/accounts';
import { Sandbox } from '../../src/sandbox/server';
import { ARTIFACTS, type RunningCodeServer } from '../vscode/codeServer';
import { openVsCode, type Workbench } from './driver';

/** The request builder and workspace snippets, in a real VS Code in Chromium, against the sandbox. */
describe('request builder and snippets end to end', () => {
  let sb: Sandbox;
  let cs: RunningCodeServer;
  let context: BrowserContext;
  let wb: Workbench;
  let builder: FrameLocator;
  const workspace = join(ARTIFACTS, 'workspace-builder');
  const snippetDir = join(workspace, '.vscode', 'cpanel');

  before(async () => {
    sb = await Sandbox.start({ rejectReusedLoginCodes: false });
    rmSync(workspace, { recursive: true, force: true });
    mkdirSync(snippetDir, { recursive: true });
    const tls = { mode: 'pinned', fingerprint256: sb.fingerprint256 };
    const settings = { 'cpanel.servers': [{ id: 'whm-e2e', label: 'sandbox-whm', host: '127.0.0.1', service: 'whm', secure: true, port: sb.port('whm'), username: 'root', auth: 'token', twoFactor: 'none', tls }] };
    ({ cs, context, wb } = await openVsCode({ workspace, settings, name: 'e2e-builder' }));
    builder = wb.builderFrame();
    // The one secret, typed as a person would.
    await wb.command('cPanel: Set Credentials…');
    await wb.answer('API token', CREDS.root.whmToken);
    await wb.toast('stored in VS Code\'s secret storage').waitFor();
    await wb.clearToasts();
  });

  afterEach(async (t) => wb?.afterTest(`builder-${t.name}`));

  after(async () => {
    await context?.close();
    await cs?.stop();
    await sb?.stop();
  });

  it('opens the builder from a function in the tree, fills a parameter and sends', async () => {
    await wb.treeItem(/^sandbox-whm/).click();
    await wb.treeItem('WHM API 1').click();
    await wb.treeItem('Account Management').click();
    // The first look at a WHM category fetches applist and redraws the tree: let it settle, as a person would.
    await wb.treeItem(/^sandbox-whm.*signed in/).waitFor({ timeout: 20_000 });
    await wb.page.waitForTimeout(500);
    await wb.treeItem(/^accountsummary/).click({ button: 'right' });
    const item = wb.page.getByRole('menuitem', { name: 'Open in Request Builder' });
    await item.waitFor();
    await wb.page.waitForTimeout(300);
    await item.click();
    await builder.locator('#function').waitFor({ timeout: 30_000 });
    // The function's hover card would cover the builder: move the pointer away, as a person would.
    await wb.page.mouse.move(900, 700);
    await wb.page.locator('.monaco-hover').first().waitFor({ state: 'hidden', timeout: 5000 }).catch(() => undefined);
    assert.equal(await builder.locator('#function').inputValue(), 'accountsummary');
    assert.match(await builder.locator('.fninfo').innerText(), /WHM API 1 · GET/);
    await builder.locator('select[aria-label="Add an optional parameter"]').selectOption('user');
    await builder.locator('.pvalue').last().fill('bob');
    await builder.locator('#send').click();
    await wb.tab(/whm accountsummary · sandbox-whm · 200/).waitFor({ timeout: 20_000 });
    await builder.locator('.verdict.ok').waitFor({ timeout: 20_000 });
    assert.match(await builder.locator('#status').innerText(), /OK\s*· HTTP 200/);
    assert.match(sb.requests('accountsummary').at(-1)!.path, /user=bob/);
    await wb.page.locator('.tabs-container .tab', { hasText: 'Request Builder' }).click();
    await wb.keepForReadme('builder');
  });

  it('copies the call as curl, with the secret as an environment variable', async () => {
    await builder.locator('button[data-lang="curl"]').click();
    await builder.locator('#status', { hasText: 'Copied as curl' }).waitFor({ timeout: 10_000 });
    assert.match(await builder.locator('#status').innerText(), /reads its secrets from the environment: CPANEL_TOKEN/);
  });

  it('sends from the keyboard with Ctrl+Enter', async () => {
    await wb.page.locator('.tabs-container .tab', { hasText: 'Request Builder' }).click();
    const before = sb.requests('accountsummary').length;
    await builder.locator('.pvalue').last().focus();
    await wb.page.keyboard.press('Control+Enter');
    for (let i = 0; i < 100 && sb.requests('accountsummary').length === before; i++) await wb.page.waitForTimeout(100);
    assert.equal(sb.requests('accountsummary').length, before + 1);
    await builder.locator('.verdict.ok').waitFor({ timeout: 20_000 });
  });

  it('keeps the focus when Tab leaves a new row\'s name, marks an empty row, and names the method chosen', async () => {
    const rowsBefore = await builder.locator('.pname').count();
    await builder.locator('#addParam').click();
    await builder.locator('.pname').last().fill('custom_thing');
    await wb.page.keyboard.press('Tab');
    await wb.page.keyboard.type('typed-after-tab');
    await wb.page.waitForTimeout(300);
    assert.equal(await builder.locator('.pvalue').last().inputValue(), 'typed-after-tab', 'nothing typed after Tab is lost');
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
    await wb.command('Developer: Reload Window');
    await wb.page.locator('.activitybar').waitFor({ timeout: 60_000 });
    await builder.locator('#function').waitFor({ timeout: 30_000 });
    assert.equal(await builder.locator('#function').inputValue(), 'accountsummary');
    assert.equal(await builder.locator('.pvalue').last().inputValue(), 'bob');
    await wb.page.mouse.move(900, 700);
  });

  it('saves the call as a snippet, lists it in the Snippets view and sends it from its CodeLens', async () => {
    await builder.locator('#save').click();
    await wb.answer('Save as Snippet', 'bob-summary');
    const file = join(snippetDir, 'bob-summary.cpanel.json');
    for (let i = 0; i < 50 && !existsSync(file); i++) await wb.page.waitForTimeout(100);
    const parsed = parseSnippet(readFileSync(file, 'utf8'));
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.snippet, { version: 1, server: 'sandbox-whm', family: 'whm', function: 'accountsummary', method: 'GET', params: [{ name: 'user', value: 'bob' }] });
    assert.ok(!readFileSync(file, 'utf8').includes(CREDS.root.whmToken));
    await wb.treeItem(/^bob-summary/).waitFor({ timeout: 20_000 });
    const before = sb.requests('accountsummary').length;
    const lens = wb.page.locator('.contentWidgets .codelens-decoration a', { hasText: 'Send' }).first();
    await lens.waitFor({ timeout: 20_000 });
    await wb.keepForReadme('snippet-codelens');
    await lens.click();
    for (let i = 0; i < 100 && sb.requests('accountsummary').length === before; i++) await wb.page.waitForTimeout(100);
    assert.equal(sb.requests('accountsummary').length, before + 1);
    await wb.tab(/whm accountsummary · sandbox-whm · 200/).waitFor();
  });

  it('a malformed snippet shows a problem and does not break the view', async () => {
    writeFileSync(join(snippetDir, 'broken.cpanel.json'), '{ "version": 1, "server": "sandbox-whm", "family": "rest" }\n');
    // Files written behind VS Code's back reach the watcher late here; the view's Refresh is immediate.
    await wb.command('cPanel: Refresh Snippets');
    await wb.treeItem(/^broken/).waitFor({ timeout: 20_000 });
    assert.ok(await wb.treeItem(/^bob-summary/).isVisible(), 'the good snippet is still listed');
    await wb.treeItem(/^broken/).click();
    await wb.page.locator('.contentWidgets .codelens-decoration', { hasText: 'This snippet has problems' }).waitFor({ timeout: 20_000 });
    await wb.page.locator('.squiggly-error').first().waitFor({ timeout: 20_000 });
  });

  it('server text with HTML and script in it is shown as text in the builder', async () => {
    const evil = '<img src=x onerror="document.title=\'pwned\'"><b>bold</b><script>document.title="pwned"</script>';
    writeFileSync(
      join(snippetDir, 'xss.cpanel.json'),
      JSON.stringify({ version: 1, server: 'sandbox-whm', family: 'uapi', account: 'cptest', function: 'Email/add_pop', method: 'GET', params: [{ name: 'email', value: 'x' }, { name: 'password', value: 'Secret-123' }, { name: 'domain', value: evil }] }, null, 2),
    );
    await wb.command('cPanel: Refresh Snippets');
    await wb.treeItem(/^xss/).click();
    await wb.page.mouse.move(900, 700);
    await wb.page.locator('.contentWidgets .codelens-decoration a', { hasText: 'Open in Builder' }).first().click();
    await builder.locator('#account').waitFor();
    assert.equal(await builder.locator('#account').inputValue(), 'cptest');
    await builder.locator('#send').click();
    const errors = builder.locator('#status .errors');
    await errors.waitFor({ timeout: 20_000 });
    assert.ok((await errors.innerText()).includes('<b>bold</b>'), 'the markup is visible as text');
    assert.equal(await builder.locator('#status b, #status img, #status script').count(), 0, 'and never became elements');
    const title = await builder.locator('body').evaluate(() => (globalThis as unknown as { document: { title: string } }).document.title);
    assert.notEqual(title, 'pwned');
    await wb.keepForReadme('builder-html-as-text');
  });

  it('a snippet that removes an account asks first, and Cancel sends nothing', async () => {
    writeFileSync(
      join(snippetDir, 'remove-bob.cpanel.json'),
      JSON.stringify({ version: 1, server: 'sandbox-whm', family: 'whm', function: 'removeacct', method: 'GET', params: [{ name: 'user', value: 'bob' }] }, null, 2),
    );
    await wb.command('cPanel: Refresh Snippets');
    await wb.treeItem(/^remove-bob/).click();
    await wb.page.mouse.move(900, 700);
    const send = wb.page.locator('.contentWidgets .codelens-decoration a', { hasText: 'Send' }).first();
    await send.click();
    const dialog = wb.dialog();
    await dialog.waitFor({ timeout: 20_000 });
    const text = await dialog.innerText();
    assert.match(text, /WHM API 1 removeacct on sandbox-whm removes, suspends, revokes, resets or changes a password\. Send it\?/);
    assert.match(text, /GET https:\/\/127\.0\.0\.1:\d+\/json-api\/removeacct\?api\.version=1&user=bob/, 'the exact request is shown');
    await wb.keepForReadme('confirm-destructive');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await wb.page.waitForTimeout(500);
    assert.equal(sb.requests('removeacct').length, 0, 'Cancel sends nothing');
    await send.click();
    await wb.dialog().getByRole('button', { name: 'Send' }).click();
    await wb.tab(/whm removeacct · sandbox-whm · 200/).waitFor({ timeout: 20_000 });
    assert.equal(sb.requests('removeacct').length, 1);
    assert.ok(!sb.accounts.some((a) => a.user === 'bob'));
  });

  it('sends a JSON body from the builder: the skeleton from the catalog, bad JSON keeps Send disabled', async () => {
    await wb.command('cPanel: Open Request Builder');
    await builder.locator('#function').waitFor({ timeout: 30_000 });
    await builder.locator('#family').selectOption('whm');
    await builder.locator('#function').fill('personalization_set');
    await builder.locator('#function').press('Tab');
    // The rows of the previous call stay (as typed values do): take them out, as a person would.
    for (let i = 0; i < 10 && (await builder.locator('.params button[aria-label^="Remove"]').count()) > 0; i++) await builder.locator('.params button[aria-label^="Remove"]').first().click();
    const json = builder.locator('#jsonBody');
    await json.waitFor({ timeout: 10_000 });
    assert.equal(await json.inputValue(), '{\n  "personalization": {}\n}');
    await json.fill('{"personalization": {"theme": ');
    await builder.locator('#problems', { hasText: 'The JSON body is not valid JSON' }).waitFor({ timeout: 10_000 });
    assert.ok(await builder.locator('#send').isDisabled());
    await json.fill('{"personalization": {"theme": "dark"}}');
    await builder.locator('#send:not([disabled])').waitFor({ timeout: 10_000 });
    await wb.keepForReadme('builder-json-body');
    await builder.locator('#send').click();
    await wb.tab(/whm personalization_set · sandbox-whm · 200/).waitFor({ timeout: 20_000 });
    const sent = sb.requests('/json-api/personalization_set').at(-1)!;
    assert.equal(sent.headers['content-type'], 'application/json');
    assert.deepEqual(sb.personalization.get('root'), { theme: 'dark' });
  });

  it('a fresh form says what it needs quietly, and a partial function name finds its function', async () => {
    await wb.page.locator('.tabs-container .tab', { hasText: 'Request Builder' }).click();
    await wb.command('View: Close Editor');
    await wb.page.locator('.tabs-container .tab', { hasText: 'Request Builder' }).waitFor({ state: 'detached' });
    await wb.command('cPanel: Open Request Builder');
    const fresh = await wb.webview('#function');
    await fresh.locator('#problems', { hasText: 'Choose a function.' }).waitFor();
    assert.match((await fresh.locator('#problems').getAttribute('class')) ?? '', /\bquiet\b/, 'not shown as an error before any input');
    assert.notEqual(await fresh.locator('#server').inputValue(), '', 'a server is chosen to start with');
    // A name that means one function becomes it.
    await fresh.locator('#function').fill('accountsum');
    await wb.page.keyboard.press('Tab');
    await fresh.locator('.fninfo', { hasText: 'WHM API 1 · GET' }).waitFor();
    assert.equal(await fresh.locator('#function').inputValue(), 'accountsummary');
    // Words of several: the choices, each a link.
    await fresh.locator('#function').fill('dns zone');
    await wb.page.keyboard.press('Tab');
    const first = fresh.locator('.fninfo a.suggestion').first();
    await first.waitFor();
    const name = await first.innerText();
    await first.click();
    await fresh.locator('.fninfo', { hasText: 'documentation' }).waitFor();
    assert.equal(await fresh.locator('#function').inputValue(), name);
  });
});
