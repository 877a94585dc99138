import * as vscode from 'vscode';
import { describeServer, SERVICE_NAMES } from '../../core/servers';
import type { ClientRegistry } from './clients';
import { Commands } from '../constants';
import { Disposable } from '../lifecycle';
import type { ProfileStore } from './profileStore';
import type { RequestRunner } from '../requests/requestRunner';

const KEY = 'cpanel.activeServer';

/** What the status bar says about the active server's own API token: expired or expiring soon. */
export interface TokenNote {
  text: string;
  tooltip: string;
  /** "info": nothing to mark, only a word in the tooltip (the token it signs in with is not known). */
  severity: 'info' | 'warning' | 'error';
}

/**
 * The server in the status bar: the one last sent to (or chosen by clicking it), with its state.
 * Send Request… offers it first.
 */
export class ActiveServer extends Disposable {
  private readonly item = this._register(vscode.window.createStatusBarItem('cpanel.activeServer', vscode.StatusBarAlignment.Left, 40));

  constructor(
    private readonly state: vscode.Memento,
    private readonly profiles: ProfileStore,
    clients: ClientRegistry,
    runner: RequestRunner,
  ) {
    super();
    this.item.name = 'cPanel: active server';
    this.item.command = Commands.serverSelect;
    this._register(profiles.onDidChange(() => this.refresh()));
    this._register(clients.onDidChangeState(() => this.refresh()));
    this._register(
      runner.onDidSend(({ spec }) => {
        if (spec.origin !== 'fanout' && spec.origin !== 'page') void this.set(spec.profile.id);
      }),
    );
    this._register(vscode.commands.registerCommand(Commands.serverSelect, () => this.choose()));
    this.stateOf = (id) => clients.state(id);
    this.refresh();
  }

  private readonly stateOf: (id: string) => string;
  /** The active server's own token, when it is expired or expires soon (set by the tokens commands). */
  tokenNote: ((profileId: string) => TokenNote | undefined) | undefined;

  /** What the status bar shows now (tests read it). */
  get text(): string {
    return this.item.text;
  }

  get tooltip(): string {
    return typeof this.item.tooltip === 'string' ? this.item.tooltip : '';
  }

  get id(): string | undefined {
    const id = this.state.get<string>(KEY);
    return id && this.profiles.get(id) ? id : this.profiles.profiles()[0]?.id;
  }

  async set(id: string): Promise<void> {
    if (this.state.get<string>(KEY) === id) return this.refresh();
    await this.state.update(KEY, id);
    this.refresh();
  }

  private async choose(): Promise<void> {
    const all = this.profiles.profiles();
    if (!all.length) {
      await vscode.commands.executeCommand(Commands.serverAdd);
      return;
    }
    const current = this.id;
    const chosen = await vscode.window.showQuickPick(
      all.map((p) => ({
        label: p.label,
        description: `${describeServer(p)} · ${SERVICE_NAMES[p.service]}`,
        picked: p.id === current,
        id: p.id,
      })),
      { title: 'Active server (Send Request… starts with it)', placeHolder: 'Which server?' },
    );
    if (chosen) await this.set(chosen.id);
  }

  refresh(): void {
    const p = this.id ? this.profiles.get(this.id) : undefined;
    if (!p) {
      this.item.hide();
      return;
    }
    const st = this.stateOf(p.id);
    const icon = st === 'signed_in' ? '$(pass-filled)' : st === 'error' || st === 'unreachable' ? '$(error)' : '$(server)';
    const note = this.tokenNote?.(p.id);
    const mark = note && note.severity !== 'info' ? note : undefined;
    this.item.text = `${icon} ${p.label}${mark ? ` $(${mark.severity === 'error' ? 'error' : 'warning'}) ${mark.text}` : ''}`;
    this.item.tooltip = `${p.label}: ${describeServer(p)} (${SERVICE_NAMES[p.service]}), ${st.replace('_', ' ')}.${note ? ` ${note.tooltip}` : ''} Click to choose the server Send Request… starts with.`;
    this.item.backgroundColor = mark
      ? new vscode.ThemeColor(mark.severity === 'error' ? 'statusBarItem.errorBackground' : 'statusBarItem.warningBackground')
      : undefined;
    this.item.accessibilityInformation = {
      label: `cPanel active server ${p.label}, ${st.replace('_', ' ')}${mark ? `, ${mark.text}` : ''}`,
    };
    this.item.show();
  }
}
