/**
 * The one place that knows what is secret in a request, a URL, a log line or an error message.
 * Everything that leaves the core for a person (logs, errors, printed requests, generated code)
 * passes through here.
 */

import { isSecretParam } from '../shared/families';
import { OTP_HEADER } from './auth/twoFactor';

export { isSecretParam } from '../shared/families';

export const REDACTED = '[redacted]';

const SECRET_HEADERS = new Set(['authorization', 'cookie', 'set-cookie', OTP_HEADER.toLowerCase(), 'proxy-authorization']);

export function isSecretHeader(name: string): boolean {
  return SECRET_HEADERS.has(name.toLowerCase());
}

const CPSESS = /\/cpsess\d+/gi;
/** Whether a text holds a cpsess token (not global, so it keeps no state between calls). */
const CPSESS_ANY = /\/cpsess\d/i;

/** Replaces the cpsess token in a path or URL, and secret query values. */
export function redactUrl(url: string): string {
  // Every result's URL comes here: the common one, without a session or a query, is returned as it is.
  let out = CPSESS_ANY.test(url) ? url.replace(CPSESS, `/cpsess${REDACTED}`) : url;
  const q = out.indexOf('?');
  if (q >= 0) {
    const hashAt = out.indexOf('#', q);
    const query = out.slice(q + 1, hashAt >= 0 ? hashAt : undefined);
    const redacted = query
      .split('&')
      .map((pair) => {
        const eq = pair.indexOf('=');
        if (eq < 0) return pair;
        let name = pair.slice(0, eq);
        try {
          name = decodeURIComponent(name.replace(/\+/g, ' '));
        } catch {
          /* keep the raw name */
        }
        return isSecretParam(name) ? `${pair.slice(0, eq)}=${REDACTED}` : pair;
      })
      .join('&');
    out = out.slice(0, q + 1) + redacted + (hashAt >= 0 ? out.slice(hashAt) : '');
  }
  return out;
}

export function redactHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  // for…in rather than Object.entries: every answer's headers pass here, and the pairs are not needed.
  for (const k in headers) {
    const v = headers[k];
    if (v === undefined) continue;
    if (isSecretHeader(k)) {
      // Keep the scheme word of Authorization so a log still says which method was used.
      const first = Array.isArray(v) ? v[0] : v;
      const scheme = k.toLowerCase() === 'authorization' ? /^(\S+)\s/.exec(first ?? '')?.[1] : undefined;
      out[k] = scheme ? `${scheme} ${REDACTED}` : REDACTED;
    } else {
      out[k] = Array.isArray(v) ? v.join(', ') : v;
    }
  }
  return out;
}

export function redactParams(params: readonly (readonly [string, string])[]): [string, string][] {
  return params.map(([k, v]) => [k, isSecretParam(k) ? REDACTED : v]);
}

/** The same secret as it appears in a URL, a form body, or inside a JSON string. */
function formsOf(value: string): string[] {
  return [
    ...new Set([
      value,
      encodeURIComponent(value),
      new URLSearchParams({ v: value }).toString().slice(2),
      JSON.stringify(value).slice(1, -1),
    ]),
  ];
}

/** How many secret parameter values one client remembers to scrub. */
const MAX_LEARNT = 256;

/** How many OTP codes are remembered at most: a code is valid for its step and one either side. */
const MAX_CODES = 8;
const STEP_MS = 30_000;

/**
 * Remembers the secret values a client holds (password, token, hash, TOTP secret) and the ones
 * derived from them as soon as they are made (the Basic value, session cookies, the cpsess token, each
 * OTP code sent), and scrubs them from any text, whatever form they appear in: a server that echoes
 * request headers must not put a credential into a result, a log or printed output.
 */
export class Redactor {
  private readonly values = new Set<string>();
  private sorted: string[] | undefined;
  /** OTP code → the TOTP step it was made for. Short and numeric: matched only as a whole token, only while valid. */
  private readonly codes = new Map<string, number>();
  private lastCode: string | undefined;

