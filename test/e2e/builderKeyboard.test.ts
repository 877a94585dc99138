import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import type { BrowserContext, FrameLocator } from 'playwright-core';
import { SANDBOX_CREDENTIALS as CREDS } from '../../src/sandbox/accounts';
import { Sandbox } from '../../src/sandbox/server';
import { ARTIFACTS, type RunningCodeServer } from '../vscode/codeServer';
import { openVsCode, waitFor, type Workbench } from './driver';

/**
 * The request builder from the keyboard alone, as a new user walks it: choose a server and a function,
 * type into a required field (its message goes at once, the caret stays), browse the optional
 * parameters without adding any, add one with Enter, send with Ctrl+Enter, and cancel a slow send.
 */
describe('request builder by keyboard', () => {
  let sb: Sandbox;
  let cs: RunningCodeServer;
  let context: BrowserContext;
  let wb: Workbench;
  let builder: FrameLocator;

  before(async () => {
    sb = await Sandbox.start({ rejectReusedLoginCodes: false });
    const tls = { mode: 'pinned', fingerprint256: sb.fingerprint256 };
    const base = { host: '127.0.0.1', secure: true, twoFactor: 'none', auth: 'token', tls };
    const settings = {
      'cpanel.servers': [
        { ...base, id: 'kb-whm', label: 'sandbox-whm', service: 'whm', port: sb.port('whm'), username: 'root' },
        { ...base, id: 'kb-cp', label: 'sandbox-cpanel', service: 'cpanel', port: sb.port('cpanel'), username: 'cptest' },
      ],
    };
    ({ cs, context, wb } = await openVsCode({
      workspace: join(ARTIFACTS, 'workspace-builder-keyboard'),
      settings,
      name: 'e2e-builder-keyboard',
    }));
    builder = wb.builderFrame();
    await wb.command('cPanel: Set Credentials…');
    await wb.pick('Server to set credentials for', 'sandbox-cpanel');
    await wb.answer('API token', CREDS.cptest.cpanelToken);
    await wb.toast("stored in VS Code's secret storage").waitFor();
    await wb.clearToasts();
  });

  afterEach(async (t) => wb?.afterTest(`builder-keyboard-${t.name}`));

  after(async () => {
    await context?.close();
    await cs?.stop();
    await sb?.stop();
  });

  /** What has the focus in the builder: its id, or its aria-label. */
  const focused = async (): Promise<string> => {
    const el = builder.locator(':focus');
    if (!(await el.count())) return '';
    return (await el.getAttribute('id')) || (await el.getAttribute('aria-label')) || (await el.evaluate((e) => e.tagName));
  };

  /** Tab (at most `max` times) until the focus is on `what`, as a keyboard user moves through the form. */
  const tabTo = async (what: string, max = 25): Promise<void> => {
    const seen: string[] = [];
    for (let i = 0; i < max; i++) {
      const now = await focused();
      if (now === what) return;
      seen.push(now);
      await wb.page.keyboard.press('Tab');
    }
    assert.fail(`Tab never reached ${what}: ${seen.join(' → ')}`);
  };

  /** Where the caret is in a field (the tests compile without the DOM's types: the field as its two numbers). */
  type Caret = { selectionStart: number | null; selectionEnd: number | null };
  const caret = (label: string): Promise<[number | null, number | null]> =>
    builder
      .locator(`[aria-label="${label}"]`)
      .evaluate((e) => [(e as unknown as Caret).selectionStart, (e as unknown as Caret).selectionEnd]);

  it("chooses a server and a function, and a required field's message goes the moment it is filled", async () => {
    await wb.command('cPanel: Open Request Builder');
    await builder.locator('#server').waitFor({ timeout: 30_000 });
    await builder.locator('#server').focus();
    assert.equal(await focused(), 'server');
    await wb.page.keyboard.press('ArrowDown');
    await builder.locator('#family').locator('option', { hasText: 'UAPI' }).first().waitFor({ state: 'attached' });
    assert.equal(await builder.locator('#server').inputValue(), 'kb-cp', 'the arrow chose the next server');
    await tabTo('function');
    await wb.page.keyboard.type('add_pop');
    await wb.page.keyboard.press('Tab');
    await builder.locator('.fninfo', { hasText: 'UAPI' }).waitFor();
    assert.equal(await builder.locator('#function').inputValue(), 'Email/add_pop');
    const names = await builder.locator('.pname').evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value));
    assert.deepEqual(names, ['email', 'password'], 'its required parameters');
    // Nothing is red before it is touched.
    assert.equal(await builder.locator('.param.invalid').count(), 0);
    assert.equal(await builder.locator('.rowerror:visible').count(), 0);
    await wb.screenshot('keyboard-fresh-add-pop');

    await tabTo('email value');
    await wb.page.keyboard.type('x');
    await wb.page.keyboard.press('Backspace');
    const emailRow = builder.locator('.param', { has: builder.locator('[aria-label="email value"]') });
    await emailRow.locator('.rowerror', { hasText: 'email is required.' }).waitFor();
    assert.match((await emailRow.getAttribute('class')) ?? '', /\binvalid\b/);
    assert.equal(await builder.locator('.param.invalid').count(), 1, 'only the row that was touched');
    await wb.screenshot('keyboard-email-required');
    await wb.page.keyboard.type('info');
    // At once: no waiting for a redraw.
    assert.equal(await emailRow.locator('.rowerror').isVisible(), false, 'the message went as the field was filled');
    assert.doesNotMatch((await emailRow.getAttribute('class')) ?? '', /\binvalid\b/);
    assert.equal(await focused(), 'email value', 'the focus stayed in the field');
    assert.deepEqual(await caret('email value'), [4, 4], 'and the caret where the typing left it');
    await wb.page.keyboard.press('ArrowLeft');
    await wb.page.keyboard.press('ArrowLeft');
    await wb.page.keyboard.type('-');
    assert.equal(await builder.locator('[aria-label="email value"]').inputValue(), 'in-fo');
    assert.deepEqual(await caret('email value'), [3, 3], 'typing mid-word keeps the caret mid-word');
    await wb.page.keyboard.press('Backspace');

    await tabTo('password value');
    await wb.page.keyboard.type('Kb-Secret-123');
    assert.match(await builder.locator('.fninfo').innerText(), /POST \(carries a secret\)/);
    assert.ok(await builder.locator('#send:not([disabled])').isVisible(), 'Send is on once the required fields are filled');
  });

  it('arrows through Add optional parameter without adding, adds one with Enter, and lands in its value', async () => {
    const rows = await builder.locator('.param').count();
    await tabTo('addOptional');
    const start = await builder.locator('#addOptional').inputValue();
    for (let i = 0; i < 3; i++) await wb.page.keyboard.press('ArrowDown');
    // The arrows were taken (the choice moved): only then does "nothing was added" mean something.
    await waitFor(async () => (await builder.locator('#addOptional').inputValue()) !== start || undefined, 'the list took the arrow keys');
    assert.equal(await builder.locator('.param').count(), rows, 'browsing adds nothing');
    assert.equal(await focused(), 'addOptional', 'and the focus stays on the list');
    const chosen = await builder.locator('#addOptional').inputValue();
    assert.notEqual(chosen, '');
    await wb.page.keyboard.press('ArrowUp');
    await wb.page.keyboard.press('ArrowUp');
    const name = await builder.locator('#addOptional').inputValue();
    await wb.page.keyboard.press('Enter');
    await builder.locator('.param').nth(rows).waitFor();
    assert.equal(await builder.locator('.param').count(), rows + 1, 'Enter added one');
    assert.equal(await builder.locator('.pname').nth(rows).inputValue(), name);
    assert.equal(await focused(), `${name} value`, 'the focus is in the new value');
    assert.equal(await builder.locator(`#addOptional option[value="${name}"]`).count(), 0, 'and it is no longer on offer');
    await wb.screenshot('keyboard-optional-added');
    // Back as it was: a boolean or an odd value must not fail the send below.
    await tabTo(`Remove ${name}`);
    await wb.page.keyboard.press('Enter');
    assert.equal(await builder.locator('.param').count(), rows);
    assert.notEqual(await focused(), '', 'the focus is still in the form, not dropped to the page');
  });

  it('sends with Ctrl+Enter; during a slow send Copy and Save are off, a second Ctrl+Enter starts nothing, Escape cancels', async () => {
    sb.inject({ fault: { kind: 'slow-headers', ms: 8000 }, count: 5 });
    const before = sb.requests('add_pop').length;
    await builder.locator('[aria-label="email value"]').focus();
    await wb.page.keyboard.press('Control+Enter');
    await builder.locator('#send', { hasText: 'Sending…' }).waitFor({ timeout: 10_000 });
    await waitFor(() => sb.requests('add_pop').length > before || undefined, 'the send reached the sandbox', 5000);
    assert.equal(sb.requests('add_pop').length, before + 1);
    assert.ok(await builder.locator('#send').isDisabled());
    assert.ok(await builder.locator('#save').isDisabled(), 'Save is off during the send');
    assert.ok(await builder.locator('button[data-lang="curl"]').isDisabled(), 'Copy as is off during the send');
    assert.ok(await builder.locator('#cancel').isVisible(), 'and Cancel is there');
    await wb.screenshot('keyboard-sending');
    await wb.page.keyboard.press('Control+Enter');
    // Escape goes after the second Ctrl+Enter through the same channel: when the cancel has landed, a
    // second send would have been asked for already; the count after it is the check.
    const started = Date.now();
    await wb.page.keyboard.press('Escape');
    await builder.locator('#status', { hasText: 'Cancelled' }).waitFor({ timeout: 5000 });
    assert.equal(sb.requests('add_pop').length, before + 1, 'a second Ctrl+Enter does not start a second send');
    assert.ok(Date.now() - started < 5000, 'it did not wait for the answer');
    await builder.locator('#send:not([disabled])', { hasText: 'Send' }).waitFor();
    assert.equal(await builder.locator('#cancel').isVisible(), false);
    assert.ok(await builder.locator('#save:not([disabled])').isVisible(), 'Save is back');
    sb.clearFaults();
    await wb.page.locator('.tabs-container .tab', { hasText: 'Request Builder' }).click();
    await wb.screenshot('keyboard-cancelled');
  });

  it('reads in a dark theme at a narrow width', async () => {
    // As a person would: the theme picker (the user settings file here lives in the browser's storage).
    await wb.page.keyboard.press('F1');
    const input = wb.quickInput.locator('input.input');
    await input.waitFor({ state: 'visible' });
    await input.fill('>Preferences: Color Theme');
    const command = wb.quickInput
      .locator('.quick-input-list .monaco-list-row', { has: wb.page.locator('.label-name', { hasText: /^Preferences: Color Theme$/ }) })
      .first();
    await command.waitFor({ state: 'visible', timeout: 10_000 });
    await command.click();
    await wb.quickInput
      .locator('.quick-input-list .monaco-list-row', { has: wb.page.locator('.label-name', { hasText: /Dark Modern/ }) })
      .first()
      .waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill('Dark Modern');
    const row = wb.quickInput
      .locator('.quick-input-list .monaco-list-row', { has: wb.page.locator('.label-name', { hasText: /^Dark Modern$/ }) })
      .first();
    await row.waitFor({ state: 'visible', timeout: 10_000 });
    await row.click();
    // The picker previews a theme as it is highlighted: the dark one counts once the picker has closed on it.
    await wb.quickInputClosed();
    await wb.page.locator('.monaco-workbench.vs-dark').waitFor({ timeout: 20_000 });
    await wb.page.setViewportSize({ width: 760, height: 900 });
    // The builder has laid itself out for the narrow width when its page reports it.
    await waitFor(
      async () => (await builder.locator('body').evaluate((b) => (b as unknown as { clientWidth: number }).clientWidth)) < 600 || undefined,
      'the builder is narrow',
    );
    await builder.locator('[aria-label="password value"]').focus();
    await wb.page.keyboard.press('Control+a');
    await wb.page.keyboard.press('Backspace');
    await builder.locator('.rowerror', { hasText: 'password is required.' }).waitFor();
    await wb.screenshot('keyboard-dark-narrow');
    // Output shaping at this width is one column, and Reverse is one line (its box beside its words) right under Sort method.
    const shaping = builder.locator('details > summary', { hasText: 'Output shaping' });
    await shaping.click();
    await builder.locator('#sh-rev').waitFor({ state: 'visible' });
    const [box, line, method] = await Promise.all(
      ['#sh-rev', '#sh-rev-row', '#sh-sortMethod'].map((sel) => builder.locator(sel).boundingBox()),
    );
    assert.ok(box && line && method);
    assert.ok(Math.abs(box.y + box.height / 2 - (line.y + line.height / 2)) < 4, 'the box sits on the line of its words');
    assert.ok(line.width > box.width + 40, 'its words are beside the box');
    assert.ok(line.y - (method.y + method.height) < 20, `right under Sort method (${Math.round(line.y - method.y - method.height)} px)`);
    await wb.clearToasts();
    await builder.locator('#sh-rev-row').scrollIntoViewIfNeeded();
    await wb.screenshot('keyboard-dark-narrow-shaping');
    await shaping.click();
    await builder.locator('#sh-rev').waitFor({ state: 'hidden' });
  });

  it('a sent call says where its time went: the banner’s phases, in the dark theme', async () => {
    // Back to the full window: headless Chromium paints a window shrunk by setViewportSize in the light
    // theme's colours although the page's styles are the dark theme's (seen in the screenshots).
    await wb.page.setViewportSize({ width: 1400, height: 900 });
    await builder.locator('[aria-label="password value"]').fill('Dark-Narrow-Pass-1');
    await wb.page.keyboard.press('Control+Enter');
    // This send's result (HTTP 200), not the cancelled one the test before left open.
    const view = await wb.resultView(/add_pop[\s\S]*HTTP 200/);
    const timing = view.locator('#timing');
    await timing.waitFor();
    assert.match(
      await timing.innerText(),
      /^(New|Reused) connection: (.+ · )?send [\d.]+ ms · wait [\d.]+ ms · download [\d.]+ ms$/,
      'the phases as text',
    );
    assert.ok((await view.locator('#timing .phase-bar .phase').count()) >= 3, 'and as a bar');
    await wb.keepForReadme('result-timing-dark');
  });
});
