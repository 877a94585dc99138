import { createHash } from 'node:crypto';
import type { ServerProfile } from '../profile';

/**
 * What the server has refused, remembered so that nothing automatic asks it again. cPHulk blocks an
 * address after a handful of failed logins (5 by default) and "attempting to login again will only
 * increase this delay": a wrong password tried once per snippet of a run, per target of a fan-out or
 * per tree refresh locks the user out of their own server. So once a credential is refused, every
 * later call with that same credential fails at once without being sent, until the secret changes
 * (it is another credential then) or the person asks to try again; and once cPHulk says the address
 * is locked out, nothing is sent to that host at all.
 *
 * One book is shared by every client of a process (a CLI run, a VS Code window): profiles that share
 * a host and a credential share its refusal.
 */

export interface Refusal {
  /** When the server refused it (ms since the epoch). */
  at: number;
  /** "the password for cptest", "the API token for root", "the two-factor code for bob". */
  what: string;
  /** The hint the refusal came with. */
  hint: string;
}

/** What `turn` hands back: leave to send (release it once the answer is judged), or the refusal that forbids it. */
export type Turn = { release: () => void } | { refusal: Refusal; lockout: boolean };

/** Leave to send, with nothing to release. */
const GO: Turn = { release: () => undefined };

export class RefusalBook {
  private readonly credentials = new Map<string, Refusal>();
  private readonly lockouts = new Map<string, Refusal>();
  /** Credentials the server has accepted in this run: calls with them go in parallel. */
  private readonly accepted = new Set<string>();
  /** The one call trying a credential not yet accepted; the others wait for its answer. */
  private readonly trying = new Map<string, Promise<void>>();

  /**
   * Waits until a call with this credential may be sent. An accepted credential goes at once; one not
   * yet accepted is tried by one call at a time, so that calls started together (a window opening with
   * its nodes expanded, a fan-out over profiles of one host) make one failed login, not one each.
   */
  async turn(key: string, host: string, signal?: AbortSignal): Promise<Turn> {
    for (;;) {
      const known = this.turnNow(key, host);
      if (known) return known;
      const other = this.trying.get(key);
      if (!other) break;
      await untilSettledOrAborted(other, signal);
      if (signal?.aborted) return GO;
    }
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    this.trying.set(key, mine);
    return {
      release: () => {
        if (this.trying.get(key) === mine) this.trying.delete(key);
        release();
      },
    };
  }

  /**
   * The turn when it needs no wait: the host locked out, the credential refused, or accepted (it goes
   * at once); undefined when it has yet to be tried (then `turn` decides who tries it). Every call
   * after the first asks this, so it is answered without a promise.
   */
  turnNow(key: string, host: string): Turn | undefined {
    const lockout = this.lockouts.size ? this.lockout(host) : undefined;
    if (lockout) return { refusal: lockout, lockout: true };
    const refusal = this.credentials.get(key);
    if (refusal) return { refusal, lockout: false };
    return this.accepted.has(key) ? GO : undefined;
  }

  /** The server accepted this credential. */
  accept(key: string): void {
    this.accepted.add(key);
  }

  refusal(key: string): Refusal | undefined {
    return this.credentials.get(key);
  }

  lockout(host: string): Refusal | undefined {
    return this.lockouts.get(hostKey(host));
  }

  refuse(key: string, r: Refusal): void {
    this.accepted.delete(key);
    this.credentials.set(key, r);
  }

  lockOut(host: string, r: Refusal): void {
    this.lockouts.set(hostKey(host), r);
  }

  /** The person asked to try again: the credential (and the host's lockout) may be sent once more. */
  forgive(key: string, host: string): void {
    this.credentials.delete(key);
    this.lockouts.delete(hostKey(host));
  }

  /** Whether anything about this host is remembered (for a status line). */
  get size(): number {
    return this.credentials.size + this.lockouts.size;
  }
}

/** Waits for `p`, or until `signal` aborts, whichever is first. */
function untilSettledOrAborted(p: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return p;
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = (): void => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    void p.then(done);
  });
}

function hostKey(host: string): string {
  return host.toLowerCase().replace(/^\[|\]$/g, '');
}

/**
 * Names one credential: the host, the user, the method and a digest of the secrets it sends. A
 * digest and not the secret, so the book never holds a secret; a changed secret is another key.
 */
export function credentialKey(
  profile: Pick<ServerProfile, 'host' | 'username' | 'auth' | 'twoFactor'>,
  secretParts: readonly (string | undefined)[],
): string {
  const digest = createHash('sha256')
    .update(secretParts.map((s) => s ?? '').join('\u0000'))
    .digest('hex')
    .slice(0, 32);
  return `${hostKey(profile.host)}\u0000${profile.username}\u0000${profile.auth}\u0000${profile.twoFactor}\u0000${digest}`;
}

/** "12:01:07", the local time a refusal happened. */
export function clockTime(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

const LOCKOUT = /locked out because a brute force attempt was detected|brute[ -]?force (attempt|protection)|cphulk/i;

/** Whether an answer is cPHulk's lockout: correct credentials fail too while it lasts. */
export function isLockout(body: string): boolean {
  return LOCKOUT.test(body.slice(0, 16_384));
}
