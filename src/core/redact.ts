/**
 * The one place that knows what is secret in a request, a URL, a log line or an error message.
 * Everything that leaves the core for a person (logs, errors, printed requests, generated code)
 * passes through here.
 */

export const REDACTED = '[redacted]';

const SECRET_HEADERS = new Set(['authorization', 'cookie', 'set-cookie', 'x-cpanel-otp', 'proxy-authorization']);

/** Parameter names whose values are credentials: passwords, OTP codes, tokens, private keys, sessions. */
const SECRET_PARAM =
  /^(pass|passwd|password|newpass|oldpass|new_?password|old_?password|password[0-9]?|tfa_token|otp|token|api_?token|access_?hash|secret|session|cp_security_token|key|private_?key|user_session)$|(^|[_.-])(password|passwd|secret)([_.-]|$)/i;

export function isSecretParam(name: string): boolean {
  return SECRET_PARAM.test(name);
}

export function isSecretHeader(name: string): boolean {
  return SECRET_HEADERS.has(name.toLowerCase());
}

/** Replaces the cpsess token in a path or URL, and secret query values. */
export function redactUrl(url: string): string {
  let out = url.replace(/\/cpsess\d+/gi, `/cpsess${REDACTED}`);
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
  for (const [k, v] of Object.entries(headers)) {
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

/**
 * Remembers the secret values a client holds (password, token, hash, TOTP secret, session cookie,
 * cpsess token, recent OTP codes) and scrubs them from any text, whatever form they appear in.
 */
export class Redactor {
  private readonly values = new Set<string>();

  add(value: string | undefined): void {
    if (!value || value.length < 4) return;
    this.values.add(value);
    // The same secret as it appears in a URL, a form body, or Basic auth.
    this.values.add(encodeURIComponent(value));
    this.values.add(new URLSearchParams({ v: value }).toString().slice(2));
  }

  /** A secret that should be scrubbed even when short (OTP codes are six digits). */
  addExact(value: string | undefined): void {
    if (value) this.values.add(value);
  }

  /** Replaces only the values this client holds; leaves everything else as the server wrote it. */
  scrubKnown(text: string): string {
    let out = text;
    // Longest first, so that a value containing another is replaced whole.
    const sorted = [...this.values].sort((a, b) => b.length - a.length);
    for (const v of sorted) {
      if (out.includes(v)) out = out.split(v).join(REDACTED);
    }
    return out;
  }

  /** For logs, messages and printed requests: known values, cpsess tokens, cookies, auth headers. */
  redact(text: string): string {
    let out = redactUrl(text);
    out = out.replace(/\b(cpsession|whostmgrsession|webmailsession|session)=[^;\s&"]+/gi, `$1=${REDACTED}`);
    out = out.replace(/\b(Authorization:\s*\S+)\s+\S+/gi, `$1 ${REDACTED}`);
    return this.scrubKnown(out);
  }
}
