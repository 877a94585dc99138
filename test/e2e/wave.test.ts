import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import type { BrowserContext, Frame } from 'playwright-core';
import { serializeSnippet } from '../../src/core/snippets';
import { SANDBOX_CREDENTIALS as CREDS } from '../../src/sandbox/accounts';
import { Sandbox } from '../../src/sandbox/server';
import { addMailboxSnippet } from '../helpers/snippets';
import { ARTIFACTS, type RunningCodeServer } from '../vscode/codeServer';
import { openVsCode, type Workbench } from './driver';

const DAY = 86_400;
const ROWS = 200;
/** What cPanel's documentation shows for a call, with a real-looking token in it. */
const DOCS_TOKEN = 'U7HMR63FHY282DQZ4H5BIH16JLYSO01M';

/**
 * The features of this wave in a real VS Code in Chromium, as a person uses them, for the README:
 * Run Snippet for Each Row over a 200-row CSV with two rows failing and Retry Failed Rows; a curl line
 * from cPanel's docs imported into the builder; the API Tokens node of a WHM server; Use a Token for
 * This Server on one that signs in with a password. Once in the light theme, once in the dark one with
 * a narrow side bar.
 */
for (const dark of [false, true]) {
  const suffix = dark ? '-dark' : '';
  describe(`this wave's features${dark ? ' in a dark theme at a narrow side bar' : ''}`, () => {
    let sb: Sandbox;
    let cs: RunningCodeServer;
    let context: BrowserContext;
    let wb: Workbench;
    const workspace = join(ARTIFACTS, `workspace-wave${suffix}`);
    const csv = join(workspace, 'data', 'new-mailboxes.csv');

    before(async () => {
      sb = await Sandbox.start({ rejectReusedLoginCodes: false });
      const now = Math.floor(Date.now() / 1000);
      // More tokens on root, so that the list has something to mark: one expires soon, one has expired.
      sb.users
        .find((u) => u.user === 'root')!
        .apiTokens!.push(
          {
            name: 'ci-deploy',
            value: 'CIDEPLOYTOKEN000000000000000000A',
            acls: ['list-accts', 'create-acct'],
            expiresAt: now + 5 * DAY,
            whitelistIps: ['10.0.0.0/8'],
            createTime: now - 80 * DAY,
          },
          {
            name: 'monitoring',
            value: 'MONITORINGTOKEN0000000000000000B',
            acls: ['list-accts'],
            whitelistIps: ['192.0.2.10'],
            createTime: now - 200 * DAY,
            lastUsed: now - 3600,
          },
          {
            name: 'old-backup',
            value: 'OLDBACKUPTOKEN00000000000000000C',
            acls: 'all',
            expiresAt: now - 12 * DAY,
            createTime: now - 400 * DAY,
          },
        );
      const tls = { mode: 'pinned', fingerprint256: sb.fingerprint256 };
      const base = { host: '127.0.0.1', secure: true, twoFactor: 'none', tls };
      const settings: Record<string, unknown> = {
        'cpanel.servers': [
          { ...base, id: 'wave-whm', label: 'sandbox-whm', service: 'whm', port: sb.port('whm'), username: 'root', auth: 'token' },
          {
            ...base,
            id: 'wave-cp',
            label: 'sandbox-cpanel',
            service: 'cpanel',
            port: sb.port('cpanel'),
            username: 'cptest',
            auth: 'token',
          },
          { ...base, id: 'wave-pw', label: 'whm-password', service: 'whm', port: sb.port('whm'), username: 'root', auth: 'password' },
        ],
        ...(dark ? { 'workbench.colorTheme': 'Default Dark Modern' } : {}),
      };
      // A fresh workspace: a snippet that adds a mailbox for each row, and the rows.
      rmSync(workspace, { recursive: true, force: true });
      mkdirSync(join(workspace, '.vscode', 'cpanel'), { recursive: true });
      mkdirSync(join(workspace, 'data'), { recursive: true });
      writeFileSync(join(workspace, '.vscode', 'cpanel', 'add.cpanel.json'), serializeSnippet(addMailboxSnippet('sandbox-whm')));
      const lines = ['email,password'];
      for (let i = 1; i <= ROWS; i++) lines.push(`staff${String(i).padStart(3, '0')},Mbox-Pass-${String(i).padStart(4, '0')}`);
      writeFileSync(csv, `${lines.join('\n')}\n`);

      ({ cs, context, wb } = await openVsCode({ workspace, settings, name: `e2e-wave${suffix}` }));
      if (dark) {
        await wb.page.locator('.monaco-workbench.vs-dark').waitFor({ timeout: 20_000 });
        await wb.setSideBarWidth(250);
      }
      for (const [label, title, secret] of [
        ['sandbox-whm', 'API token', CREDS.root.whmToken],
        ['sandbox-cpanel', 'API token', CREDS.cptest.cpanelToken],
        ['whm-password', /password/i, CREDS.root.password],
      ] as const) {
        await wb.command('cPanel: Set Credentials…');
        await wb.pick('Server to set credentials for', label);
        await wb.answer(title, secret);
        await wb.toast(`Credentials for ${label} stored`).waitFor({ timeout: 20_000 });
        await wb.clearToasts();
      }
    });

    afterEach(async (t) => wb?.afterTest(`wave${suffix}-${t.name}`));

    after(async () => {
      await context?.close();
      await cs?.stop();
      await sb?.stop();
    });

    it('runs a snippet for each of 200 rows: two fail, one table says so, Retry Failed Rows sends only those two', async () => {
      // The snippet open, as a person would: Quick Open.
      await wb.page.keyboard.press('Control+P');
      await wb.quickInput.locator('input.input').fill('add.cpanel.json');
      await wb.quickInput.locator('.quick-input-list .monaco-list-row', { hasText: 'add.cpanel.json' }).first().waitFor();
      await wb.quickInput.locator('input.input').press('Enter');
      await wb.tab('add.cpanel.json').waitFor();
      await wb.page.locator('.monaco-editor .view-lines', { hasText: 'Email/add_pop' }).first().waitFor({ timeout: 20_000 });

      // The server has a bad moment: two of the calls get an HTTP 500.
      sb.clearLog();
      sb.inject({ fault: { kind: 'status500' }, count: 2, path: 'uapi_cpanel' });
      await wb.command('cPanel: Run Snippet for Each Row…');
      // code-server's file picker is VS Code's own (the simple file dialog): the path typed in.
      await typePath(wb, /^Rows for \.vscode\/cpanel\/add\.cpanel\.json/, csv);
      await wb.pick(`uapi Email/add_pop for ${ROWS} rows of data/new-mailboxes.csv`, 'Run');
      await confirm(wb, /Email\/add_pop changes something\. Send it for 200 rows/, 'Send for All Rows');
      const view = await wb.webview('.banner', new RegExp(`${ROWS - 2} of ${ROWS} rows of data/new-mailboxes\\.csv succeeded`), 180_000);
      assert.equal(sb.requests('uapi_cpanel').length, ROWS, 'one call per row');
      assert.equal(sb.requests('uapi_cpanel').filter((r) => r.status === 500).length, 2, 'two of them failed on the server');
      await view.locator('#rowcount', { hasText: `${ROWS} rows` }).waitFor();
      // The banner counts rows: a data run has no one HTTP status and no answer of its own to size.
      assert.equal(await view.locator('#verdict').innerText(), `${ROWS - 2} of ${ROWS} rows OK`);
      assert.match(
        await view.locator('#facts').innerText(),
        new RegExp(`^${ROWS} rows · ${ROWS - 2} passed · 2 failed · \\d+ ms · data/new-mailboxes\\.csv$`),
      );
      assert.equal(await view.locator('.notes.errors li').count(), 2, 'both failed rows listed');
      await wb.toast(`2 of ${ROWS} rows of data/new-mailboxes.csv failed`).waitFor({ timeout: 20_000 });
      await settled(wb, view);
      await wb.keepForReadme(`data-run-retry${suffix}`);

      const failed = (await view.locator('.notes.errors li').allInnerTexts()).map((t) => Number(/^row (\d+):/.exec(t)?.[1]));
      // Meanwhile the person renames the two mailboxes in the file: the retry reads it again.
      const lines = readFileSync(csv, 'utf8').split('\n');
      for (const n of failed) lines[n] = lines[n]!.replace(/^staff(\d+),/, 'staff$1b,');
      writeFileSync(csv, lines.join('\n'));
      sb.clearLog();
      await wb.clickToastButton(`2 of ${ROWS} rows of data/new-mailboxes.csv failed`, 'Retry Failed Rows');
      await wb.quickInput.locator('.quick-input-title', { hasText: '(read again: 2 of 2 changed)' }).waitFor({ timeout: 20_000 });
      await wb.keepForReadme(`data-run-retry-plan${suffix}`);
      await wb.pick('uapi Email/add_pop for 2 rows of data/new-mailboxes.csv', 'Run');
      await confirm(wb, /Email\/add_pop changes something\. Send it for 2 rows/, 'Send for All Rows');
      const again = await wb.webview('.banner', new RegExp(`${ROWS} of ${ROWS} rows of data/new-mailboxes\\.csv succeeded`), 60_000);
      const sent = sb.requests('uapi_cpanel');
      assert.equal(sent.length, 2, 'only the two failed rows were sent again');
      assert.deepEqual(
        sent.map((r) => Number(/staff(\d+)/.exec(new URLSearchParams(r.body).get('email') ?? '')?.[1])).sort((a, b) => a - b),
        failed.sort((a, b) => a - b),
        'exactly the rows that failed',
      );
      assert.ok(sent.every((r) => r.status === 200));
      assert.ok(
        sent.every((r) => /^staff\d+b$/.test(new URLSearchParams(r.body).get('email') ?? '')),
        'with the values the file holds now',
      );
      assert.equal(await again.locator('.notes.errors li').count(), 0);
      await again.locator('#verdict', { hasText: `${ROWS} of ${ROWS} rows OK` }).waitFor();
      assert.match(await again.locator('#facts').innerText(), new RegExp(`^${ROWS} rows · ${ROWS} passed · \\d+ ms`));
      await wb.toast(`all ${ROWS} rows of data/new-mailboxes.csv succeeded`).waitFor({ timeout: 20_000 });
      await settled(wb, again);
      await wb.keepForReadme(`data-run-retried${suffix}`);
      // No row's password anywhere in the window.
      for (const text of await pageTexts(wb)) assert.ok(!text.includes('Mbox-Pass-'), 'no password from the CSV on the page');
      await wb.clearToasts();
      await wb.command('View: Close All Editors');
    });

    it("imports a curl line from cPanel's docs into the builder, the token left out", async () => {
      const curl = `curl -H'Authorization: cpanel cptest:${DOCS_TOKEN}' 'https://127.0.0.1:${sb.port('cpanel')}/execute/Email/list_pops?regex=info'`;
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: cs.url });
      // Copied while the workbench has the focus (a webview's frame holding it, the page may not write the clipboard).
      await wb.page.keyboard.press('F1');
      await wb.quickInput.locator('input.input').waitFor({ state: 'visible' });
      await wb.page.evaluate(async (text) => {
        await (
          globalThis as unknown as { navigator: { clipboard: { writeText(t: string): Promise<void> } } }
        ).navigator.clipboard.writeText(text);
      }, curl);
      await wb.page.keyboard.press('Escape');
      await wb.quickInput.waitFor({ state: 'hidden' });
      await wb.command('cPanel: Import Request…');
      const fromClip = wb.quickInput.locator('.quick-input-list .monaco-list-row', { hasText: 'From the Clipboard' }).first();
      await fromClip.waitFor({ timeout: 20_000 });
      assert.match(await fromClip.innerText(), /curl: uapi Email\/list_pops at 127\.0\.0\.1:\d+/, 'what the clipboard holds, not its text');
      await wb.pick('Import Request', 'From the Clipboard');
      await wb.quickInput.locator('.quick-input-title', { hasText: /^Import Request: uapi Email\/list_pops on / }).waitFor();
      await wb.screenshot('import-action');
      await wb.pick(/^Import Request: uapi Email\/list_pops on /, 'Open in Builder');
      const builder = wb.builderFrame();
      await builder.locator('#function').waitFor({ timeout: 30_000 });
      await poll(async () => (await builder.locator('#function').inputValue()) === 'Email/list_pops', 'the builder has the function');
      assert.equal(await builder.locator('#server').inputValue(), 'wave-cp', 'the server matched by host and port');
      assert.deepEqual(await builder.locator('.pname').evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value)), [
        'regex',
      ]);
      assert.equal(await builder.locator('[aria-label="regex value"]').inputValue(), 'info');
      const told = wb.toast(/Imported\. Left out the Authorization header/);
      await told.waitFor({ timeout: 20_000 });
      // sandbox-cpanel has its token stored: said, and no offer to store another.
      assert.match(
        await told.innerText(),
        /sandbox-cpanel already has its API token in VS Code's secret storage; calls use the stored one\./,
      );
      assert.equal(await told.getByRole('button', { name: /Store Credential/ }).count(), 0);
      await wb.keepForReadme(`import-curl-builder${suffix}`);
      for (const text of await pageTexts(wb)) assert.ok(!text.includes(DOCS_TOKEN), 'the token is nowhere on the page');
      await wb.clearToasts();
      await wb.command('View: Close All Editors');
    });

    it('lists the API tokens of a WHM server, marked: the one in use, one expiring soon, one expired', async () => {
      await wb.treeItem(/^sandbox-whm/).click();
      const tokens = wb.page.getByRole('treeitem', { name: 'API Tokens' }).first();
      await tokens.waitFor({ timeout: 20_000 });
      await tokens.click();
      // Which token the stored value is: WHM says so a moment later.
      await wb.treeItem(/^API token sandbox: used by this server/).waitFor({ timeout: 30_000 });
      await wb.treeItem(/^API token ci-deploy: create-acct, list-accts, expires in 5 days/).waitFor();
      await wb.treeItem(/^API token old-backup: all privileges, expired/).waitFor();
      await wb.treeItem(/^API token monitoring: list-accts, from 192\.0\.2\.10/).waitFor();
      if (dark) {
        // At a narrow side bar the lines are cut: the expiring token's details on hover.
        await wb.treeItem(/^API token ci-deploy/).hover();
        await wb.page.locator('.workbench-hover, .monaco-hover', { hasText: 'IP allow-list' }).first().waitFor({ timeout: 20_000 });
      } else {
        // Wide enough to read each token's whole line.
        await wb.setSideBarWidth(620);
      }
      await wb.keepForReadme(`tokens-node${suffix}`);
      await wb.page.mouse.move(900, 700);
      // Folded again, for the next picture.
      await wb.treeItem(/^sandbox-whm/).click();
    });

    it('turns a server that signs in with a password into one with a token: one question, then the password forgotten', async () => {
      await wb.treeItem(/^whm-password/).click({ button: 'right' });
      await wb.menuItem('Use a Token for This Server…');
      const question = wb.dialog();
      await question.locator('.dialog-message-text', { hasText: 'Use an API token for whm-password?' }).waitFor({ timeout: 20_000 });
      assert.match(await question.innerText(), /Create the WHM API token cpanel-api-explorer-\d{8}-\d{4}/);
      await wb.keepForReadme(`use-token${suffix}`);
      await question.getByRole('button', { name: 'Use a Token' }).click();
      await wb.clickToastButton(/whm-password now signs in with the API token cpanel-api-explorer-/, 'Forget Password');
      await wb.notification('The password of whm-password is no longer stored.');
      // The token was tested on the way: the server shows signed in, not "not signed in" until its next call.
      const row = wb.page.locator('.monaco-list-row', { hasText: 'whm-password' }).first();
      await poll(async () => / · signed in$/.test((await row.locator('.label-description').textContent()) ?? ''), 'whm-password signed in');
      // The setting says token, and the tree marks the new token as the one in use.
      const userSettings = join(cs.runDir, 'data', 'User', 'settings.json');
      await poll(() => {
        const servers = (JSON.parse(readFileSync(userSettings, 'utf8')) as { 'cpanel.servers': { id: string; auth: string }[] })[
          'cpanel.servers'
        ];
        return servers.find((s) => s.id === 'wave-pw')?.auth === 'token';
      }, 'whm-password signs in with a token in the settings');
      const created = sb.users.find((u) => u.user === 'root')!.apiTokens!.find((t) => t.name.startsWith('cpanel-api-explorer-'));
      assert.ok(created, 'the token was made on the server');
      assert.equal(sb.requests('/json-api/version').at(-1)?.headers.authorization, `whm root:${created.value}`, 'and tested with it');
      // whm-password is the last server: its API Tokens node is the last one.
      const pwTokens = wb.page.getByRole('treeitem', { name: 'API Tokens' }).last();
      await wb.treeItem(/^whm-password/).click();
      await pwTokens.waitFor();
      await pwTokens.click();
      await wb.treeItem(new RegExp(`^API token ${created.name}: used by this server`)).waitFor({ timeout: 20_000 });
      await wb.screenshot('use-token-done');
      for (const text of await pageTexts(wb)) assert.ok(!text.includes(created.value), 'the new token is nowhere on the page');
    });
  });
}

