import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Frame, FrameLocator, Locator, Page } from 'playwright-core';
import { ARTIFACTS, launchBrowser, ROOT, startCodeServer, type RunningCodeServer } from '../vscode/codeServer';

/** A real VS Code with the built extension in headless Chromium, on the cPanel view. */
export async function openVsCode(opts: { workspace: string; settings?: Record<string, unknown>; name: string; workspaceTrust?: boolean }): Promise<{ cs: RunningCodeServer; context: BrowserContext; wb: Workbench }> {
  mkdirSync(opts.workspace, { recursive: true });
  const cs = await startCodeServer({ workspace: opts.workspace, installExtension: true, settings: opts.settings, workspaceTrust: opts.workspaceTrust, logFile: join(ARTIFACTS, `${opts.name}-code-server.log`) });
  const { context, page } = await launchBrowser(cs.runDir);
  const wb = new Workbench(page);
  await page.goto(`${cs.url}/?folder=${encodeURIComponent(opts.workspace)}`);
  await page.locator('.activitybar').waitFor({ timeout: 60_000 });
  await page.locator('.activitybar a.action-label[aria-label^="cPanel"]').click();
  return { cs, context, wb };
}

/** Small verbs for driving VS Code's workbench as a person would. Selectors fit code-server 4.139.1. */
export class Workbench {
  private shot = 0;
  readonly shots = join(ARTIFACTS, 'screenshots');

  constructor(readonly page: Page) {
    mkdirSync(this.shots, { recursive: true });
  }

  async screenshot(name: string): Promise<string> {
    const path = join(this.shots, `${String(++this.shot).padStart(2, '0')}-${name}.png`);
    await this.page.screenshot({ path });
    return path;
  }

  /** A screenshot that the README shows, kept in media/screenshots. */
  async keepForReadme(name: string): Promise<void> {
    const path = await this.screenshot(name);
    mkdirSync(join(ROOT, 'media', 'screenshots'), { recursive: true });
    copyFileSync(path, join(ROOT, 'media', 'screenshots', `${name}.png`));
  }

  /** For an afterEach hook: a picture of how each test left the window. */
  async afterTest(testName: string): Promise<void> {
    await this.screenshot(`after-${testName.replace(/[^a-z0-9]+/gi, '-').slice(0, 40)}`).catch(() => undefined);
  }

  get quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  /** Waits for a quick input whose title holds `title`, types `text` and presses Enter. */
  async answer(title: string | RegExp, text: string): Promise<void> {
    await this.quickInput.locator('.quick-input-title', { hasText: title }).waitFor({ state: 'visible', timeout: 20_000 });
    const input = this.quickInput.locator('input.input');
    await input.fill(text);
    await this.page.waitForTimeout(150);
    await input.press('Enter');
    await this.page.waitForTimeout(150);
  }

  /** Picks the quick-pick row whose label is exactly `label` (filtering first by typing it). */
  async pick(title: string | RegExp, label: string): Promise<void> {
    await this.quickInput.locator('.quick-input-title', { hasText: title }).waitFor({ state: 'visible', timeout: 20_000 });
    const input = this.quickInput.locator('input.input');
    await input.fill(label);
    const row = this.quickInput.locator('.quick-input-list .monaco-list-row', { has: this.page.locator('.label-name', { hasText: label }) }).first();
    await row.waitFor({ state: 'visible', timeout: 10_000 });
    await row.click();
    await this.page.waitForTimeout(150);
  }

  async command(title: string): Promise<void> {
    await this.page.keyboard.press('F1');
    const input = this.quickInput.locator('input.input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${title}`);
    await this.quickInput.locator('.quick-input-list .monaco-list-row').first().waitFor({ state: 'visible' });
    await this.page.waitForTimeout(200);
    await input.press('Enter');
  }

  treeItem(name: string | RegExp): Locator {
    return this.page.getByRole('treeitem', { name }).first();
  }

  /** A notification toast holding `text`. */
  toast(text: string | RegExp): Locator {
    return this.page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
  }

  /**
   * Waits for a notification, as a toast or, when VS Code did not show it as one (toasts are hidden
   * and replaced at its discretion), in the notification centre, as a person would look for it.
   */
  async notification(text: string | RegExp, timeout = 20_000): Promise<void> {
    try {
      await this.toast(text).waitFor({ state: 'visible', timeout: Math.min(timeout, 8_000) });
    } catch {
      await this.command('Notifications: Show Notifications');
      await this.page.locator('.notifications-center .notification-list-item', { hasText: text }).first().waitFor({ state: 'visible', timeout });
      await this.page.keyboard.press('Escape');
    }
  }

  async clickToastButton(text: string | RegExp, button: string): Promise<void> {
    await this.toast(text).waitFor({ state: 'visible', timeout: 20_000 });
    await this.toast(text).getByRole('button', { name: button }).click();
  }

  async clearToasts(): Promise<void> {
    await this.command('Notifications: Clear All Notifications');
    await this.page.waitForTimeout(200);
  }

  /** Clicks a context-menu item once the menu has settled, as a person would. */
  async menuItem(name: string): Promise<void> {
    const item = this.page.getByRole('menuitem', { name, exact: true });
    await item.waitFor();
    await this.page.waitForTimeout(300);
    await item.click();
  }

  dialog(): Locator {
    return this.page.locator('.monaco-dialog-box');
  }

  /**
   * The page of a visible webview that shows `marker` (and `text`, when given): the builder and
   * result views are all webviews, and VS Code's iframes do not say which is which.
   */
  async webview(marker: string, text?: string | RegExp, timeout = 20_000): Promise<Frame> {
    const until = Date.now() + timeout;
    for (;;) {
      for (const f of this.page.frames()) {
        if (f.isDetached()) continue;
        const l = text === undefined ? f.locator(marker) : f.locator(marker, { hasText: text });
        if (await l.first().isVisible().catch(() => false)) return f;
      }
      if (Date.now() > until) throw new Error(`no visible webview shows ${marker}${text ? ` with ${String(text)}` : ''}`);
      await this.page.waitForTimeout(200);
    }
  }

  /** The result view in front: the one whose verdict banner is visible (and whose title holds `title`). */
  async resultView(what?: string | RegExp): Promise<Frame> {
    return this.webview(what === undefined ? '#verdict' : '.banner', what);
  }

  /** The request builder's page, looked up again on each use (its iframe is re-created when it is hidden and shown). */
  builderFrame(): FrameLocator {
    return this.page.frameLocator('iframe.webview.ready').first().frameLocator('iframe#active-frame');
  }

  tab(title: string | RegExp): Locator {
    return this.page.locator('.tabs-container .tab', { hasText: title }).first();
  }
}
