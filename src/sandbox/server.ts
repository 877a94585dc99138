import { createHash, randomBytes } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { stepOf, totpCode } from '../core/otp';
import { isSecretParam } from '../shared/families';
import {
  aclsGrant,
  initialAccounts,
  initialMail,
  initialUsers,
  WHM_UNGATED,
  type MailAccount,
  type SandboxAccount,
  type SandboxToken,
  type SandboxUser,
} from './accounts';
import { makeCertificate, type SandboxCertificate } from './cert';
import {
  api2,
  ipInRange,
  isWhmFunction,
  readonlyAllows,
  shapeApi2,
  shapeUapi,
  shapeWhm,
  uapi,
  whm,
  type FnContext,
  type RequestBodyFacts,
  type UploadedFile,
} from './functions';

export type SandboxService = 'cpanel' | 'whm' | 'webmail';

export interface SandboxOptions {
  /** Idle time after which a session ends (cpsrvd's default is much longer; tests use seconds). */
  sessionIdleSeconds?: number;
  /** WHM's Security Policy Extensions → "API requests": 2FA users must send X-CPANEL-OTP with Basic auth. */
  tfaForApi?: boolean;
  /** Refuse a login whose tfa_token was already accepted for that user (replay protection). */
  rejectReusedLoginCodes?: boolean;
  /** Milliseconds since the epoch; tests move it to simulate time. */
  now?: () => number;
  /** Only these listeners (default: cPanel, WHM and Webmail, each HTTPS and HTTP): a fleet of hundreds of servers in one process. */
  listeners?: { service: SandboxService; secure: boolean }[];
  /** The certificate to serve (default: a new self-signed one); servers of one simulated fleet can share one. */
  certificate?: SandboxCertificate;
  /** Accounts to add, owned by root: acct0001 … (a WHM server with thousands of accounts). */
  extraAccounts?: number;
  /** Mailboxes to add to cptest: box00001@cptest.example … (a 2,000-row UAPI answer). */
  extraMailboxes?: number;
  /** Milliseconds each API answer waits, as a real server's work and a network's round trip take time. */
  latencyMs?: number;
  /**
   * cPHulk: after this many failed logins (login form, Basic, token or access hash, wrong 2FA code)
   * from one address, every login from it is refused with cPHulk's lockout message, correct ones too.
   * Off unless set (cPanel's default is 5 per address).
   */
  bruteForceLimit?: number;
  /** A WHM older than uapi_cpanel (before 11.70ish): it answers "Unknown app" for it, and json-api/cpanel serves UAPI. */
  noUapiCpanel?: boolean;
  /** Accept a secret parameter (password, token…) in the query string; by default it is refused, as a test must not pass by sending one there. */
  allowSecretsInUrl?: boolean;
}

/** What cPHulk answers a blocked address (cPanel's wording). */
export const LOCKOUT_MESSAGE =
  'This account is currently locked out because a brute force attempt was detected. Please wait 10 minutes and try again. Attempting to login again will only increase this delay.';

/** A fault injected into the next matching answers. */
export type Fault =
  | { kind: 'slow-headers'; ms: number }
  | { kind: 'drop' }
  | { kind: 'drop-mid-body' }
  | { kind: 'html' }
  | { kind: 'status500' }
  | { kind: 'huge'; bytes: number }
  | { kind: 'truncated' };

export interface FaultRule {
  fault: Fault;
  /** How many answers it affects (default 1). */
  count?: number;
  /** Only on this service's listeners. */
  service?: SandboxService;
  /** Also for /login (default: API calls only). */
  includeLogin?: boolean;
  /** Only requests whose path (with its query) contains this: one function's calls. */
  path?: string;
}

export interface LoggedRequest {
  seq: number;
  service: SandboxService;
  secure: boolean;
  port: number;
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The client's source port: equal for requests on one kept-alive connection. */
  remotePort: number;
  status?: number;
}

interface SessionRecord {
  token: string;
  user: string;
  service: SandboxService;
  cookieName: string;
  cookieValue: string;
  lastUsed: number;
  /** create_user_session sessions start unredeemed: the login URL sets the cookie. */
  ssoSecret?: string;
}

interface Listener {
  service: SandboxService;
  secure: boolean;
  server: http.Server;
  port: number;
}

