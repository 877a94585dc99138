import * as vscode from 'vscode';
import { Disposable } from '../lifecycle';
import type { Log } from '../log';
import { makeNonce, webviewHtml } from './webviewHtml';

/** Which page a host shows: its script (dist/webview), its style sheet (media) and its title. */
export interface WebviewPage {
  script: string;
  style: string;
  title: string;
}

export interface WebviewHostInit<In> {
  extensionUri: vscode.Uri;
  page: WebviewPage;
  /** Turns what the page posted into a typed message, or undefined for anything malformed. */
  parse: (raw: unknown) => In | undefined;
  log: Log;
  /** The log's `[component]`. */
  component: string;
}

/**
 * The host side of one webview panel: its options, its page (a fresh nonce'd CSP each time), its
 * listeners (disposed with it), every inbound message validated before it is handled (a malformed one
 * is logged and dropped), and typed messages to the page. A builder or a result view extends it with
 * what its messages do.
 */
export abstract class WebviewHost<In, Out> extends Disposable {
  private readonly _onDidDispose = this._register(new vscode.EventEmitter<void>());
  /** The panel closed (or the host was disposed). */
  readonly onDidDispose = this._onDidDispose.event;

  /** What every page of this extension may load: its own scripts, styles and codicons, nothing else. */
  static panelOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
    return {
      enableScripts: true,
      enableCommandUris: false,
      localResourceRoots: ['dist/webview', 'dist/codicons', 'media'].map((p) => vscode.Uri.joinPath(extensionUri, ...p.split('/'))),
    };
  }

  /** A new panel with those options. */
  static createPanel(
    viewType: string,
    title: string,
    show: vscode.ViewColumn | { viewColumn: vscode.ViewColumn; preserveFocus?: boolean },
    extensionUri: vscode.Uri,
    panelOptions: vscode.WebviewPanelOptions = {},
  ): vscode.WebviewPanel {
    return vscode.window.createWebviewPanel(viewType, title, show, { ...panelOptions, ...WebviewHost.panelOptions(extensionUri) });
  }

  protected constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly init: WebviewHostInit<In>,
  ) {
    super();
    const w = panel.webview;
    const uri = (...p: string[]): string => w.asWebviewUri(vscode.Uri.joinPath(init.extensionUri, ...p)).toString();
    // A revived panel comes with the options it was saved with: set ours again before the page loads.
    w.options = WebviewHost.panelOptions(init.extensionUri);
    panel.iconPath = vscode.Uri.joinPath(init.extensionUri, 'media', 'cpanel.svg');
    w.html = webviewHtml({
      cspSource: w.cspSource,
      nonce: makeNonce(),
      scriptUri: uri('dist', 'webview', init.page.script),
      styleUri: uri('media', init.page.style),
      codiconUri: uri('dist', 'codicons', 'codicon.css'),
      title: init.page.title,
    });
    this._register(panel.onDidDispose(() => this.dispose()));
    this._register(w.onDidReceiveMessage((raw: unknown) => void this.receive(raw)));
  }

  /** A message to the page (nothing once the panel is gone). */
  post(msg: Out): void {
    if (!this.isDisposed) void this.panel.webview.postMessage(msg);
  }

  /** A message from the page: validated, then handled; anything malformed is logged and dropped. */
  async receive(raw: unknown): Promise<void> {
    const msg = this.init.parse(raw);
    if (msg === undefined) {
      this.init.log.write('warn', this.init.component, 'ignored a malformed message from the webview');
      return;
    }
    try {
      await this.handle(msg);
    } catch (e) {
      const text = e instanceof Error ? e.message : String(e);
      this.init.log.write('error', this.init.component, text);
      this.failed(msg, text);
    }
  }

  protected abstract handle(msg: In): Promise<void>;

  /** Tells the page that handling `msg` failed with `message` (what a person can act on). */
  protected abstract failed(msg: In, message: string): void;

  override dispose(): void {
    if (this.isDisposed) return;
    this._onDidDispose.fire();
    super.dispose();
    this.panel.dispose();
  }
}