/**
 * Before a picture of a result: the data run's progress notification gone, and the view's icon font
 * loaded (a view just opened draws its text first).
 */
async function settled(wb: Workbench, view: Frame): Promise<void> {
  await wb.page
    .locator('.notifications-toasts .notification-toast', { hasText: / × \d+ rows/ })
    .first()
    .waitFor({ state: 'hidden', timeout: 20_000 });
  await poll(
    async () =>
      (await view.evaluate(`[...document.fonts].some((f) => f.family.replace(/"/g, '') === 'codicon' && f.status === 'loaded')`)) === true,
    'the result view has its icons',
  );
}

/** Clicks `button` in the modal question whose text matches `text`. */
async function confirm(wb: Workbench, text: RegExp, button: string): Promise<void> {
  const box = wb.page.locator('.monaco-dialog-box', { hasText: text });
  await box.waitFor({ timeout: 60_000 });
  await box.getByRole('button', { name: button }).click();
  await box.waitFor({ state: 'hidden' });
}

/**
 * Answers VS Code's own file dialog (code-server's): once it lists the folder it starts in, the path
 * typed whole; Enter once the dialog shows the file.
 */
async function typePath(wb: Workbench, title: RegExp, path: string): Promise<void> {
  await wb.quickInput.locator('.quick-input-title', { hasText: title }).waitFor({ timeout: 20_000 });
  const rows = wb.quickInput.locator('.quick-input-list .monaco-list-row');
  await rows.first().waitFor();
  const input = wb.quickInput.locator('input.input');
  const name = path.slice(path.lastIndexOf('/') + 1);
  await poll(async () => {
    if ((await input.inputValue()) !== path) await input.fill(path);
    return (await input.inputValue()) === path && (await rows.filter({ hasText: name }).first().isVisible());
  }, `the file dialog shows ${name}`);
  await input.press('Enter');
  await wb.quickInput.locator('.quick-input-title', { hasText: title }).waitFor({ state: 'hidden' });
}

/** Waits until `ok` holds, checking every 200 ms. */
async function poll(ok: () => boolean | Promise<boolean>, what: string, timeout = 20_000): Promise<void> {
  const until = Date.now() + timeout;
  while (!(await ok())) {
    if (Date.now() > until) assert.fail(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Everything the page and its webviews hold: their markup and the values in their fields. */
async function pageTexts(wb: Workbench): Promise<string[]> {
  const texts: string[] = [];
  for (const f of wb.page.frames() as Frame[]) {
    if (f.isDetached()) continue;
    try {
      texts.push(await f.content());
      texts.push(
        (await f.locator('input, textarea').evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value))).join('\n'),
      );
    } catch {
      /* a frame that went away meanwhile */
    }
  }
  return texts;
}