const COOKIE: Record<SandboxService, string> = { cpanel: 'cpsession', whm: 'whostmgrsession', webmail: 'webmailsession' };
const SSO_SERVICE: Record<'cpaneld' | 'whostmgrd' | 'webmaild', SandboxService> = {
  cpaneld: 'cpanel',
  whostmgrd: 'whm',
  webmaild: 'webmail',
};

export interface SandboxPorts {
  cpanel: { secure: number; plain: number };
  whm: { secure: number; plain: number };
  webmail: { secure: number; plain: number };
}

/**
 * A simulated cPanel & WHM on 127.0.0.1: six listeners (three services, HTTPS and HTTP), the login
 * flow and sessions, every auth method, 2FA, realistic answers for a dozen functions, faults on
 * demand, and a log of what it received.
 */
export class Sandbox {
  readonly host = '127.0.0.1';
  readonly log: LoggedRequest[] = [];
  users: SandboxUser[] = initialUsers();
  accounts: SandboxAccount[] = initialAccounts();
  mail: MailAccount[] = initialMail();
  private certificate!: SandboxCertificate;
  private readonly listeners: Listener[] = [];
  private readonly sessions = new Map<string, SessionRecord>();
  private readonly faults: FaultRule[] = [];
  private readonly usedLoginSteps = new Map<string, number>();
  private readonly sockets = new Set<Socket>();
  private readonly connections = { accepted: 0, peak: 0 };
  /** Personalization values per user, as Personalization/set and personalization_set store them. */
  readonly personalization = new Map<string, Record<string, unknown>>();
  /** Files received by Fileman/upload_files: what a test checks arrived. */
  get uploads(): UploadedFile[] {
    return this.received;
  }
  private readonly received: UploadedFile[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private seq = 0;
  /** Failed logins so far (every kind): what cPHulk counts, and what a test of "never retried" reads. */
  failedLogins = 0;
  /** Logins refused because the address was locked out. */
  lockedOutAttempts = 0;
  readonly options: Required<
    Omit<
      SandboxOptions,
      'listeners' | 'certificate' | 'extraAccounts' | 'extraMailboxes' | 'latencyMs' | 'bruteForceLimit' | 'noUapiCpanel'
    >
  > &
    Pick<
      SandboxOptions,
      'listeners' | 'certificate' | 'extraAccounts' | 'extraMailboxes' | 'latencyMs' | 'bruteForceLimit' | 'noUapiCpanel'
    >;

  constructor(options: SandboxOptions = {}) {
    this.options = {
      sessionIdleSeconds: 900,
      tfaForApi: true,
      rejectReusedLoginCodes: true,
      allowSecretsInUrl: false,
      now: () => Date.now(),
      ...options,
    };
    for (let i = 1; i <= (options.extraAccounts ?? 0); i++) {
      const user = `acct${String(i).padStart(4, '0')}`;
      this.accounts.push({
        user,
        domain: `${user}.example`,
        owner: 'root',
        email: `owner@${user}.example`,
        plan: 'default',
        suspended: false,
        suspendreason: 'not suspended',
        ip: '127.0.0.1',
        startdate: '25 Jan 01 00:00',
        diskused: '1M',
      });
    }
    for (let i = 1; i <= (options.extraMailboxes ?? 0); i++) {
      const login = `box${String(i).padStart(5, '0')}@cptest.example`;
      // Sizes spread over five orders of magnitude so that a lexicographic sort of them is visibly wrong.
      this.mail.push({
        email: login,
        login,
        domain: 'cptest.example',
        suspended_login: i % 17 === 0 ? 1 : 0,
        diskquota: i % 5 === 0 ? 'unlimited' : String(250 * (1 + (i % 4))),
        _owner: 'cptest',
        diskused: ((i * 7919) % 100_000) * 10 ** (i % 5),
        mtime: 1_700_000_000 + i * 3600,
      });
    }
  }

  /** A certificate to share among the servers of a simulated fleet. */
  static certificate(): Promise<SandboxCertificate> {
    return makeCertificate();
  }

  static async start(options: SandboxOptions = {}): Promise<Sandbox> {
    const s = new Sandbox(options);
    await s.listen();
    return s;
  }

  get fingerprint256(): string {
    return this.certificate.fingerprint256;
  }

  get certPem(): string {
    return this.certificate.cert;
  }

  get certValidTo(): string {
    return this.certificate.validTo;
  }

  get ports(): SandboxPorts {
    const p = (service: SandboxService, secure: boolean): number =>
      this.listeners.find((l) => l.service === service && l.secure === secure)?.port ?? 0;
    return {
      cpanel: { secure: p('cpanel', true), plain: p('cpanel', false) },
      whm: { secure: p('whm', true), plain: p('whm', false) },
      webmail: { secure: p('webmail', true), plain: p('webmail', false) },
    };
  }

  port(service: SandboxService, secure = true): number {
    return this.ports[service][secure ? 'secure' : 'plain'];
  }

  /** The TOTP code a user's authenticator would show now (or at `atMs`). */
  totp(user: string, atMs = this.options.now()): string {
    const u = this.users.find((x) => x.user === user);
    if (!u?.tfaSecret) throw new Error(`${user} has no 2FA`);
    return totpCode(u.tfaSecret, atMs / 1000);
  }

  inject(rule: FaultRule): void {
    this.faults.push({ count: 1, ...rule });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Ends every session, as a server restart or an administrator would. */
  expireAllSessions(): void {
    this.sessions.clear();
  }

  /** Connections accepted since the start (or the last reset), and the most open at once. */
  connectionStats(): { accepted: number; peak: number; open: number } {
    return { ...this.connections, open: this.sockets.size };
  }

  resetConnectionStats(): void {
    this.connections.accepted = 0;
    this.connections.peak = this.sockets.size;
  }

  sessionCount(): number {
    return this.sessions.size;
  }

  /** Requests received, optionally only those whose path contains `part`. */
  requests(part?: string): LoggedRequest[] {
    return part ? this.log.filter((r) => r.path.includes(part)) : [...this.log];
  }

  clearLog(): void {
    this.log.length = 0;
  }

  /** Replaces the certificate on every HTTPS listener, as a renewal (or an impostor) would; open connections end, as at a restart. */
  async rotateCertificate(): Promise<void> {
    this.certificate = await makeCertificate();
    for (const l of this.listeners)
      if (l.secure) (l.server as https.Server).setSecureContext({ key: this.certificate.key, cert: this.certificate.cert });
    for (const sock of this.sockets) sock.destroy();
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    for (const s of this.sockets) s.destroy();
    await Promise.all(this.listeners.map((l) => new Promise<void>((r) => l.server.close(() => r()))));
    this.listeners.length = 0;
  }

  private async listen(): Promise<void> {
    this.certificate = this.options.certificate ?? (await makeCertificate());
    const wanted = this.options.listeners;
    for (const service of ['cpanel', 'whm', 'webmail'] as const) {
      for (const secure of [true, false]) {
        if (wanted && !wanted.some((l) => l.service === service && l.secure === secure)) continue;
        const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
          this.handle(service, secure, req, res).catch((e: unknown) => {
            if (!res.headersSent) this.send(res, 500, 'text/plain', `sandbox error: ${String(e)}`);
          });
        };
        const server = secure
          ? https.createServer({ key: this.certificate.key, cert: this.certificate.cert }, handler)
          : http.createServer(handler);
        server.keepAliveTimeout = 60_000;
        server.on(secure ? 'secureConnection' : 'connection', (s: Socket) => {
          this.sockets.add(s);
          this.connections.accepted++;
          this.connections.peak = Math.max(this.connections.peak, this.sockets.size);
          s.on('close', () => this.sockets.delete(s));
        });
        await new Promise<void>((resolve) => server.listen(0, this.host, resolve));
        this.listeners.push({ service, secure, server, port: (server.address() as AddressInfo).port });
      }
    }
  }

  private takeFault(service: SandboxService, isLogin: boolean, path: string): FaultRule | undefined {
    const i = this.faults.findIndex(
      (f) => (!f.service || f.service === service) && (!isLogin || f.includeLogin) && (!f.path || path.includes(f.path)),
    );
    if (i < 0) return undefined;
    const rule = this.faults[i]!;
    rule.count = (rule.count ?? 1) - 1;
    if (rule.count <= 0) this.faults.splice(i, 1);
    return rule;
  }

  private async handle(service: SandboxService, secure: boolean, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const body = raw.toString('utf8');
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const entry: LoggedRequest = {
      seq: ++this.seq,
      service,
      secure,
      port: req.socket.localPort ?? 0,
      method: req.method ?? 'GET',
      path: url.pathname + url.search,
      headers: req.headers,
      body,
      remotePort: req.socket.remotePort ?? 0,
    };
    this.log.push(entry);
    res.on('finish', () => (entry.status = res.statusCode));

    const params = new URLSearchParams(url.search);
    const contentType = String(req.headers['content-type'] ?? '');
    if (contentType.includes('application/x-www-form-urlencoded')) {
      for (const [k, v] of new URLSearchParams(body)) params.append(k, v);
    }
    // The request's body as functions that take one see it: JSON, or the files of a multipart upload.
    const upload: RequestBodyFacts = { contentType: contentType.split(';')[0]!.trim() };
    if (upload.contentType === 'application/json') {
      try {
        upload.json = JSON.parse(body);
      } catch {
        upload.jsonError = true;
      }
    } else if (upload.contentType === 'multipart/form-data') {
      const m = await readMultipart(raw, contentType);
      if (!m) upload.multipartError = true;
      else {
        for (const [k, v] of m.fields) params.append(k, v);
        upload.files = m.files;
      }
    }

    const isLogin = /^\/login\/?$/.test(url.pathname);
    const fault = this.takeFault(service, isLogin, entry.path);
    if (fault && (await this.applyFault(fault, req, res))) return;

    // cPanel writes every query string to its access_log: a secret there is a bug of the client's.
    // (The one-time SSO link, /cpsessN/login/?session=…, is cPanel's own design and not refused.)
    const leaked =
      this.options.allowSecretsInUrl || /^(\/cpsess\d{10})?\/login\/?$/.test(url.pathname)
        ? []
        : [...url.searchParams.keys()].filter((k) => isSecretParam(k));
    if (leaked.length) {
      return this.send(
        res,
        400,
        'text/plain',
        `Sandbox: ${leaked.join(', ')} was sent in the URL, which cPanel writes to its access log. Send secrets in a POST body.`,
      );
    }
    const locked = this.options.bruteForceLimit !== undefined && this.failedLogins >= this.options.bruteForceLimit;
    if (locked && (isLogin || req.headers.authorization)) {
      this.lockedOutAttempts++;
      return this.loginPage(res, 401, LOCKOUT_MESSAGE);
    }

    if (isLogin && req.method === 'POST') return this.login(service, params, res);
    if (this.options.latencyMs) await new Promise((r) => setTimeout(r, this.options.latencyMs));

    // A session path: /cpsessNNNNNNNNNN/...
    const m = /^(\/cpsess\d{10})(\/.*)?$/.exec(url.pathname);
    let caller: SandboxUser | undefined;
    let token: SandboxToken | undefined;
    let rest = url.pathname;
    if (m) {
      const token = m[1]!;
      rest = m[2] ?? '/';
      const s = this.sessions.get(token);
      if (s?.ssoSecret && rest.startsWith('/login') && params.get('session') === s.ssoSecret && s.service === service) {
        s.ssoSecret = undefined;
        s.lastUsed = this.options.now();
        res.setHeader('set-cookie', `${s.cookieName}=${s.cookieValue}; HttpOnly; path=/; secure`);
        return this.send(res, 302, 'text/html', '<html><body>Redirecting…</body></html>', { location: `${token}/` });
      }
      if (!s || s.ssoSecret || s.service !== service || cookieOf(req, s.cookieName) !== s.cookieValue || this.idleExpired(s)) {
        if (s && this.idleExpired(s)) this.sessions.delete(token);
        return this.loginPage(res, 401, 'Invalid security token: your session has expired or the token is wrong. Token denied.');
      }
      s.lastUsed = this.options.now();
      if (rest.startsWith('/logout')) {
        this.sessions.delete(token);
        return this.send(res, 200, 'text/html', '<html><body>You have logged out.</body></html>');
      }
      caller = this.users.find((u) => u.user === s.user);
    } else {
      const auth = this.headerAuth(req, req.socket.remoteAddress ?? '');
      if (auth.kind === 'none') return this.loginPage(res, 401, 'Login required.');
      if (auth.kind === 'denied') {
        this.failedLogins++;
        return this.accessDenied(res);
      }
      if (auth.kind === 'tfa') {
        if (auth.wrong) this.failedLogins++;
        return this.tfaRequired(res, auth.wrong);
      }
      caller = auth.user;
      token = auth.token;
    }
    if (!caller) return this.accessDenied(res);
    return this.api(service, rest, params, caller, res, upload, token);
  }

  private idleExpired(s: SessionRecord): boolean {
    return this.options.now() - s.lastUsed > this.options.sessionIdleSeconds * 1000;
  }

  private headerAuth(
    req: http.IncomingMessage,
    from: string,
  ): { kind: 'ok'; user: SandboxUser; token?: SandboxToken } | { kind: 'none' } | { kind: 'denied' } | { kind: 'tfa'; wrong: boolean } {
    const h = req.headers.authorization;
    if (!h) return { kind: 'none' };
    const sp = h.indexOf(' ');
    const scheme = h.slice(0, sp).toLowerCase();
    const cred = h.slice(sp + 1);
    if (scheme === 'basic') {
      const decoded = Buffer.from(cred, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      const user = this.users.find((u) => u.user === decoded.slice(0, colon));
      if (!user || user.password !== decoded.slice(colon + 1) || !user.password) return { kind: 'denied' };
      if (user.tfaSecret && this.options.tfaForApi) {
        const otp = req.headers['x-cpanel-otp'];
        if (typeof otp !== 'string' || !otp) return { kind: 'tfa', wrong: false };
        if (otp !== this.totp(user.user)) return { kind: 'tfa', wrong: true };
      }
      return { kind: 'ok', user };
    }
    const colon = cred.indexOf(':');
    const name = cred.slice(0, colon);
    const secret = cred.slice(colon + 1);
    const user = this.users.find((u) => u.user === name);
    if (!user || colon < 0) return { kind: 'denied' };
    if ((scheme === 'cpanel' && !user.whm) || (scheme === 'whm' && user.whm)) {
      // A revoked token is gone; an expired one is kept and refused; one used from outside its allow-list is refused.
      const t = user.apiTokens?.find((x) => x.value === secret);
      if (t) {
        const now = this.options.now();
        if (t.expiresAt && t.expiresAt * 1000 <= now) return { kind: 'denied' };
        if (t.whitelistIps?.length && !t.whitelistIps.some((r) => ipInRange(from, r))) return { kind: 'denied' };
        t.lastUsed = Math.floor(now / 1000);
        return { kind: 'ok', user, token: t };
      }
    }
    if (scheme === 'cpanel' && !user.whm && user.tokens.includes(secret)) return { kind: 'ok', user };
    if (scheme === 'whm' && user.whm) {
      if (user.tokens.includes(secret)) return { kind: 'ok', user };
      if (user.accessHash && user.accessHash.replace(/[\r\n]/g, '') === secret) return { kind: 'ok', user };
      // A hash sent with its line breaks fails, as on a real server.
    }
    return { kind: 'denied' };
  }

  private login(service: SandboxService, params: URLSearchParams, res: http.ServerResponse): void {
    const user = this.users.find((u) => u.user === params.get('user'));
    const loginOnly = params.get('login_only') === '1';
    const refuse = (message: string, tfaForm = false): void => {
      // A missing 2FA code is the first step of a 2FA login, not a failure; a wrong one is.
      if (!(tfaForm && !params.get('tfa_token'))) this.failedLogins++;
      if (loginOnly && !tfaForm) return this.send(res, 401, 'application/json', JSON.stringify({ status: 0, message, redirect: null }));
      return this.loginPage(res, 401, message, tfaForm);
    };
    if (!user || !user.password || user.password !== params.get('pass')) return refuse('invalid_login');
    if (user.user === 'root' && service !== 'whm') return refuse('invalid cpanel user root');
    if (service === 'whm' && !user.whm) return refuse('invalid_login');
    if (user.tfaSecret) {
      const code = params.get('tfa_token');
      if (!code) return refuse('Two-factor authentication: enter the security code from your authenticator app.', true);
      const now = this.options.now();
      const step = stepOf(now / 1000);
      if (code !== this.totp(user.user, now)) return refuse('tfa_invalid: the security code is not valid.', true);
      if (this.options.rejectReusedLoginCodes && this.usedLoginSteps.get(user.user) === step) {
        return refuse('tfa_invalid: that security code was already used; wait for the next one.', true);
      }
      this.usedLoginSteps.set(user.user, step);
    }
    const s = this.newSession(user.user, service);
    res.setHeader('set-cookie', [`${s.cookieName}=${s.cookieValue}; HttpOnly; path=/; secure`, `${s.cookieName}_locale=en; path=/`]);
    const redirect = `${s.token}/${service === 'whm' ? 'scripts/command?PFILE=main' : 'frontend/jupiter/index.html'}`;
    if (loginOnly) {
      res.setHeader('location', redirect);
      return this.send(res, 200, 'application/json', JSON.stringify({ status: 1, security_token: s.token, redirect }));
    }
    return this.send(res, 301, 'text/html', `<html><body>Moved: <a href="${redirect}">continue</a></body></html>`, { location: redirect });
  }

  private newSession(user: string, service: SandboxService): SessionRecord {
    let token: string;
    do token = `/cpsess${String(randomBytes(5).readUIntBE(0, 5) % 1e10).padStart(10, '0')}`;
    while (this.sessions.has(token));
    const s: SessionRecord = {
      token,
      user,
      service,
      cookieName: COOKIE[service],
      cookieValue: `${user}%3a${randomBytes(12).toString('hex')}%2c${randomBytes(16).toString('hex')}`,
      lastUsed: this.options.now(),
    };
    this.sessions.set(token, s);
    return s;
  }

  private api(
    service: SandboxService,
    path: string,
    params: URLSearchParams,
    caller: SandboxUser,
    res: http.ServerResponse,
    upload: RequestBodyFacts,
    token?: SandboxToken,
  ): void {
    const json = (body: unknown, status = 200): void => this.send(res, status, 'application/json; charset="utf-8"', JSON.stringify(body));
    const ctx = (account: string): FnContext => ({
      caller,
      account,
      params,
      body: upload,
      personalization: this.personalization,
      received: this.received,
      accounts: this.accounts,
      mail: this.mail,
      users: this.users,
      ...(token ? { token } : {}),
      now: () => this.options.now(),
      openSession: (user, svc) => {
        const target = SSO_SERVICE[svc];
        const s = this.newSession(user, target);
        s.ssoSecret = `${user}:${randomBytes(16).toString('hex')}`;
        const expires = Math.floor(this.options.now() / 1000) + 15 * 60;
        const port = this.port(target, true);
        return {
          url: `https://${this.host}:${port}${s.token}/login/?session=${encodeURIComponent(s.ssoSecret)}`,
          session: s.ssoSecret,
          token: s.token,
          expires,
        };
      },
    });

    const exec = /^\/execute\/([^/]+)\/([^/]+)\/?$/.exec(path);
    if (exec) {
      if (service === 'whm')
        return json({ status: 0, errors: ['Function not found'], messages: null, warnings: null, data: null, metadata: {} });
      if (caller.whm) return this.accessDenied(res);
      if (token?.readonly && !readonlyAllows(exec[1]!, exec[2]!)) {
        return json({
          status: 0,
          errors: ['Access denied: this API token is read-only.'],
          messages: null,
          warnings: null,
          data: null,
          metadata: {},
        });
      }
      return json(shapeUapi(uapi(exec[1]!, exec[2]!, ctx(caller.user)), params));
    }
    const ja = /^\/json-api\/([^/]+)\/?$/.exec(path);
    if (!ja) return this.send(res, 404, 'text/html', '<html><body><h1>404 Not Found</h1></body></html>');
    const fn = ja[1]!;
    if (service !== 'whm') {
      return json({ metadata: { result: 0, reason: 'Permission denied', version: 1, command: fn }, data: null });
    }
    if (!caller.whm) return this.accessDenied(res);
    const userDenies = caller.acl && isWhmFunction(fn) && !caller.acl.includes(fn) && !WHM_UNGATED.includes(fn);
    if (userDenies || (token && !aclsGrant(token.acls, fn))) {
      // As WHM answers a function the user's privileges do not grant: as if it did not exist.
      return json({
        metadata: { result: 0, reason: `Unknown app (“${fn}”) requested for this version (1) of the API.`, version: 1, command: fn },
      });
    }
    if (fn === 'cpanel') return this.cpanelThroughWhm(params, caller, ctx, json);
    if (params.get('api.version') !== '1') {
      // Legacy WHM API 0: a different shape, which is why clients must always send api.version=1.
      const a = whm(fn, ctx(''));
      return json({ status: a.result, statusmsg: a.reason, ...(typeof a.data === 'object' ? a.data : {}) });
    }
    if (fn === 'uapi_cpanel' && this.options.noUapiCpanel) {
      return json({
        metadata: { result: 0, reason: `Unknown app (“${fn}”) requested for this version (1) of the API.`, version: 1, command: fn },
      });
    }
    if (fn === 'uapi_cpanel') {
      const user = params.get('cpanel.user') ?? '';
      if (!this.owned(caller, user))
        return json({ metadata: { result: 0, reason: 'User parameter is invalid or was not supplied', version: 1, command: fn } });
      const inner = shapeUapi(uapi(params.get('cpanel.module') ?? '', params.get('cpanel.function') ?? '', ctx(user)), params);
      return json({ metadata: { result: 1, reason: 'OK', version: 1, command: fn }, data: { uapi: inner } });
    }
    const a = whm(fn, ctx(''));
    const shaped = a.result ? shapeWhm(a.data, params) : { data: a.data, metadata: {} };
    if ('error' in shaped && shaped.error) return json({ metadata: { result: 0, reason: shaped.error, version: 1, command: fn } });
    const metadata: Record<string, unknown> = { result: a.result, reason: a.reason, version: 1, command: fn, ...shaped.metadata };
    if (a.output) metadata.output = a.output;
    return json(shaped.data === undefined ? { metadata } : { metadata, data: shaped.data });
  }

  private owned(caller: SandboxUser, user: string): boolean {
    return this.accounts.some((a) => a.user === user && (caller.user === 'root' || a.owner === caller.user));
  }

  /** /json-api/cpanel: UAPI (apiversion 3) or API 2 (2, and the default) on behalf of an account. */
  private cpanelThroughWhm(params: URLSearchParams, caller: SandboxUser, ctx: (a: string) => FnContext, json: (b: unknown) => void): void {
    const user = params.get('cpanel_jsonapi_user') ?? '';
    const module = params.get('cpanel_jsonapi_module') ?? '';
    const func = params.get('cpanel_jsonapi_func') ?? '';
    const version = params.get('cpanel_jsonapi_apiversion') ?? '2';
    if (!this.owned(caller, user)) {
      return json({
        cpanelresult: {
          apiversion: Number(version),
          error: 'User parameter is invalid or was not supplied',
          data: { result: '0', reason: 'User parameter is invalid or was not supplied' },
          type: 'text',
        },
      });
    }
    const inner = new URLSearchParams([...params].filter(([k]) => !k.startsWith('cpanel_jsonapi_')));
    const c = { ...ctx(user), params: inner };
    if (version === '3') return json({ apiversion: 3, module, func, result: shapeUapi(uapi(module, func, c), inner) });
    const r = api2(module, func, c);
    const shaped = r.error ? { data: r.data } : shapeApi2(r.data, inner);
    const error = r.error ?? shaped.error;
    return json({
      cpanelresult: {
        apiversion: 2,
        module,
        func,
        data: error ? undefined : shaped.data,
        event: { result: error ? 0 : 1 },
        ...(error ? { error } : {}),
        ...(shaped.paginate ? { paginate: shaped.paginate } : {}),
        preevent: { result: 1 },
        postevent: { result: 1 },
      },
    });
  }

  private async applyFault(rule: FaultRule, req: http.IncomingMessage, res: http.ServerResponse): Promise<boolean> {
    const f = rule.fault;
    switch (f.kind) {
      case 'slow-headers':
        await new Promise<void>((r) => {
          const t = setTimeout(() => {
            this.timers.delete(t);
            r();
          }, f.ms);
          this.timers.add(t);
        });
        return res.destroyed || req.socket.destroyed;
      case 'drop':
        req.socket.destroy();
        return true;
      case 'drop-mid-body':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100000' });
        res.write('{"status":1,"errors":null,"data":[');
        setImmediate(() => req.socket.destroy());
        return true;
      case 'html':
        this.send(
          res,
          200,
          'text/html',
          '<!DOCTYPE html>\n<html>\n<head><title>Proxy Error</title></head>\n<body><h1>Bad Gateway</h1><p>The proxy server received an invalid response.</p></body>\n</html>\n',
        );
        return true;
      case 'status500':
        this.send(
          res,
          500,
          'text/html',
          '<html><head><title>500 Internal Server Error</title></head><body><h1>Internal Server Error</h1></body></html>',
        );
        return true;
      case 'truncated': {
        const full = JSON.stringify({
          status: 1,
          errors: null,
          messages: null,
          warnings: null,
          data: [{ email: 'a@b.example', login: 'a@b.example' }],
          metadata: {},
        });
        this.send(res, 200, 'application/json', full.slice(0, Math.floor(full.length / 2)));
        return true;
      }
      case 'huge': {
        res.writeHead(200, { 'content-type': 'application/json' });
        const item = JSON.stringify({
          email: 'mailbox-0000000@example.test',
          login: 'mailbox-0000000@example.test',
          suspended_login: 0,
          diskquota: 'unlimited',
          diskused: 123456,
        });
        res.write('{"status":1,"errors":null,"messages":null,"warnings":null,"metadata":{},"data":[');
        let sent = 0;
        let i = 0;
        while (sent < f.bytes && !res.destroyed) {
          const chunk: string[] = [];
          for (let k = 0; k < 1000 && sent < f.bytes; k++, i++) {
            const s = (i ? ',' : '') + item.replace(/0000000/g, String(i).padStart(7, '0'));
            chunk.push(s);
            sent += s.length;
          }
          if (!res.write(chunk.join(''))) {
            await new Promise<void>((resolve) => {
              const done = (): void => {
                res.off('drain', done);
                res.off('close', done);
                resolve();
              };
              res.on('drain', done);
              res.on('close', done);
            });
          }
        }
        res.end(']}');
        return true;
      }
    }
  }

  private send(res: http.ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...headers });
    res.end(body);
  }

