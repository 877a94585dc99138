import { CpanelClient, type ClientOptions } from '../../src/core/client';
import type { Clock } from '../../src/core/otp';
import type { Secrets, ServerProfile } from '../../src/core/servers';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/accounts';
import { Sandbox, type SandboxOptions, type SandboxService } from '../../src/sandbox/server';

export const CREDS = SANDBOX_CREDENTIALS;

/**
 * Time that moves only when told: shared by the sandbox and the client, a session can expire or a
 * TOTP step can end without a test waiting for it.
 */
export class VirtualClock implements Clock {
  offset = 0;
  readonly sleeps: number[] = [];
  constructor(private readonly base = Date.now()) {}
  now(): number {
    return this.base + this.offset;
  }
  advance(ms: number): void {
    this.offset += ms;
  }
  /** Puts the clock `secondsIntoStep` seconds into a 30-second TOTP step. */
  setIntoStep(secondsIntoStep: number): void {
    const now = this.now();
    const stepStart = Math.floor(now / 30_000) * 30_000;
    this.offset += stepStart + 30_000 + secondsIntoStep * 1000 - now;
  }
  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.offset += ms;
    return Promise.resolve();
  }
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  return Sandbox.start({ rejectReusedLoginCodes: false, ...options });
}

export function profile(sb: Sandbox, service: SandboxService, over: Partial<ServerProfile> = {}): ServerProfile {
  const secure = over.secure ?? true;
  return {
    id: `test-${service}`,
    label: `sandbox-${service}`,
    host: '127.0.0.1',
    service,
    secure,
    port: sb.port(service, secure),
    username: service === 'whm' ? 'root' : 'bob',
    auth: 'password',
    twoFactor: 'none',
    tls: { mode: 'pinned', fingerprint256: sb.fingerprint256 },
    ...over,
  };
}

/** Clients made by a test; closed by closeAll() in its after hook. */
const open: CpanelClient[] = [];

export function client(p: ServerProfile, secrets: Secrets, options: ClientOptions = {}): CpanelClient {
  const c = new CpanelClient(p, secrets, options);
  open.push(c);
  return c;
}

export async function closeAll(): Promise<void> {
  await Promise.all(open.splice(0).map((c) => c.close()));
}
