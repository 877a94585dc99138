import type * as Otplib from 'otplib';

/** cPanel's TOTP: RFC 6238, SHA-1, 30-second steps, 6 digits, base32 secrets of 16 characters (10 bytes). */
export const TOTP_STEP_SECONDS = 30;

interface Generator {
  generateSync: typeof Otplib.generateSync;
  options: Pick<Parameters<typeof Otplib.generateSync>[0], 'guardrails' | 'crypto' | 'base32'>;
}
let generator: Generator | undefined;

/** otplib, loaded on the first code (a bundle of its own in dist/): most servers have no 2FA, and activation and a CLI call should not pay for it. */
function otp(): Generator {
  if (!generator) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const o = require('otplib') as typeof Otplib;
    // cPanel's secrets are 10 bytes; otplib v13 rejects anything under 16 bytes unless told otherwise.
    generator = {
      generateSync: o.generateSync,
      options: {
        guardrails: o.createGuardrails({ MIN_SECRET_BYTES: 10 }),
        crypto: new o.NobleCryptoPlugin(),
        base32: new o.ScureBase32Plugin(),
      },
    };
  }
  return generator;
}

/** Strips spaces and dashes that authenticator apps show, and uppercases. */
export function normalizeTotpSecret(secret: string): string {
  return secret.replace(/[\s-]/g, '').replace(/=+$/, '').toUpperCase();
}

/** Why a TOTP secret cannot be used, or undefined when it can. Never echoes the secret. */
export function totpSecretProblem(secret: string): string | undefined {
  const s = normalizeTotpSecret(secret);
  if (!/^[A-Z2-7]+$/.test(s))
    return 'The two-factor secret must be base32 (letters A–Z and digits 2–7), as WHM shows it when 2FA is set up.';
  if (s.length < 16) return 'The two-factor secret is too short: cPanel secrets have 16 base32 characters.';
  // 64 bytes is the most an HMAC-SHA1 key holds without being hashed first; otplib refuses more.
  if (s.length > 102)
    return `The two-factor secret is too long (${s.length} characters): cPanel secrets have 16 base32 characters. Copy it again.`;
  // Base32 packs 5 bits a character; lengths that leave 5 or more bits over cannot come from whole bytes.
  if ([1, 3, 6].includes(s.length % 8)) {
    return `The two-factor secret has ${s.length} characters, which no base32 secret has (a character is missing or extra): cPanel secrets have 16. Copy it again.`;
  }
  try {
    totpCode(s, 0);
  } catch {
    return 'The two-factor secret cannot be read as base32: copy it again from the 2FA setup page.';
  }
  return undefined;
}

export function totpCode(secret: string | Uint8Array, epochSeconds: number, digits: 6 | 8 = 6): string {
  const s = typeof secret === 'string' ? normalizeTotpSecret(secret) : secret;
  const { generateSync, options } = otp();
  return generateSync({ ...options, secret: s, epoch: Math.floor(epochSeconds), digits, period: TOTP_STEP_SECONDS });
}

export function stepOf(epochSeconds: number): number {
  return Math.floor(epochSeconds / TOTP_STEP_SECONDS);
}

export function secondsLeftInStep(epochSeconds: number): number {
  return TOTP_STEP_SECONDS - (epochSeconds % TOTP_STEP_SECONDS);
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const t = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = (): void => {
        clearTimeout(t);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/**
 * Hands out codes for requests. A code sent in the last moments of its step can expire in flight,
 * so within `marginSeconds` of a step's end it waits for the next step. With `distinctSteps`
 * (session logins, which a server may refuse to accept twice with one code) it never hands out
 * the same step twice.
 */
export class TotpSource {
  private lastStep = -1;
  /**
   * The code of the last step a code was made for. A code is the same for its whole 30 s step, and
   * making one (base32, HMAC-SHA1) costs more than the rest of a call's own work: header mode, which
   * may send one code on many requests within a step, makes it once per step and reuses it.
   */
  private cached: { step: number; code: string } | undefined;

  constructor(
    private readonly secret: string,
    private readonly clock: Clock = systemClock,
    private readonly marginSeconds = 3,
  ) {}

  async next(opts: { distinctSteps?: boolean; signal?: AbortSignal } = {}): Promise<{ code: string; step: number }> {
    for (;;) {
      const ready = this.ready(opts.distinctSteps === true);
      if (ready) return ready;
      // Wait until just past the start of the next step.
      await this.clock.sleep(Math.ceil(secondsLeftInStep(this.clock.now() / 1000) * 1000) + 50, opts.signal);
    }
  }

  /** The code to send now, when none has to be waited for (see `next`): header mode asks this on every request. */
  ready(distinctSteps = false): { code: string; step: number } | undefined {
    const nowS = this.clock.now() / 1000;
    const step = stepOf(nowS);
    if (secondsLeftInStep(nowS) <= this.marginSeconds || (distinctSteps && step <= this.lastStep)) return undefined;
    this.lastStep = Math.max(this.lastStep, step);
    if (this.cached?.step !== step) this.cached = { step, code: totpCode(this.secret, nowS) };
    return this.cached;
  }
}

/**
 * The secret of an `otpauth://totp/Issuer:account?secret=…&issuer=…` URI, as authenticator apps and
 * cPanel's QR code carry it; the account it names is returned to be checked against the server's user.
 */
export function secretFromOtpauth(input: string): { secret: string; account?: string; issuer?: string } | { error: string } | undefined {
  const v = input.trim();
  if (!/^otpauth:\/\//i.test(v)) return undefined;
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return { error: 'That otpauth:// link cannot be read: copy it again, or paste the secret itself.' };
  }
  if (u.host.toLowerCase() !== 'totp')
    return { error: `That is an otpauth://${u.host} link: cPanel two-factor authentication uses TOTP (otpauth://totp/…).` };
  const secret = u.searchParams.get('secret');
  if (!secret) return { error: 'That otpauth:// link has no secret in it.' };
  const label = decodeURIComponent(u.pathname.replace(/^\//, ''));
  const [first, second] = label.includes(':') ? label.split(':', 2) : [undefined, label];
  const issuer = u.searchParams.get('issuer') ?? first;
  const account = second?.trim() || undefined;
  return { secret, ...(account ? { account } : {}), ...(issuer ? { issuer } : {}) };
}

/**
 * When to copy a TOTP code so that it is still valid when pasted: now, or, with less than
 * `minSeconds` left in this 30-second step, at the start of the next one.
 */
export function codeTiming(nowSeconds: number, minSeconds = 8): { waitMs: number; validFor: number } {
  const left = secondsLeftInStep(nowSeconds);
  return left >= minSeconds ? { waitMs: 0, validFor: Math.floor(left) } : { waitMs: Math.ceil(left * 1000) + 50, validFor: 29 };
}