  private loginPage(res: http.ServerResponse, status: number, message: string, tfa = false): void {
    const form = tfa
      ? '<form id="tfa_login_form" method="post" action="/login"><input name="tfa_token" autocomplete="one-time-code"></form>'
      : '<form id="login_form" method="post" action="/login"><input name="user"><input name="pass" type="password"></form>';
    this.send(
      res,
      status,
      'text/html; charset="utf-8"',
      `<!DOCTYPE html>\n<html>\n<head><title>cPanel Login</title></head>\n<body>\n<div id="login-status">${message}</div>\n${form}\n</body>\n</html>\n`,
    );
  }

  private accessDenied(res: http.ServerResponse): void {
    this.send(
      res,
      403,
      'application/json',
      JSON.stringify({
        cpanelresult: { apiversion: '2', error: 'Access denied', data: { reason: 'Access denied', result: '0' }, type: 'text' },
      }),
    );
  }

  private tfaRequired(res: http.ServerResponse, wrong: boolean): void {
    this.loginPage(
      res,
      401,
      wrong
        ? 'The security code is not valid: two-factor authentication failed.'
        : 'Two-factor authentication is required for API requests.',
      true,
    );
  }
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 16 * 1024 * 1024) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A multipart/form-data body as cpsrvd reads it: fields, and files with their bytes. */
async function readMultipart(
  body: Buffer,
  contentType: string,
): Promise<{ fields: [string, string][]; files: UploadedFile[] } | undefined> {
  try {
    const form = await new Response(new Uint8Array(body), { headers: { 'content-type': contentType } }).formData();
    const fields: [string, string][] = [];
    const files: UploadedFile[] = [];
    for (const [k, v] of form) {
      if (typeof v === 'string') fields.push([k, v]);
      else {
        const bytes = Buffer.from(await v.arrayBuffer());
        files.push({ field: k, filename: v.name, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
      }
    }
    return { fields, files };
  } catch {
    return undefined;
  }
}

function cookieOf(req: http.IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}
