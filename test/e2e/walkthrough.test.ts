import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SANDBOX_CREDENTIALS as CREDS } from '../../src/sandbox/accounts';
import { useVsCode, waitFor, type Workbench } from './driver';

const LABEL = 'walkthrough-whm';

/**
 * A new user's first minutes, with the keyboard only: the extension not yet active, the walkthrough
 * opened from the palette, its Add Server button pressed with Enter, and every step of the wizard typed.
 * VS Code's walkthrough re-selects its step when the key that pressed the button is released on it and
 * focuses it 250 ms later: the label is typed slowly enough to span that moment, and must arrive whole.
 * Once in the light theme, once in the dark one with a 250 px side bar.
 */
for (const dark of [false, true]) {
  const suffix = dark ? '-dark' : '';
  describe(`the walkthrough's Add Server, by keyboard${dark ? ', dark at a 250 px side bar' : ''}`, () => {
    const vs = useVsCode({
      name: `walkthrough${suffix}`,
      openCpanelView: false,
      settings: dark ? { 'workbench.colorTheme': 'Default Dark Modern' } : {},
    });

    it('types every step of Add Server after pressing the walkthrough button, and nothing typed is lost', async () => {
      const wb = vs.wb;
      // The window as it opens: the Explorer on the workspace, the cPanel view never opened.
      await wb.page.locator('.sidebar .pane-header', { hasText: 'workspace-walkthrough' }).first().waitFor({ timeout: 30_000 });
      if (dark) {
        await wb.page.locator('.monaco-workbench.vs-dark').waitFor({ timeout: 20_000 });
        await wb.setSideBarWidth(250);
      }
      await wb.page.keyboard.press('F1');
      // F1 opens the palette with its ">" typed.
      await typeInto(wb, 'Welcome: Open Walkthrough', 'Welcome: Open Walkthrough...');
      await typeInto(wb, 'cPanel API Explorer', 'Get started with cPanel API Explorer');
      // The walkthrough opens on its first step, and gives it the focus.
      await focusedText(wb, (t) => t.startsWith('Add a server'), 'the Add a server step to have the focus');
      for (let i = 0; i < 6 && !(await focusedText(wb, (t) => t === 'Add Server', '', 0).catch(() => false)); i++)
        await wb.page.keyboard.press('Tab');
      await focusedText(wb, (t) => t === 'Add Server', 'the Add Server button to have the focus', 0);
      await wb.page.keyboard.press('Enter');

      await title(wb, 'Add Server (1/11): Label');
      // Slower than a person types: the keys span the moment the walkthrough would take the focus back.
      await wb.page.keyboard.type(LABEL, { delay: 60 });
      assert.equal(await wb.liveQuickInput.locator('input.input').inputValue(), LABEL, 'every key reached the wizard');
      assert.equal(await wb.page.evaluate(`!!document.activeElement?.closest('.quick-input-widget')`), true, 'the focus is in the wizard');
      await wb.keepForReadme(`walkthrough-add-server${suffix}`);
      await wb.page.keyboard.press('Enter');

      await step(wb, 'Add Server (2/11): Host', '127.0.0.1');
      await step(wb, 'Add Server (3/11): Service', 'WHM');
      await step(wb, 'Add Server (4/11): Connection', 'HTTPS');
      await step(wb, 'Add Server (5/11): Port', String(vs.sb.port('whm')));
      await step(wb, 'Add Server (6/11): Username', 'root');
      await step(wb, 'Add Server (7/11): Authentication', 'API token');
      await step(wb, 'Add Server (8/11): Two-factor authentication', 'No two-factor');
      // No second factor: the groups and one secret left, and the count says so.
      // The Groups step says it is optional and how to type them: looked at in both themes at this width.
      await title(wb, 'Add Server (9/10): Groups');
      await wb.screenshot(`walkthrough-groups${suffix}`);
      await step(wb, 'Add Server (9/10): Groups', 'sandbox');
      await step(wb, 'Add Server (10/10): API token', CREDS.root.whmToken);
      await wb.toast(`Added ${LABEL}`).waitFor({ timeout: 20_000 });
      // The button opened the cPanel view first: the new server is there, and the step is ticked.
      await wb.treeItem(new RegExp(`^${LABEL}`)).waitFor({ timeout: 20_000 });
      await wb.page.locator('.getting-started-step[aria-checked="true"]', { hasText: 'Add a server' }).first().waitFor({ timeout: 20_000 });
      // The Snippets view is showing too, but no snippet was saved: that step is not ticked.
      assert.equal(
        await wb.page.locator('.getting-started-step', { hasText: 'Save a call as a snippet' }).first().getAttribute('aria-checked'),
        'false',
      );
      await wb.screenshot(`walkthrough-added${suffix}`);
    });
  });
}

/** Types `text` into the open quick input and presses Enter once the row `row` is the one Enter takes. */
async function typeInto(wb: Workbench, text: string, row: string): Promise<void> {
  const input = wb.liveQuickInput.locator('input.input');
  await input.waitFor({ state: 'visible' });
  await wb.page.keyboard.type(text);
  await wb.liveQuickInput.locator('.quick-input-list .monaco-list-row.focused .label-name', { hasText: row }).first().waitFor();
  await wb.page.keyboard.press('Enter');
}

/** Waits for the live quick input titled exactly `text`. */
async function title(wb: Workbench, text: string): Promise<void> {
  await waitFor(async () => {
    const t = await wb.liveQuickInput
      .locator('.quick-input-title')
      .textContent({ timeout: 500 })
      .catch(() => null);
    return t?.trim() === text;
  }, `the step "${text}"`);
}

/** A step of the wizard by keyboard: its title shown, its text replaced by `text` (a pick filtered by it), Enter. */
async function step(wb: Workbench, name: string, text: string): Promise<void> {
  await title(wb, name);
  await wb.page.keyboard.press('Control+A');
  await wb.page.keyboard.type(text);
  assert.equal(await wb.liveQuickInput.locator('input.input').inputValue(), text, `${name}: what was typed`);
  await wb.page.keyboard.press('Enter');
}

/** The text of the focused element in the walkthrough, once `ok` holds for it (or at once with timeout 0). */
async function focusedText(wb: Workbench, ok: (text: string) => boolean, what: string, timeout = 20_000): Promise<string> {
  const read = async (): Promise<string | undefined> => {
    const t = (await wb.page.evaluate(
      `(() => { const a = document.activeElement; return a && a.closest('.gettingStartedContainer') ? (a.textContent || '').trim() : undefined; })()`,
    )) as string | undefined;
    return t !== undefined && ok(t) ? t : undefined;
  };
  if (timeout === 0) {
    const t = await read();
    if (t === undefined) throw new Error(`not so now: ${what}`);
    return t;
  }
  return waitFor(read, what, timeout);
}
