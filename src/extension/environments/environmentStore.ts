import * as vscode from 'vscode';
import { ENVIRONMENTS_FILE, parseEnvironments, RunVariables, type Environment } from '../../core/environments';
import { EnvReader } from '../../core/snippetSandbox';
import { Commands } from '../constants';
import { Disposable } from '../lifecycle';
import type { Log } from '../log';
import { Settings } from '../settings';

const ACTIVE_KEY = 'cpanel.environment.active';
const SECRET_PREFIX = 'cpanel.envsecret.';

/**
 * The workspace's environments (.vscode/cpanel/environments.json in the first folder that has one),
 * the active one (remembered per workspace, shown in the status bar), their secret variables (in
 * SecretStorage, keyed by environment and variable) and the values snippets captured in this window.
 */
export class EnvironmentStore extends Disposable {
  private list: Environment[] = [];
  private fileUri: vscode.Uri | undefined;
  private problems: string[] = [];
  /** Values captured by snippets sent in this window, for the snippets sent after them. */
  private readonly captured = new Map<string, { value: string; by: string }>();
  private readonly _onDidChange = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this._onDidChange.event;
  private readonly status = this._register(vscode.window.createStatusBarItem('cpanel.environment', vscode.StatusBarAlignment.Left, 50));
  readonly ready: Promise<void>;

  constructor(
    private readonly state: vscode.Memento,
    private readonly secrets: vscode.SecretStorage,
    private readonly log: Log,
  ) {
    super();
    this.status.name = 'cPanel Environment';
    this.status.command = Commands.environmentSelect;
    const watcher = this._register(vscode.workspace.createFileSystemWatcher(`**/${ENVIRONMENTS_FILE}`));
    const reload = (): void => void this.load();
    this._registerAll(
      watcher.onDidCreate(reload),
      watcher.onDidChange(reload),
      watcher.onDidDelete(reload),
      vscode.workspace.onDidChangeWorkspaceFolders(reload),
    );
    this._register(vscode.workspace.onDidSaveTextDocument((d) => d.uri.path.endsWith(`/${ENVIRONMENTS_FILE}`) && reload()));
    this.ready = this.load();
  }

  environments(): readonly Environment[] {
    return this.list;
  }

  get file(): vscode.Uri | undefined {
    return this.fileUri;
  }

  get fileProblems(): readonly string[] {
    return this.problems;
  }

  get active(): Environment | undefined {
    const name = this.state.get<string>(ACTIVE_KEY);
    return this.list.find((e) => e.name === name);
  }

  async setActive(name: string | undefined): Promise<void> {
    await this.state.update(ACTIVE_KEY, name);
    // Values captured under one environment mean nothing under another.
    this.captured.clear();
    this.render();
    this._onDidChange.fire();
  }

  /** The variables a send sees now: the active environment (its secrets read first) and what was captured so far. */
  async variables(fresh = false): Promise<RunVariables> {
    await this.ready;
    const env = this.active;
    const secretValues = new Map<string, string>();
    if (env) {
      for (const [name, v] of Object.entries(env.variables)) {
        if (typeof v === 'string') continue;
        const value = await this.secrets.get(secretKey(env.name, name));
        if (value !== undefined) secretValues.set(name, value);
      }
    }
    // "${env:NAME}" in the environments file is the repository's too: only names the user allowed are read.
    const reader = new EnvReader((n) => process.env[n], { allowed: Settings.allowedEnv(), from: 'vscode' });
    const vars = new RunVariables(env, reader.get, (_e, name) => secretValues.get(name));
    if (!fresh) for (const [k, c] of this.captured) vars.capture({ [k]: c.value }, c.by);
    return vars;
  }

  /** Keeps what a send captured for the sends after it. */
  remember(values: Record<string, string>, by: string): void {
    for (const [k, v] of Object.entries(values)) this.captured.set(k, { value: v, by });
  }

  capturedNames(): { name: string; by: string }[] {
    return [...this.captured].map(([name, c]) => ({ name, by: c.by }));
  }

  clearCaptured(): void {
    this.captured.clear();
  }

  async storeSecret(environment: string, variable: string, value: string): Promise<void> {
    await this.secrets.store(secretKey(environment, variable), value);
  }

  /** Reads the environments file again (file watchers can report late). */
  reload(): Promise<void> {
    return this.load();
  }

  private async load(): Promise<void> {
    let found: vscode.Uri | undefined;
    let text: string | undefined;
    for (const ws of vscode.workspace.workspaceFolders ?? []) {
      const uri = vscode.Uri.joinPath(ws.uri, ...ENVIRONMENTS_FILE.split('/'));
      try {
        text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
        found = uri;
        break;
      } catch {
        /* this folder has no environments file */
      }
    }
    this.fileUri = found;
    if (text === undefined) {
      this.list = [];
      this.problems = [];
    } else {
      const parsed = parseEnvironments(text);
      this.list = parsed.ok ? parsed.environments : [];
      this.problems = parsed.ok ? [] : parsed.problems;
      for (const p of parsed.ok ? parsed.warnings : parsed.problems) this.log.write(parsed.ok ? 'warn' : 'error', 'environments', p);
    }
    this.render();
    this._onDidChange.fire();
  }

  private render(): void {
    if (!this.fileUri) {
      this.status.hide();
      return;
    }
    const env = this.active;
    this.status.text = this.problems.length ? '$(warning) cPanel env' : `$(symbol-namespace) ${env ? env.name : 'No environment'}`;
    this.status.tooltip = this.problems.length
      ? `The environments file has problems: ${this.problems.join(' ')}`
      : `cPanel environment for snippets: ${env ? env.name : 'none'}. Click to switch.`;
    this.status.accessibilityInformation = { label: `cPanel environment: ${env ? env.name : 'none'}` };
    this.status.show();
  }
}

function secretKey(environment: string, variable: string): string {
  return `${SECRET_PREFIX}${environment}.${variable}`;
}
