import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, afterEach, before } from 'node:test';
import type { BrowserContext, Frame, FrameLocator, Locator, Page } from 'playwright-core';
import { Sandbox, type SandboxOptions } from '../../src/sandbox/server';
import { ARTIFACTS, launchBrowser, ROOT, startCodeServer, type RunningCodeServer } from '../vscode/codeServer';

/** Polls `condition` until it holds (a truthy value, which is returned) or `timeout` ms pass. */
export async function waitFor<T>(condition: () => T | Promise<T>, what: string, timeout = 20_000, interval = 50): Promise<NonNullable<T>> {
  const until = Date.now() + timeout;
  for (;;) {
    const v = await condition();
    if (v) return v as NonNullable<T>;
    if (Date.now() > until) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** The text of a JSON file the extension writes, once it is there whole (it parses). */
export function jsonFileWritten(path: string, timeout = 10_000): Promise<string> {
  return waitFor(
    () => {
      try {
        const text = readFileSync(path, 'utf8');
        JSON.parse(text);
        return text;
      } catch {
        return undefined;
      }
    },
    `${path} to be written`,
    timeout,
  );
}

export interface VsCodeOptions {
  /** Names the run's artifacts: screenshots after-<name>-…, <name>-code-server.log, workspace-<name>. */
  name: string;
  /** The folder VS Code opens (default .test-artifacts/workspace-<name>); emptied before each run. */
  workspace?: string;
  /** Folders to make and files to write in the workspace before VS Code opens it, by relative path. */
  folders?: string[];
  files?: Record<string, string>;
  /** User settings; a function of the sandbox when they name its ports or certificate. */
  settings?: Record<string, unknown> | ((sb: Sandbox) => Record<string, unknown> | Promise<Record<string, unknown>>);
  sandbox?: SandboxOptions;
  /** Leave workspace trust on (Restricted Mode for an unknown folder). */
  workspaceTrust?: boolean;
  /**
   * Open the cPanel view once the window is up (the default). Without it the window stays on the
   * Explorer and the extension is not activated yet, as a person who just installed it finds it.
   */
  openCpanelView?: boolean;
}

/** The sandbox's WHM as a configured server (root, API token, its certificate pinned). */
export function sandboxWhm(sb: Sandbox, id: string, more: Record<string, unknown> = {}): Record<string, unknown> {
  const tls = { mode: 'pinned', fingerprint256: sb.fingerprint256 };
  const server = { id, label: 'sandbox-whm', host: '127.0.0.1', service: 'whm', secure: true, port: sb.port('whm') };
  return { ...server, username: 'root', auth: 'token', twoFactor: 'none', tls, ...more };
}

/** What a suite drives: filled in by the before() hook that useVsCode registers. */
export interface VsCode {
  readonly sb: Sandbox;
  readonly cs: RunningCodeServer;
  readonly context: BrowserContext;
  readonly wb: Workbench;
  readonly workspace: string;
}

/**
 * The set-up every end-to-end suite shares, registered as its hooks: a sandbox, a fresh workspace,
 * code-server with the packaged extension and Chromium on the cPanel view (before); a screenshot of
 * how each test left the window (afterEach); everything closed (after). Call it in a describe().
 */
export function useVsCode(opts: VsCodeOptions): VsCode {
  const workspace = opts.workspace ?? join(ARTIFACTS, `workspace-${opts.name}`);
  const h: { -readonly [K in keyof VsCode]?: VsCode[K] } = { workspace };
  before(async () => {
    h.sb = await Sandbox.start(opts.sandbox);
    rmSync(workspace, { recursive: true, force: true });
    mkdirSync(workspace, { recursive: true });
    for (const path of opts.folders ?? []) mkdirSync(join(workspace, path), { recursive: true });
    for (const [path, text] of Object.entries(opts.files ?? {})) {
      mkdirSync(dirname(join(workspace, path)), { recursive: true });
      writeFileSync(join(workspace, path), text);
    }
    const settings = typeof opts.settings === 'function' ? await opts.settings(h.sb) : opts.settings;
    Object.assign(
      h,
      await openVsCode({ workspace, settings, name: opts.name, workspaceTrust: opts.workspaceTrust, openCpanelView: opts.openCpanelView }),
    );
  });
  afterEach(async (t) => h.wb?.afterTest(`${opts.name}-${t.name}`));
  after(async () => {
    await h.context?.close();
    await h.cs?.stop();
    await h.sb?.stop();
  });
  return h as VsCode;
}

/** A real VS Code with the built extension in headless Chromium, on the cPanel view. */
export async function openVsCode(opts: {
  workspace: string;
  settings?: Record<string, unknown>;
  name: string;
  workspaceTrust?: boolean;
  openCpanelView?: boolean;
}): Promise<{ cs: RunningCodeServer; context: BrowserContext; wb: Workbench }> {
  mkdirSync(opts.workspace, { recursive: true });
  const logFile = join(ARTIFACTS, `e2e-${opts.name}-code-server.log`);
  const { workspace, settings, workspaceTrust } = opts;
  const cs = await startCodeServer({ workspace, installExtension: true, settings, workspaceTrust, logFile });
  const { context, page } = await launchBrowser(cs.runDir);
  const wb = new Workbench(page);
  await page.goto(`${cs.url}/?folder=${encodeURIComponent(opts.workspace)}`);
  await page.locator('.activitybar').waitFor({ timeout: 60_000 });
  if (opts.openCpanelView !== false) await page.locator('.activitybar a.action-label[aria-label^="cPanel"]').click();
  return { cs, context, wb };
}

/**
 * Counts the closings of VS Code's quick input (one widget serves every quick pick, input box and the
 * palette): hidden, or fading out, at any moment of a batch of changes to it, so that a close followed
 * at once by the next step's show is counted too. Returns the count (0 before the widget exists).
 */
const QUICK_INPUT_CLOSINGS = `(() => {
  const g = globalThis;
  const w = document.querySelector('.quick-input-widget');
  if (!w) return 0;
  if (g.__e2eQuickInput !== w) {
    g.__e2eQuickInput = w;
    g.__e2eQuickInputClosings = 0;
    new MutationObserver((records) => {
      const before = { class: [], style: [] };
      for (const r of records) before[r.attributeName]?.push(r.oldValue ?? '');
      const classes = [...before.class.slice(1), w.className];
      const styles = [...before.style.slice(1), w.getAttribute('style') ?? ''];
      if (classes.some((c) => c.includes('quick-input-widget-closing')) || styles.some((s) => /display:\\s*none/.test(s))) g.__e2eQuickInputClosings++;
    }).observe(w, { attributes: true, attributeOldValue: true, attributeFilter: ['class', 'style'] });
  }
  return g.__e2eQuickInputClosings;
})()`;

/** Small verbs for driving VS Code's workbench as a person would. Selectors fit code-server 4.139.1. */
export class Workbench {
  private shot = 0;
  readonly shots = join(ARTIFACTS, 'screenshots');

  constructor(readonly page: Page) {
    mkdirSync(this.shots, { recursive: true });
  }

  async screenshot(name: string): Promise<string> {
    // A quick input fades in: the picture is taken once it is opaque, not through it (a closing one is let be).
    await this.page
      .waitForFunction(
        `(() => { const w = document.querySelector('.quick-input-widget:not(.quick-input-widget-closing)'); return !w || w.offsetParent === null || getComputedStyle(w).opacity === '1'; })()`,
        undefined,
        { timeout: 5_000 },
      )
      .catch(() => undefined);
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

  /**
   * The quick input while it takes input: shown and not fading out. A closing quick input keeps its
   * title on screen for its fade-out, but VS Code makes it inert: typing into it would be lost.
   */
  get liveQuickInput(): Locator {
    return this.page.locator('.quick-input-widget:not([inert]):not(.quick-input-widget-closing)');
  }

  /** The input of the live quick input whose title holds `title`, once it is there. */
  private async step(title: string | RegExp): Promise<Locator> {
    await this.liveQuickInput.locator('.quick-input-title', { hasText: title }).waitFor({ state: 'visible', timeout: 20_000 });
    return this.liveQuickInput.locator('input.input');
  }

  /** What the quick input shows now, to tell afterwards that it took an answer and moved on. */
  private async quickInputNow(): Promise<{ closings: number; title: string; value: string }> {
    const closings = (await this.page.evaluate(QUICK_INPUT_CLOSINGS)) as number;
    const title = (await this.liveQuickInput.locator('.quick-input-title').textContent({ timeout: 1000 })) ?? '';
    const value = await this.liveQuickInput.locator('input.input').inputValue({ timeout: 1000 });
    return { closings, title, value };
  }

  /** Waits until the quick input left the state `was`: closed (or closing), or showing another title or value. */
  private async movedOn(was: { closings: number; title: string; value: string }, what: string): Promise<void> {
    await waitFor(async () => {
      try {
        const now = await this.quickInputNow();
        return now.closings > was.closings || now.title !== was.title || now.value !== was.value;
      } catch {
        return true; // no live quick input (or the page reloaded): it moved on
      }
    }, `the quick input "${was.title}" to take ${what}`);
  }

  /** Waits for a quick input whose title holds `title`, types `text` and presses Enter; returns once it is taken. */
  async answer(title: string | RegExp, text: string): Promise<void> {
    const input = await this.step(title);
    await input.fill(text);
    const was = await this.quickInputNow();
    await input.press('Enter');
    await this.movedOn(was, `the answer ${JSON.stringify(text)}`);
  }

  /**
   * Picks the quick-pick row whose label is exactly `label` (filtering first by typing it). `beforeClick`
   * runs once the row is there, just before the click (the bench starts its timer there).
   */
  async pick(title: string | RegExp, label: string, beforeClick?: () => Promise<void>): Promise<void> {
    const input = await this.step(title);
    await input.fill(label);
    const row = this.liveQuickInput
      .locator('.quick-input-list .monaco-list-row', { has: this.page.locator('.label-name', { hasText: label }) })
      .first();
    await row.waitFor({ state: 'visible', timeout: 10_000 });
    const was = await this.quickInputNow();
    await beforeClick?.();
    await row.click();
    await this.movedOn(was, `the pick ${JSON.stringify(label)}`);
  }

  /**
   * Types `text` into the quick input that is open (the palette, Go to File) and takes the row whose
   * label is `label` once it is listed: clicked, as the first row is not always the one meant (the
   * palette ranks "View: Close All Editor Groups" above "View: Close Editor").
   */
  private async acceptRow(text: string, label: string, what: string): Promise<void> {
    const input = this.liveQuickInput.locator('input.input');
    await input.waitFor({ state: 'visible' });
    await input.fill(text);
    // The row is found by its label, not by where it stood: Go to File's list grows as its search
    // answers, so a row counted a moment ago may have moved by the time it is clicked.
    const exact = new RegExp(`^\\s*${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\.\\.\\.|…)?\\s*$`);
    const row = this.liveQuickInput
      .locator('.quick-input-list .monaco-list-row', { has: this.page.locator('.label-name', { hasText: exact }) })
      .first();
    await row.waitFor({ state: 'visible', timeout: 20_000 }).catch(() => {
      throw new Error(`timed out after 20000 ms waiting for ${what} to be listed`);
    });
    const was = await this.quickInputNow();
    await row.click();
    await this.movedOn(was, what);
  }

  async command(title: string): Promise<void> {
    await this.page.keyboard.press('F1');
    await this.acceptRow(`>${title}`, title, `the command "${title}"`);
  }

  /** Opens a workspace file by name through Go to File, as a person would. */
  async openFile(name: string): Promise<void> {
    await this.command('Go to File');
    await this.acceptRow(name, name, `the file ${name}`);
  }

  /** Waits until no quick input takes input any more (it closed, or is fading out). */
  async quickInputClosed(timeout = 10_000): Promise<void> {
    await this.liveQuickInput.waitFor({ state: 'hidden', timeout });
  }

  /** Set Credentials… with an API token (for `server` when there are several), then clears the confirmation. */
  async setToken(token: string, server?: string): Promise<void> {
    await this.command('cPanel: Set Credentials…');
    if (server) await this.pick('Server to set credentials for', server);
    await this.answer('API token', token);
    await this.toast("stored in VS Code's secret storage").waitFor({ timeout: 20_000 });
    await this.clearToasts();
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
      await this.page
        .locator('.notifications-center .notification-list-item', { hasText: text })
        .first()
        .waitFor({ state: 'visible', timeout });
      await this.page.keyboard.press('Escape');
    }
  }

  async clickToastButton(text: string | RegExp, button: string): Promise<void> {
    await this.toast(text).waitFor({ state: 'visible', timeout: 20_000 });
    await this.toast(text).getByRole('button', { name: button }).click();
  }

  /**
   * Clears the notifications and waits until no toast is on screen, so that a later toast() finds only
   * new ones. With each toast's own Clear button: the mouse, not the palette, whose keyboard focus a
   * result view that has just opened can take back a moment later.
   */
  async clearToasts(): Promise<void> {
    const toasts = this.page.locator('.notifications-toasts .notification-toast');
    // A progress toast (a call being sent) has no Clear button: it goes by itself once its call ends (and
    // VS Code has shown it for 800 ms), so it is waited for rather than clicked.
    await waitFor(
      async () => {
        if ((await toasts.count()) === 0) return true;
        const closable = toasts.filter({ has: this.page.locator('.codicon-notifications-clear') }).first();
        if (await closable.count()) {
          await closable.hover().catch(() => undefined);
          await closable
            .locator('.codicon-notifications-clear')
            .first()
            .click({ timeout: 2000 })
            .catch(() => undefined);
        }
        return undefined;
      },
      'the notification toasts to close',
      20_000,
      100,
    );
  }

  /**
   * Chooses a context-menu item with the keyboard: down to it, then Enter. VS Code takes a click on a
   * menu item only once the item has been shown for 100 ms (its guard against the mouse-up of the
   * right click that opened the menu), a delay nothing on screen shows; the keyboard has none.
   */
  async menuItem(name: string): Promise<void> {
    const menu = this.page.locator('.context-view:not([inert]) .monaco-menu');
    const item = menu.getByRole('menuitem', { name, exact: true });
    await item.waitFor();
    type El = { closest(s: string): { classList: { contains(c: string): boolean } } | null };
    const focused = (): Promise<boolean> => item.evaluate((e) => !!(e as El).closest('.action-item')?.classList.contains('focused'));
    for (let n = await menu.getByRole('menuitem').count(); n >= 0 && !(await focused()); n--) await this.page.keyboard.press('ArrowDown');
    if (!(await focused())) throw new Error(`the menu item ${name} could not be reached with the arrow keys`);
    await this.page.keyboard.press('Enter');
    await menu.waitFor({ state: 'hidden', timeout: 10_000 });
  }

  dialog(): Locator {
    return this.page.locator('.monaco-dialog-box');
  }

  /** Waits until the dialog is gone (its button was clicked and VS Code took the answer). */
  async dialogClosed(): Promise<void> {
    await this.dialog().waitFor({ state: 'hidden', timeout: 10_000 });
  }

  /**
   * The page of a visible webview that shows `marker` (and `text`, when given): the builder and
   * result views are all webviews, and VS Code's iframes do not say which is which.
   */
  async webview(marker: string, text?: string | RegExp, timeout = 20_000): Promise<Frame> {
    return waitFor(
      async () => {
        for (const f of this.page.frames()) {
          if (f.isDetached()) continue;
          const l = text === undefined ? f.locator(marker) : f.locator(marker, { hasText: text });
          if (
            await l
              .first()
              .isVisible()
              .catch(() => false)
          )
            return f;
        }
        return undefined;
      },
      `a visible webview that shows ${marker}${text ? ` with ${String(text)}` : ''}`,
      timeout,
      200,
    );
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

  /** Drags the sash between the side bar and the editors until the side bar is `width` pixels wide. */
  async setSideBarWidth(width: number): Promise<void> {
    const bar = await this.page.locator('.part.sidebar').boundingBox();
    if (!bar) throw new Error('the side bar is not shown');
    let sash: { x: number; y: number; width: number; height: number } | null = null;
    for (const s of await this.page.locator('.monaco-sash.vertical').all()) {
      const b = await s.boundingBox();
      if (b && Math.abs(b.x + b.width / 2 - (bar.x + bar.width)) < 6 && b.height > 300) sash = b;
    }
    if (!sash) throw new Error("no sash at the side bar's edge");
    const y = sash.y + sash.height / 2;
    await this.page.mouse.move(sash.x + sash.width / 2, y);
    await this.page.mouse.down();
    await this.page.mouse.move(bar.x + width, y, { steps: 8 });
    await this.page.mouse.up();
    await waitFor(
      async () => Math.abs(((await this.page.locator('.part.sidebar').boundingBox())?.width ?? 0) - width) < 8,
      `the side bar to be ${width} px wide`,
    );
    // The mouse off the sash, so that it is not drawn highlighted.
    await this.page.mouse.move(bar.x + width + 400, y + 200);
    await waitFor(
      async () =>
        (await this.page.evaluate(
          `[...document.querySelectorAll('.monaco-sash')].every((e) => !e.matches('.hover, .active') && ['rgba(0, 0, 0, 0)', 'transparent'].includes(getComputedStyle(e, '::before').backgroundColor))`,
        )) === true,
      'the sash to be drawn plain again',
    );
  }
}
