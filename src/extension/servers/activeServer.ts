import * as vscode from 'vscode';
import { describeServer, SERVICE_NAMES } from '../../core/servers';
import type { ClientRegistry } from './clients';
import { Commands } from '../constants';
import { Disposable } from '../lifecycle';
import type { ProfileStore } from './profileStore';
import type { RequestRunner } from '../requests/requestRunner';

const KEY = 'cpanel.activeServer';

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
      all.map((p) => ({ label: p.label, description: `${describeServer(p)} · ${SERVICE_NAMES[p.service]}`, picked: p.id === current, id: p.id })),
      { title: 'Active server (Send Request… starts with it)', placeHolder: 'Which server?' },
    );
    if (chosen) await this.set(chosen.id);
  }

  private refresh(): void {
    const p = this.id ? this.profiles.get(this.id) : undefined;
    if (!p) {
      this.item.hide();
      return;
    }
    const st = this.stateOf(p.id);
    const icon = st === 'signed_in' ? '$(pass-filled)' : st === 'error' || st === 'unreachable' ? '$(error)' : '$(server)';
    this.item.text = `${icon} ${p.label}`;
    this.item.tooltip = `${p.label}: ${describeServer(p)} (${SERVICE_NAMES[p.service]}), ${st.replace('_', ' ')}. Click to choose the server Send Request… starts with.`;
    this.item.accessibilityInformation = { label: `cPanel active server ${p.label}, ${st.replace('_', ' ')}` };
    this.item.show();
  }
}
