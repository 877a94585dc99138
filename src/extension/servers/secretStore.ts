import * as vscode from 'vscode';
import { SECRET_KINDS } from '../../core/auth/schemes';
import type { Secrets } from '../../core/servers';

const KINDS = SECRET_KINDS;
const PREFIX = 'cpanel.secret.';

/** Passwords, tokens, access hashes and TOTP secrets, only in VS Code's SecretStorage, keyed by profile id. */
export class SecretStore implements vscode.Disposable {
  private readonly _onDidChange = new vscode.EventEmitter<{ id: string; kind: keyof Secrets }>();
  /** Fires with the profile id and the kind of secret that changed (in this window or another). */
  readonly onDidChange = this._onDidChange.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly storage: vscode.SecretStorage) {
    this.subscription = storage.onDidChange((e) => {
      if (!e.key.startsWith(PREFIX)) return;
      const dot = e.key.lastIndexOf('.');
      const kind = e.key.slice(dot + 1);
      if (!(KINDS as readonly string[]).includes(kind)) return;
      this._onDidChange.fire({ id: e.key.slice(PREFIX.length, dot), kind: kind as keyof Secrets });
    });
  }

  async get(profileId: string): Promise<Secrets> {
    const out: Secrets = {};
    for (const k of KINDS) {
      const v = await this.storage.get(key(profileId, k));
      if (v) out[k] = v;
    }
    return out;
  }

  async set(profileId: string, secrets: Secrets): Promise<void> {
    for (const k of KINDS) {
      const v = secrets[k];
      if (v) await this.storage.store(key(profileId, k), v);
    }
  }

  /** Removes the kinds a profile no longer uses (after an edit), or all of them. */
  async delete(profileId: string, keep: (keyof Secrets)[] = []): Promise<void> {
    for (const k of KINDS) if (!keep.includes(k)) await this.storage.delete(key(profileId, k));
  }

  dispose(): void {
    this.subscription.dispose();
    this._onDidChange.dispose();
  }
}

function key(profileId: string, kind: keyof Secrets): string {
  return `${PREFIX}${profileId}.${kind}`;
}
