import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { Frame } from 'playwright-core';
import { serializeSnippet } from '../../src/core/snippets';
import { SANDBOX_CREDENTIALS as CREDS } from '../../src/sandbox/accounts';
import { jsonFileWritten, sandboxWhm, useVsCode } from './driver';

/**
 * Results a person looks at: listaccts and a 2,000-row UAPI answer as tables (sorted, filtered, a
 * column hidden, copied from the keyboard), pages as cPanel reports them, and the History view
 * (resend, compare), in a real VS Code in Chromium against the sandbox.
 */
describe('result tables, paging and history end to end', () => {
  const typedPassword = 'E2e-Typed-Pass-77';
  const vs = useVsCode({
    name: 'results',
    sandbox: { rejectReusedLoginCodes: false, extraMailboxes: 2000 },
    files: {
      '.vscode/cpanel/mailboxes-by-page.cpanel.json': serializeSnippet({
        version: 1,
        server: 'sandbox-whm',
        family: 'uapi',
        account: 'cptest',
        function: 'Email/list_pops_with_disk',
        method: 'GET',
        params: [
          { name: 'api.sort', value: '1' },
          { name: 'api.sort_column', value: 'email' },
          { name: 'api.paginate', value: '1' },
          { name: 'api.paginate_size', value: '500' },
        ],
      }),
    },
    settings: (sb) => ({ 'cpanel.servers': [sandboxWhm(sb, 'whm-results')] }),
  });

  before(() => vs.wb.setToken(CREDS.root.whmToken));

  const column = async (view: Frame, name: string): Promise<string[]> => {
    const heads = await view.locator('#grid .head .cell').allInnerTexts();
    const i = heads.findIndex((h) => h.trim() === name);
    assert.ok(i >= 0, `a ${name} column in ${heads.join(', ')}`);
    return view.locator(`#grid .body .row > .cell:nth-child(${i + 1})`).allInnerTexts();
  };

  it('shows listaccts as a table: sorted, filtered, a column hidden, a cell copied from the keyboard', async () => {
    await vs.wb.command('cPanel: Send Request…');
    await vs.wb.pick('API', 'WHM API 1');
    await vs.wb.pick('function', 'listaccts');
    await vs.wb.pick('parameters', 'Send');
    const view = await vs.wb.resultView(/listaccts/);
    assert.equal(await view.locator('#rowcount').innerText(), '2 rows');
    assert.match(await view.locator('#facts').innerText(), /^HTTP 200 · \d+ ms · \d+(\.\d)? (B|KB) · sandbox-whm$/);
    // Where the time went, under the facts: the connection's set-up when this call opened it, then the exchange.
    assert.match(await view.locator('#timing').innerText(), /^(New|Reused) connection: .*wait [\d.]+ ms · download [\d.]+ ms$/);
    // Sort by user, then the other way.
    await view.locator('#grid button.sort[data-column="user"]').click();
    assert.deepEqual(await column(view, 'user'), ['bob', 'cptest']);
    await view.locator('#grid button.sort[data-column="user"]').click();
    assert.deepEqual(await column(view, 'user'), ['cptest', 'bob']);
    assert.equal(await view.locator('#grid .head .cell[aria-sort="descending"]').innerText(), 'user');
    // Hide a column from the chooser.
    await view.locator('#columns summary').click();
    await view.locator('#columns input[data-column="ip"]').uncheck();
    await view.locator('#columns summary').click();
    assert.ok(!(await view.locator('#grid .head .cell').allInnerTexts()).includes('ip'));
    // Filter across the shown columns.
    await view.locator('#filter').fill('bob');
    await view.locator('#rowcount', { hasText: '1 of 2 rows' }).waitFor();
    await vs.wb.keepForReadme('result-table-listaccts');
    // The keyboard: into the grid, down a row would leave the one row; copy the cell.
    await view.locator('#filter').fill('');
    await view.locator('#grid').focus();
    await vs.wb.page.keyboard.press('ArrowDown');
    await vs.wb.page.keyboard.press('Control+c');
    await view.locator('#status', { hasText: 'Copied the user cell.' }).waitFor();
    assert.equal(await view.locator('#grid .cell.active').innerText(), 'bob');
  });

  it('a 2,000-row UAPI answer: sorted as numbers, filtered, a column hidden; Raw, Request and Headers', async () => {
    await vs.wb.command('cPanel: Send Request…');
    await vs.wb.pick('API', 'UAPI (on behalf of an account)');
    await vs.wb.pick('Accounts on sandbox-whm', 'cptest');
    await vs.wb.pick('function', 'Email/list_pops_with_disk');
    await vs.wb.pick('parameters', 'Send');
    const view = await vs.wb.resultView(/list_pops_with_disk/);
    await view.locator('#rowcount', { hasText: '2,002 rows' }).waitFor();
    await view.locator('#grid button.sort[data-column="_diskused"]').click();
    await view.locator('#grid button.sort[data-column="_diskused"]').click();
    const used = (await column(view, '_diskused')).map(Number);
    assert.ok(used.length > 10, 'the visible rows are drawn');
    assert.deepEqual(
      used,
      [...used].sort((a, b) => b - a),
      'descending as numbers, not as text',
    );
    await view.locator('#columns summary').click();
    await view.locator('#columns input[data-column="humandiskused"]').uncheck();
    await view.locator('#columns input[data-column="login"]').uncheck();
    await view.locator('#columns summary').click();
    await view.locator('#filter').fill('box019');
    await view.locator('#rowcount', { hasText: '100 of 2,002 rows' }).waitFor();
    await vs.wb.keepForReadme('result-table-2000');
    // Scrolled to the end, the last rows are drawn (virtual rows: only those in view exist).
    await view.locator('#filter').fill('');
    await view.locator('#rowcount', { hasText: '2,002 rows' }).waitFor();
    assert.ok((await view.locator('#grid .body .row').count()) < 100, 'only the rows in view are in the page');
    await view.locator('#grid').evaluate((g) => (g.scrollTop = g.scrollHeight));
    await view.locator('#grid .body .row[aria-rowindex="2003"]').waitFor();
    // The other tabs, by keyboard.
    await view.locator('#tab-table').focus();
    await vs.wb.page.keyboard.press('ArrowRight');
    await vs.wb.page.keyboard.press('ArrowRight');
    assert.equal(await view.locator('#tab-raw').getAttribute('aria-selected'), 'true');
    await view.locator('#raw', { hasText: '"_diskused"' }).waitFor();
    await view.locator('#tab-request').click();
    const sent = await view.locator('#request').innerText();
    assert.match(
      sent,
      /^GET https:\/\/127\.0\.0\.1:\d+\/json-api\/uapi_cpanel\?api\.version=1&cpanel\.user=cptest&cpanel\.module=Email&cpanel\.function=list_pops_with_disk\n/,
    );
    // The request's headers as they went, the credential redacted.
    assert.match(sent, /\nauthorization: whm \[redacted\]/);
    assert.ok(!sent.includes(CREDS.root.whmToken));
    await view.locator('#tab-headers').click();
    await view.locator('#headers td', { hasText: 'content-type' }).waitFor();
    await view.locator('#tab-table').click();
  });

  it('pages as the answer reports them: the next page, then every page into one table', async () => {
    await vs.wb.openFile('mailboxes-by-page.cpanel.json');
    const send = vs.wb.page.locator('.codelens-decoration a', { hasText: /^\s*Send\s*$/ }).first();
    await send.waitFor({ timeout: 30_000 });
    await send.click();
    let view = await vs.wb.resultView(/list_pops_with_disk/);
    await view.locator('#pageinfo', { hasText: 'Records 1–500 of 2,002 · page 1 of 5' }).waitFor();
    await view.locator('#act-nextPage').click();
    view = await vs.wb.resultView(/list_pops_with_disk/);
    await view.locator('#pageinfo', { hasText: 'Records 501–1,000 of 2,002 · page 2 of 5' }).waitFor();
    assert.match(vs.sb.requests('uapi_cpanel').at(-1)!.path, /api\.paginate=1&api\.paginate_size=500&api\.paginate_start=501$/);
    assert.equal((await column(view, 'email'))[0], 'box00501@cptest.example');
    await view.locator('#act-allPages').click();
    await view.locator('#pageinfo', { hasText: 'All 2,002 rows, fetched in 5 pages' }).waitFor({ timeout: 30_000 });
    assert.equal(await view.locator('#rowcount').innerText(), '2,002 rows');
    await vs.wb.keepForReadme('result-all-pages');
  });

  it('keeps every call in the History view: resend one, compare two', async () => {
    // One call with a typed password: the history must keep the call, not the password.
    await vs.wb.command('cPanel: Send Request…');
    await vs.wb.pick('API', 'UAPI (on behalf of an account)');
    await vs.wb.pick('Accounts on sandbox-whm', 'cptest');
    await vs.wb.pick('function', 'Email/add_pop');
    await vs.wb.answer(/add_pop as cptest: email/, 'typedbox');
    await vs.wb.answer(/add_pop as cptest: password/, typedPassword);
    await vs.wb.pick('parameters', 'Send');
    const added = await vs.wb.resultView(/add_pop/);
    await vs.wb.clearToasts();
    // Saved as a snippet from its result: the typed password becomes a placeholder before anything is written.
    await added.locator('#act-saveSnippet').click();
    await vs.wb.answer('Save as Snippet', 'typed-mailbox');
    const saved = await jsonFileWritten(join(vs.workspace, '.vscode', 'cpanel', 'typed-mailbox.cpanel.json'));
    assert.ok(!saved.includes(typedPassword));
    assert.match(saved, /"value": "\$\{env:CPANEL_PARAM_PASSWORD\}"/);
    await vs.wb.notification(/password is read from \$\{env:CPANEL_PARAM_PASSWORD\}: the snippet holds no secret/);
    await vs.wb.clearToasts();
    // Edit and Resend: the builder opens with the request in it.
    await (await vs.wb.resultView(/add_pop/)).locator('#act-editResend').click();
    const builder = await vs.wb.webview('#function');
    // The page draws an empty form first, then the request the host sends it.
    // The field's value, not its attribute: the builder sets what it shows in place.
    await builder.waitForFunction(
      () =>
        (globalThis as unknown as { document: { querySelector(s: string): { value?: string } | null } }).document.querySelector('#function')
          ?.value === 'Email/add_pop',
    );
    assert.deepEqual(await builder.locator('.pname').evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value)), [
      'email',
      'password',
    ]);
    // The password is not carried into the webview (its form is kept on disk): it is typed again.
    assert.deepEqual(await builder.locator('.pvalue').evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value)), [
      'typedbox',
      '',
    ]);
    await vs.wb.command('cPanel: Focus on History View');
    // Room for the history: fold the other two views, as a person would.
    for (const view of ['Servers', 'Snippets']) {
      const header = vs.wb.page
        .locator('.pane-header', { has: vs.wb.page.locator('h3.title', { hasText: new RegExp(`^${view}$`) }) })
        .first();
      if ((await header.getAttribute('aria-expanded')) === 'true') await header.locator('h3.title').click();
    }
    const entry = vs.wb.page.getByRole('treeitem', { name: /^whm listaccts, succeeded/ }).first();
    await entry.waitFor({ timeout: 20_000 });
    await vs.wb.page
      .getByRole('treeitem', { name: /^uapi Email\/add_pop as cptest, succeeded/ })
      .first()
      .waitFor();
    const before = vs.sb.requests('listaccts').length;
    await entry.click({ button: 'right' });
    await vs.wb.menuItem('Resend');
    await vs.wb.resultView(/listaccts/);
    assert.equal(vs.sb.requests('listaccts').length, before + 1, 'resent through the runner, no question for a read');
    // Two listaccts entries now: compare one with the other.
    const both = vs.wb.page.getByRole('treeitem', { name: /^whm listaccts, succeeded/ });
    await both.nth(1).waitFor();
    // The pointer rests where the first entry was: its tooltip (made on hover) may lie over the next one.
    await vs.wb.page.mouse.move(700, 5);
    await vs.wb.page.locator('.context-view', { hasText: ' on sandbox-whm' }).waitFor({ state: 'hidden' });
    await both.nth(1).click({ button: 'right' });
    await vs.wb.menuItem('Compare with…');
    await vs.wb.pick('Compare whm listaccts with…', 'whm listaccts');
    await vs.wb.tab(/↔/).waitFor({ timeout: 20_000 });
    await vs.wb.page.locator('.monaco-diff-editor').first().waitFor();
    await vs.wb.keepForReadme('history-compare');
  });

  it('writes no secret into the extension storage', async () => {
    const storage = join(vs.cs.runDir, 'data', 'User', 'globalStorage', 'cpanel-api-explorer.cpanel-api-explorer');
    const files: string[] = [];
    const walk = (d: string): void => {
      for (const name of readdirSync(d)) {
        const p = join(d, name);
        if (statSync(p).isDirectory()) walk(p);
        else files.push(p);
      }
    };
    walk(storage);
    assert.ok(
      files.some((f) => f.endsWith('index.json')) && files.filter((f) => f.includes('answers')).length >= 6,
      `the history is there: ${files.length} files`,
    );
    const secrets = [
      CREDS.root.whmToken,
      CREDS.root.password,
      CREDS.cptest.password,
      CREDS.cptest.tfaSecret,
      CREDS.bob.password,
      typedPassword,
    ];
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      for (const s of secrets) assert.ok(!text.includes(s), `${f} holds ${s.slice(0, 3)}…`);
    }
    const index = readFileSync(
      files.find((f) => f.endsWith('index.json'))!,
      'utf8',
    );
    assert.match(index, /\["password","\[redacted\]"\]/);
  });
});
