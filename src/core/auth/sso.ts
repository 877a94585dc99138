import type { Redactor } from '../redact';
import { CallFailure } from '../result';
import type { Sender } from './login';
import { headerString } from './login';
import { cookieHeader, findSecurityToken, noTokenFailure, type Session } from './session';

/** What WHM API 1 create_user_session answers: a one-time login URL for a service. */
export interface UserSession {
  url: string;
  session: string;
  securityToken: string;
  expires?: number;
}

export type SsoService = 'cpaneld' | 'whostmgrd' | 'webmaild';

export function readUserSession(data: unknown): UserSession {
  const d = (data ?? {}) as Record<string, unknown>;
  const url = typeof d.url === 'string' ? d.url : '';
  const token = typeof d.cp_security_token === 'string' ? d.cp_security_token : findSecurityToken(url);
  if (!url || !token) {
    throw new CallFailure('malformed', 'WHM answered create_user_session without a login URL or security token.');
  }
  return {
    url,
    session: typeof d.session === 'string' ? d.session : '',
    securityToken: token,
    expires: typeof d.expires === 'number' ? d.expires : undefined,
  };
}

/**
 * Turns a create_user_session login URL into a usable session: GET it (without following the
 * redirect) to receive the cookie. Only the URL's path is used; the host and port are the profile's,
 * so a URL naming another host can never receive this request.
 */
export async function redeemUserSession(opts: {
  send: Sender;
  userSession: UserSession;
  redactor: Redactor;
  signal?: AbortSignal;
}): Promise<Session> {
  const u = new URL(opts.userSession.url);
  opts.redactor.add(opts.userSession.session);
  opts.redactor.add(opts.userSession.securityToken.replace(/^\//, ''));
  const res = await opts.send({ method: 'GET', path: u.pathname + u.search, headers: { accept: 'text/html' }, signal: opts.signal });
  if (res.status >= 400) {
    throw new CallFailure(
      'auth_error',
      `The single sign-on link was refused (HTTP ${res.status}): it may have expired or been used already. Try again.`,
      { status: res.status },
    );
  }
  const cookie = cookieHeader(res.headers['set-cookie']);
  const token = findSecurityToken(opts.userSession.securityToken, headerString(res.headers.location), u.pathname);
  if (!token) throw noTokenFailure();
  if (!cookie) throw new CallFailure('auth_error', 'The single sign-on link was accepted but no session cookie came back.');
  for (const part of cookie.split('; ')) opts.redactor.add(part.slice(part.indexOf('=') + 1));
  return { token, cookie, createdAt: Date.now() };
}
