import type { HttpRequest, HttpResponse } from '../http';
import type { TotpSource } from '../otp';
import type { Redactor } from '../redact';
import { CallFailure } from '../result';
import { isLockout } from './refusals';
import { cookieHeader, findSecurityToken, noTokenFailure, type Session } from './session';

export type Sender = (req: HttpRequest) => Promise<HttpResponse>;

const TFA = /tfa_login_form|tfa_token|two-factor|two factor|\btfa\b|security code/i;

/** Whether an answer talks about two-factor authentication. */
export function mentionsTwoFactor(body: string): boolean {
  return TFA.test(body.slice(0, 16_384));
}

/**
 * Session login: POST /login with user and pass (and tfa_token when 2FA is on, the code sent
 * once). The answer is a redirect to /cpsessNNNN/… (or, with login_only=1, JSON naming it) and the
 * session cookie.
 */
export async function passwordLogin(opts: {
  send: Sender;
  user: string;
  password: string;
  totp?: TotpSource;
  redactor: Redactor;
  signal?: AbortSignal;
}): Promise<Session> {
  const form = new URLSearchParams({ user: opts.user, pass: opts.password });
  let sentCode = false;
  if (opts.totp) {
    // A server may refuse a code it has already accepted, so a re-login never reuses a step.
    const { code, step } = await opts.totp.next({ distinctSteps: true, signal: opts.signal });
    opts.redactor.addCode(code, step);
    form.set('tfa_token', code);
    sentCode = true;
  }
  const res = await opts.send({
    method: 'POST',
    path: '/login/?login_only=1',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: form.toString(),
    signal: opts.signal,
  });
  const body = res.body.toString('utf8');
  let json: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === 'object') json = parsed as Record<string, unknown>;
  } catch {
    /* a page, not JSON: the redirect and cookie are what count */
  }
  if (res.status >= 500) {
    // cpsrvd restarting, or a proxy's error page: the server never judged the password.
    const title = pageTitle(body);
    throw new CallFailure(
      'network_error',
      `The server failed while logging in (HTTP ${res.status}${title ? `: “${title}”` : ''}), so the password was not checked. cpsrvd may be restarting, or a proxy in front of it failed: try again in a moment.`,
      { status: res.status },
    );
  }
  const location = headerString(res.headers.location);
  const refused = res.status === 401 || res.status === 403 || (json !== undefined && (json.status === 0 || json.status === '0'));
  const token = refused
    ? undefined
    : findSecurityToken(location, str(json?.security_token), str(json?.redirect), res.status < 400 ? body.slice(0, 65_536) : undefined);
  if (!token) {
    if (isLockout(body) || isLockout(String(json?.message ?? ''))) throw lockoutFailure(opts.user, res.status);
    if (mentionsTwoFactor(body) || (json && /tfa/i.test(String(json.message ?? '')))) {
      throw new CallFailure(
        'auth_error',
        sentCode
          ? `The server refused the two-factor code for ${opts.user}. Check that the stored TOTP secret is the one set up for this account and that this computer's clock is right.`
          : `${opts.user} has two-factor authentication: set the two-factor mode to "at session login" and store the account's TOTP secret.`,
        { status: res.status, ...(sentCode ? { credentialRefused: 'twoFactor' as const } : {}) },
      );
    }
    if (refused || res.status >= 400) {
      throw new CallFailure(
        'auth_error',
        `The server refused the username or password for ${opts.user} (login failed, HTTP ${res.status}). Check them; repeated failures can get this IP blocked by cPHulk for a while.`,
        { status: res.status, credentialRefused: 'password' },
      );
    }
    throw noTokenFailure();
  }
  const cookie = cookieHeader(res.headers['set-cookie']);
  if (!cookie) {
    throw new CallFailure(
      'auth_error',
      'The login was accepted but the server set no session cookie, so the session cannot be used. Check the service and port.',
    );
  }
  opts.redactor.add(token.slice(1));
  for (const part of cookie.split('; ')) opts.redactor.add(part.slice(part.indexOf('=') + 1));
  return { token, cookie, createdAt: Date.now() };
}

/** cPHulk's block, said as what it is: not the password's fault, and not to be tried again now. */
export function lockoutFailure(user: string, status: number): CallFailure {
  return new CallFailure(
    'locked_out',
    `The server's brute-force protection (cPHulk) has locked out logins from this address (HTTP ${status}), so even correct credentials for ${user} fail for now; ` +
      'this is not a wrong password. Wait for the block to end (10 minutes at first; every attempt lengthens it), or have an administrator remove this IP address in WHM » Security Center » cPHulk Brute Force Protection. Nothing more will be sent to this server until you try again.',
    { status },
  );
}

/** The <title> of an HTML page, short and on one line, or "". */
export function pageTitle(body: string): string {
  const m = /<title[^>]*>([^<]{1,200})<\/title>/i.exec(body.slice(0, 16_384));
  return m ? m[1]!.replace(/\s+/g, ' ').trim() : '';
}

export function headerString(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
