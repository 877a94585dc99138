import * as vscode from 'vscode';
import { Disposable } from '../lifecycle';
import type * as FactoryModule from '../../core/clientFactory';
import type { ClientState, CpanelClient } from '../../core/client';
import { RefusalBook } from '../../core/auth/refusals';
import { proxyFromEnv, type ProxySettings } from '../../core/proxy';
import { requiredSecrets, type Secrets, type ServerProfile } from '../../core/servers';
import { REQUEST_SECTION, Settings } from '../settings';
import type { Log } from '../log';
import type { ProfileStore } from './profileStore';
import type { SecretStore } from './secretStore';

/**
 * One CpanelClient per server profile, made on first use with the secrets from SecretStorage and
 * thrown away when the profile, its secrets or the request settings change.
 */
export class ClientRegistry extends Disposable {
  private readonly clients = new Map<string, { client: CpanelClient; key: string; uses: (keyof Secrets)[]; sub: { dispose(): void } }>();
  /**
   * What servers refused in this window, kept across clients (a Refresh or a settings change makes new
   * ones): a refused credential is not sent again by the tree, the status bar or any other call until
   * its secret changes or the person tries again.
   */
  private readonly refusals = new RefusalBook();
  private readonly accountClients = new Map<string, Promise<CpanelClient>>();
  /** Bumped each time a profile's client is dropped (its profile, secrets or settings changed): a client being
   *  made with what was read before that is not kept. */
  private readonly generations = new Map<string, number>();
  private readonly _onDidChangeState = this._register(new vscode.EventEmitter<string>());
  /** Fires with a profile id when its client signs in, out, or fails. */
  readonly onDidChangeState = this._onDidChangeState.event;
  private readonly _onDidDrop = this._register(new vscode.EventEmitter<string>());
  /** Fires with a profile id whose client was thrown away (profile, secrets or settings changed, or removed). */
  readonly onDidDrop = this._onDidDrop.event;

  constructor(
    private readonly profiles: ProfileStore,
    private readonly secrets: SecretStore,
    private readonly log: Log,
  ) {
    super();
    this._register(profiles.onDidChange(() => this.dropStale()));
    // Only a change to a secret the client signs in with makes it stale: forgetting a password a token
    // server no longer uses (Use a Token) keeps the client, and with it the state the token earned.
    this._register(
      secrets.onDidChange(({ id, kind }) => {
        const e = this.clients.get(id);
        if (!e || e.uses.includes(kind)) this.drop(id);
      }),
    );
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(REQUEST_SECTION) || e.affectsConfiguration('http.proxy') || e.affectsConfiguration('http.noProxy'))
          for (const id of [...this.clients.keys()]) this.drop(id);
      }),
    );
  }

  state(profileId: string): ClientState {
    return this.clients.get(profileId)?.client.state ?? 'signed_out';
  }

  async get(profile: ServerProfile): Promise<CpanelClient> {
    const key = JSON.stringify(profile);
    for (;;) {
      const existing = this.clients.get(profile.id);
      if (existing && existing.key === key) return existing.client;
      if (existing) this.drop(profile.id);
      const generation = this.generations.get(profile.id) ?? 0;
      const secrets = await this.secrets.get(profile.id);
      // The secrets changed while they were read (a test's before() setting them as the tree's first call
      // starts): what was read is stale, so read again. Another call may have made the client meanwhile.
      if ((this.generations.get(profile.id) ?? 0) !== generation || this.clients.has(profile.id)) continue;
      return this.make(profile, key, secrets);
    }
  }

  private make(profile: ServerProfile, key: string, secrets: Secrets): CpanelClient {
    const timeoutMs = Settings.timeoutSeconds() * 1000;
    const client = factory().makeClient(profile, secrets, {
      limits: {
        headersTimeoutMs: timeoutMs,
        bodyTimeoutMs: timeoutMs,
        deadlineMs: timeoutMs,
        maxResponseBytes: Settings.maxResponseMB() * 1024 * 1024,
        maxConnections: Settings.maxConnections(),
      },
      log: this.log.sink(profile.label),
      refusals: this.refusals,
      ...proxyFor(profile.secure),
    });
    const sub = client.onDidChangeState(() => this._onDidChangeState.fire(profile.id));
    this.clients.set(profile.id, { client, key, uses: requiredSecrets(profile), sub });
    return client;
  }

  /** The person asks to try this server again (Test Connection, Try Again): a refused credential or a lockout is sent once more. */
  async retry(profile: ServerProfile): Promise<void> {
    (await this.get(profile)).retryCredentials();
  }

  /** A cPanel-port client for an account under a WHM server (Single Sign On), cached per account. */
  accountClient(profile: ServerProfile, user: string): Promise<CpanelClient> {
    const key = `${profile.id}/${user}`;
    let p = this.accountClients.get(key);
    if (!p) {
      p = this.get(profile).then((c) => c.accountClient(user));
      p.catch(() => this.accountClients.delete(key));
      this.accountClients.set(key, p);
    }
    return p;
  }

  drop(profileId: string): void {
    this.generations.set(profileId, (this.generations.get(profileId) ?? 0) + 1);
    const e = this.clients.get(profileId);
    if (e) {
      this.clients.delete(profileId);
      e.sub.dispose();
      void e.client.close();
      this._onDidChangeState.fire(profileId);
      this._onDidDrop.fire(profileId);
    }
    for (const [k, p] of [...this.accountClients]) {
      if (k.startsWith(`${profileId}/`)) {
        this.accountClients.delete(k);
        void p.then(
          (c) => c.close(),
          () => undefined,
        );
      }
    }
  }

  private dropStale(): void {
    const current = new Map(this.profiles.profiles().map((p) => [p.id, JSON.stringify(p)]));
    for (const [id, e] of [...this.clients]) if (current.get(id) !== e.key) this.drop(id);
  }

  override dispose(): void {
    for (const id of [...this.clients.keys()]) this.drop(id);
    super.dispose();
  }
}

/**
 * The core client, and undici under it, load with the first call rather than at activation: a
 * window that shows the tree but sends nothing never pays for them.
 */
function factory(): typeof FactoryModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('../../core/clientFactory') as typeof FactoryModule;
}

/**
 * VS Code's proxy (http.proxy, http.noProxy), or the environment's as VS Code itself falls back to.
 * The proxy carries only CONNECT tunnels: the cPanel server's TLS is checked inside them.
 */
function proxyFor(secure: boolean): { proxy?: ProxySettings } {
  const http = vscode.workspace.getConfiguration('http');
  const url = http.get<string>('proxy')?.trim();
  if (!url) {
    const env = proxyFromEnv(process.env, secure);
    return env ? { proxy: env } : {};
  }
  const noProxy = http.get<string[]>('noProxy') ?? [];
  return { proxy: { url, ...(noProxy.length ? { noProxy: noProxy.join(',') } : {}) } };
}
