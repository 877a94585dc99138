import { CallFailure } from '../result';

/** A cpsrvd session: the security token that prefixes every path, and the cookies that go with it. */
export interface Session {
  /** "/cpsess0123456789". */
  token: string;
  cookie: string;
  createdAt: number;
}

export type LoginFn = (signal?: AbortSignal) => Promise<Session>;

/**
 * Holds one session and logs in lazily. Concurrent callers during a login share that login
 * (single-flight); a caller that saw a session rejected asks for a new one naming the token it
 * saw, so that several rejected callers cause one re-login, not one each.
 */
export class SessionManager {
  private current: Session | undefined;
  private pending: Promise<Session> | undefined;
  private logins = 0;

  constructor(private readonly login: LoginFn) {}

  get session(): Session | undefined {
    return this.current;
  }

  get loginCount(): number {
    return this.logins;
  }

  async get(signal?: AbortSignal): Promise<Session> {
    if (this.current) return this.current;
    return this.startLogin(signal);
  }

  /** The server refused `stale`: forget it and log in again, unless someone already did. */
  async renew(stale: Session, signal?: AbortSignal): Promise<Session> {
    if (this.current && this.current.token !== stale.token) return this.current;
    if (this.current === stale) this.current = undefined;
    return this.pending ?? this.startLogin(signal);
  }

  clear(): void {
    this.current = undefined;
  }

  private startLogin(signal?: AbortSignal): Promise<Session> {
    if (this.pending) return this.pending;
    this.logins++;
    const p = this.login(signal).then(
      (s) => {
        this.current = s;
        this.pending = undefined;
        return s;
      },
      (e: unknown) => {
        this.pending = undefined;
        throw e;
      },
    );
    this.pending = p;
    return p;
  }
}

/** Finds the "/cpsessNNNN" token in a Location header, a login_only JSON answer or a page. */
export function findSecurityToken(...sources: (string | undefined)[]): string | undefined {
  for (const s of sources) {
    const m = s ? /\/cpsess\d+/.exec(s) : null;
    if (m) return m[0];
  }
  return undefined;
}

/** Keeps the name=value part of each Set-Cookie header, whatever the cookies are called. */
export function cookieHeader(setCookie: string | string[] | undefined): string {
  const list = setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [setCookie];
  return list
    .map((c) => c.split(';')[0]?.trim() ?? '')
    .filter((c) => c.includes('=') && !/=$/.test(c))
    .join('; ');
}

/** Whether an answer says "this session is not valid" (expired, logged out or a wrong token). */
export function isSessionRejected(status: number, body: string): boolean {
  if (status === 401) return true;
  return status === 403 && /invalid security token|token denied|session has expired/i.test(body.slice(0, 4096));
}

export function noTokenFailure(): CallFailure {
  return new CallFailure(
    'auth_error',
    'The login was accepted but the server sent no session token (cpsess). The port may belong to another service: check the service and port.',
  );
}
