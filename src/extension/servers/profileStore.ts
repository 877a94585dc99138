import * as vscode from 'vscode';
import { readProfile, type ProfileEntry, type ServerProfile } from '../../core/servers';
import { CONFIG, SETTING_SERVERS } from '../constants';
import { Settings } from '../settings';

/**
 * Server profiles in the user's (application-scope) settings. Workspace values are ignored on
 * purpose: a cloned repository must never be able to point a stored secret at another host.
 */
export class ProfileStore implements vscode.Disposable {
  private readonly _onDidChange = new vscode.EventEmitter<void>();
  readonly onDidChange = this._onDidChange.event;
  private readonly subscription: vscode.Disposable;

  constructor() {
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(`${CONFIG}.${SETTING_SERVERS}`)) this._onDidChange.fire();
    });
  }

  entries(): ProfileEntry[] {
    const raw = Settings.servers();
    if (!Array.isArray(raw)) return [];
    const seen = new Set<string>();
    return raw.map((item, i) => {
      const { profile, problems } = readProfile(item, i);
      if (seen.has(profile.id)) problems.push(`Another server has the id "${profile.id}": give each server its own id.`);
      seen.add(profile.id);
      return { profile, problems };
    });
  }

  profiles(): ServerProfile[] {
    return this.entries()
      .filter((e) => e.problems.length === 0)
      .map((e) => e.profile);
  }

  get(id: string): ServerProfile | undefined {
    return this.entries().find((e) => e.profile.id === id)?.profile;
  }

  async save(profile: ServerProfile): Promise<void> {
    const list = this.rawList();
    const i = list.findIndex((p) => (p as { id?: unknown }).id === profile.id);
    if (i >= 0) list[i] = profile;
    else list.push(profile);
    await this.write(list);
  }

  /**
   * Many servers in one settings write (an import of thousands): each in place of the server whose
   * id is `replaces` (or its own id), or added at the end.
   */
  async saveMany(writes: readonly { profile: ServerProfile; replaces?: string }[]): Promise<void> {
    if (!writes.length) return;
    const list = this.rawList();
    const at = new Map<unknown, number>();
    list.forEach((p, i) => {
      const id = (p as { id?: unknown } | null)?.id;
      if (!at.has(id)) at.set(id, i);
    });
    for (const w of writes) {
      const i = at.get(w.replaces ?? w.profile.id);
      if (i !== undefined) list[i] = w.profile;
      else list.push(w.profile);
    }
    await this.write(list);
  }

  async remove(id: string): Promise<void> {
    await this.write(this.rawList().filter((p) => (p as { id?: unknown }).id !== id));
  }

  private rawList(): unknown[] {
    const v = vscode.workspace.getConfiguration(CONFIG).inspect<unknown[]>(SETTING_SERVERS)?.globalValue;
    return Array.isArray(v) ? [...v] : [];
  }

  private async write(list: unknown[]): Promise<void> {
    await vscode.workspace.getConfiguration(CONFIG).update(SETTING_SERVERS, list, vscode.ConfigurationTarget.Global);
  }

  dispose(): void {
    this.subscription.dispose();
    this._onDidChange.dispose();
  }
}
