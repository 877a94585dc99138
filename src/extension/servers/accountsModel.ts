import * as vscode from 'vscode';
import { LISTACCTS, readAccounts, type Account } from '../../core/accounts';
import type { ApiRequest } from '../../core/api/request';
import type { ApiResult } from '../../core/result';
import type { ServerProfile } from '../../core/servers';
import type { ClientRegistry } from './clients';
import { Disposable } from '../lifecycle';

export type AccountsAnswer = { ok: true; accounts: Account[] } | { ok: false; error: string };

/**
 * The cPanel accounts of each WHM server, fetched once (listaccts) and kept until someone asks for a
 * refresh or a call could have changed them. The tree, the palette and the builder all read it.
 */
export class AccountsModel extends Disposable {
  private readonly cache = new Map<string, { promise: Promise<AccountsAnswer>; abort: AbortController }>();
  private readonly _onDidChange = this._register(new vscode.EventEmitter<string>());
  /** Fires with the profile id whose account list was dropped. */
  readonly onDidChange = this._onDidChange.event;
  private fetches = 0;

  constructor(
    clients: ClientRegistry,
    private readonly send: (profile: ServerProfile, request: ApiRequest, signal?: AbortSignal) => Promise<ApiResult>,
  ) {
    super();
    this._register(clients.onDidDrop((id) => this.invalidate(id)));
  }

  /** How many times listaccts was sent (tests assert it stays at one per refresh). */
  get fetchCount(): number {
    return this.fetches;
  }

  /** The accounts of a WHM server; `signal` stops waiting (the fetch goes on for others unless nobody else waits). */
  get(profile: ServerProfile, signal?: AbortSignal): Promise<AccountsAnswer> {
    let entry = this.cache.get(profile.id);
    if (!entry) {
      const abort = new AbortController();
      this.fetches++;
      const promise = this.send(profile, LISTACCTS, abort.signal).then((r): AccountsAnswer =>
        r.ok ? { ok: true, accounts: readAccounts(r.data) } : { ok: false, error: r.hint ?? r.kind },
      );
      entry = { promise, abort };
      this.cache.set(profile.id, entry);
      // A failed list is not kept: the next look tries again.
      void promise.then((a) => {
        if (!a.ok && this.cache.get(profile.id) === entry) this.cache.delete(profile.id);
      });
    }
    if (!signal) return entry.promise;
    return Promise.race([
      entry.promise,
      new Promise<AccountsAnswer>((resolve) => {
        if (signal.aborted) resolve({ ok: false, error: 'cancelled' });
        signal.addEventListener('abort', () => resolve({ ok: false, error: 'cancelled' }), { once: true });
      }),
    ]);
  }

  /** Forgets a server's list (refresh, a call that changed accounts, a changed profile); a running fetch is aborted. */
  invalidate(profileId: string): void {
    const entry = this.cache.get(profileId);
    if (!entry) return;
    this.cache.delete(profileId);
    entry.abort.abort();
    this._onDidChange.fire(profileId);
  }

  invalidateAll(): void {
    for (const id of [...this.cache.keys()]) this.invalidate(id);
  }
}