  /** Secret values a call carried (a new mailbox's password), newest last; at most MAX_LEARNT. */
  private readonly learnt = new Map<string, string[]>();

  constructor(private readonly now: () => number = Date.now) {}

  add(value: string | undefined): void {
    if (!value || value.length < 4) return;
    for (const form of formsOf(value)) this.values.add(form);
    this.sorted = undefined;
  }

  /**
   * A secret a call sends as a parameter: scrubbed from that answer and later ones (a server may echo
   * it in an error), like the client's own credentials. Bounded: the oldest are forgotten first.
   */
  learn(value: string): void {
    if (value.length < 4 || this.values.has(value)) return;
    if (this.learnt.has(value)) {
      this.learnt.delete(value);
    } else {
      this.sorted = undefined;
    }
    this.learnt.set(value, formsOf(value));
    while (this.learnt.size > MAX_LEARNT) {
      this.learnt.delete(this.learnt.keys().next().value!);
      this.sorted = undefined;
    }
  }

  /** An OTP code sent for TOTP step `step`: scrubbed where it stands alone, while it can still be valid. */
  addCode(code: string, step: number): void {
    // Header mode sends one code on every request of its step: nothing to do when it is already the newest.
    if (this.codes.get(code) === step && this.lastCode === code) return;
    if (!/^\d{6,8}$/.test(code)) return;
    this.lastCode = code;
    this.codes.delete(code);
    this.codes.set(code, step);
    while (this.codes.size > MAX_CODES) this.codes.delete(this.codes.keys().next().value!);
  }

  /** Codes still valid now (their step ± one); older ones are forgotten. */
  private liveCodes(): string[] {
    const step = Math.floor(this.now() / STEP_MS);
    const out: string[] = [];
    // Deleting the entry being visited is safe while iterating a Map: no copy needed on every scrub.
    for (const [code, s] of this.codes) {
      if (Math.abs(step - s) <= 1) out.push(code);
      else if (s < step - 1) this.codes.delete(code);
    }
    return out;
  }

  /** Replaces only the values this client holds; leaves everything else as the server wrote it. */
  scrubKnown(text: string): string {
    let out = text;
    // Longest first, so that a value containing another is replaced whole.
    this.sorted ??= [...new Set([...this.values, ...[...this.learnt.values()].flat()])].sort((a, b) => b.length - a.length);
    const sorted = this.sorted;
    // A text shorter than every value cannot hold one (most of an answer's headers).
    if (sorted.length && text.length >= sorted[sorted.length - 1]!.length) {
      for (const v of sorted) {
        if (out.includes(v)) out = out.split(v).join(REDACTED);
      }
    }
    // Most clients never send a code (no header 2FA): no clock read, no list for them.
    if (!this.codes.size) return out;
    const codes = this.liveCodes().filter((c) => out.includes(c));
    if (codes.length) out = out.replace(new RegExp(`(?<![A-Za-z0-9])(?:${codes.join('|')})(?![A-Za-z0-9])`, 'g'), REDACTED);
    return out;
  }

  /** Scrubs every string (keys too) in a parsed JSON value; returns the same value when nothing was found. */
  scrubValue<T>(value: T): T {
    const walk = (v: unknown): unknown => {
      if (typeof v === 'string') return this.scrubKnown(v);
      if (Array.isArray(v)) return v.map(walk);
      if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [this.scrubKnown(k), walk(x)]));
      return v;
    };
    return walk(value) as T;
  }

  /** For logs, messages and printed requests: known values, cpsess tokens, cookies, auth headers. */
  redact(text: string): string {
    let out = redactUrl(text);
    out = out.replace(/\b(cpsession|whostmgrsession|webmailsession|session)=[^;\s&"]+/gi, `$1=${REDACTED}`);
    out = out.replace(/\b(Authorization:\s*\S+)\s+\S+/gi, `$1 ${REDACTED}`);
    return this.scrubKnown(out);
  }
}
