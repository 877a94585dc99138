import { RefusalBook } from './auth/refusals';
import { CpanelClient, type ClientOptions } from './client';
import type { Secrets, ServerProfile } from './servers';

/**
 * The one place clients are made (test/unit/pipeline.test.ts fails on a `new CpanelClient` anywhere
 * else): one client per server profile, all of a process sharing one book of refused credentials,
 * closed together. The CLI makes one pool per command; the extension's ClientRegistry makes its
 * clients here too, and throws one away when its profile, secrets or settings change.
 */
export class ClientPool {
  readonly refusals = new RefusalBook();
  private readonly clients = new Map<string, CpanelClient>();

  constructor(
    private readonly secretsFor: (profile: ServerProfile) => Secrets,
    private readonly optionsFor: (profile: ServerProfile) => ClientOptions,
  ) {}

  /** The client for a profile (by label within a servers file, by id otherwise), made on first use. */
  get(profile: ServerProfile): CpanelClient {
    const key = `${profile.id}\u0000${profile.label}`;
    let c = this.clients.get(key);
    if (!c) {
      c = makeClient(profile, this.secretsFor(profile), { ...this.optionsFor(profile), refusals: this.refusals });
      this.clients.set(key, c);
    }
    return c;
  }

  async close(): Promise<void> {
    const all = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(all.map((c) => c.close()));
  }
}

/** A client for one profile: the only constructor call of CpanelClient outside the client itself. */
export function makeClient(profile: ServerProfile, secrets: Secrets, options: ClientOptions = {}): CpanelClient {
  return new CpanelClient(profile, secrets, options);
}
