import { newFormData, type FormData } from './undici';
import { FAMILIES } from '../shared/families';
import { openAsBlob, promises } from 'node:fs';
import { basename } from 'node:path';
import { buildRequest, functionName, methodOf, paramValue, secretNames, type ApiRequest, type BuiltRequest } from './api/request';
import { normalize } from './api/normalize';
import { lockoutFailure, mentionsTwoFactor } from './auth/login';
import { OTP_HEADER } from './auth/twoFactor';
import { clockTime, credentialKey, isLockout, RefusalBook, type Refusal } from './auth/refusals';
import { AUTH_SCHEMES, SECRET_SPECS } from './auth/schemes';
import { isSessionRejected, SessionManager, type Session } from './auth/session';
import { readUserSession, redeemUserSession, type SsoService, type UserSession } from './auth/sso';
import {
  createAgent,
  formatBytes,
  inspectCertificate,
  send,
  type Connections,
  type HttpRequest,
  type HttpResponse,
  type ProxySettings,
} from './http';
import { DEFAULT_LIMITS, type TransportLimits } from './limits';
import { systemClock, totpSecretProblem, TotpSource, type Clock } from './otp';
import { Redactor, redactHeaders, redactUrl } from './redact';
import { CallFailure, unsentResult, type ApiResult, type CertificateInfo, type Phases } from './result';
import { CallScope } from './callScope';
import { Catalog } from './catalog';
import { monotonicMs, tenthMs as tenth } from './monotonic';
import {
  baseUrl,
  defaultPort,
  profileProblems,
  requiredSecrets,
  SERVICE_NAMES,
  serviceOfPort,
  type Secrets,
  type ServerProfile,
} from './servers';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';
/** Receives only redacted text. */
export type LogSink = (level: LogLevel, message: string) => void;

export interface ClientOptions {
  limits?: Partial<TransportLimits>;
  clock?: Clock;
  log?: LogSink;
  /** Seconds before the end of a TOTP step within which a new code is awaited instead of sent. */
  otpMarginSeconds?: number;
  /** For SSO account clients: how to get a fresh login URL when the session ends. */
  ssoLogin?: (signal?: AbortSignal) => Promise<UserSession>;
  /** Reach the server through this HTTP(S) proxy (unless its host is in noProxy). */
  proxy?: ProxySettings;
  /**
   * Where refused credentials and cPHulk lockouts are remembered: one book for every client of a run
   * or a window, so that profiles sharing a host and a credential share a refusal. Default: this client's own.
   */
  refusals?: RefusalBook;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** The deadline for the whole call (login, retry and the whole answer), in milliseconds. */
  timeoutMs?: number;
  /** Keep the server's body exactly as received in `rawUnredacted` (cpapi --raw --unredacted only). */
  keepUnredacted?: boolean;
  /**
   * The secret values this answer carries (the token a create call returns, once), read from the
   * parsed answer by the caller, which keeps them: each is learnt by the redactor before the answer is
   * scrubbed, so no result, log line or History entry holds it.
   */
  secretsInAnswer?: (answer: unknown) => readonly string[];
  /**
   * The request as the pipeline already built it for this profile (to preview and confirm it): sent as
   * it is rather than built a second time, unless this server takes another route (an older WHM's
   * UAPI envelope).
   */
  built?: BuiltRequest;
}

/** Deeper nesting than this is no cPanel answer, and would overflow the stack of whatever prints it. */
export const MAX_JSON_DEPTH = 256;

/** `unreachable`: the last call found nothing listening, timed out or lost its connection. */
export type ClientState = 'signed_out' | 'signed_in' | 'error' | 'unreachable';

const USER_AGENT = 'cpanel-api-explorer/0.1';

/**
 * One per server profile: owns the connection pool and the session, and turns every call into an
 * ApiResult. It never throws for a call: every failure comes back as a result with a kind and a hint.
 */
export class CpanelClient {
  readonly redactor: Redactor;
  private readonly limits: TransportLimits;
  private readonly clock: Clock;
  private agent: Connections | undefined;
  private readonly sessions: SessionManager | undefined;
  private readonly totp: TotpSource | undefined;
  private _state: ClientState = 'signed_out';
  /** Whether this server ever answered this client (so a refused connection is not a wrong port). */
  private answered = false;
  private problem: string | null | undefined;
  private readonly listeners = new Set<(s: ClientState) => void>();
  private readonly refusals: RefusalBook;
  private readonly credential: string;
  /** The headers as a person may see them, by the kind of request (they differ only in redacted values). */
  private readonly shownHeaders = new Map<string, readonly [string, string][]>();
  /** This WHM has no uapi_cpanel (older than it): UAPI on behalf of accounts goes through json-api/cpanel. */
  private legacyUapi = false;
  /** The Authorization header, made once: the profile and secrets of a client never change. */
  private authHeader: string | undefined;
  /** The server's origin, made once (every answer's request URL starts with it). */
  private readonly origin: string;

  constructor(
    readonly profile: ServerProfile,
    private readonly secrets: Secrets,
    private readonly options: ClientOptions = {},
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.clock = options.clock ?? systemClock;
    this.refusals = options.refusals ?? new RefusalBook();
    this.origin = baseUrl(profile);
    // The credential is what the profile signs in with: a stored secret it does not use (the password a
    // token server kept) is not part of it, so storing one does not make a refused credential new.
    this.credential = credentialKey(profile, options.ssoLogin ? [`sso:${profile.id}`] : requiredSecrets(profile).map((k) => secrets[k]));
    this.redactor = new Redactor(() => this.clock.now());
    // Every secret held, and every form the scheme sends it in (the Basic value is the password, encoded).
    for (const v of [secrets.password, secrets.token, secrets.accessHash, secrets.totpSecret]) this.redactor.add(v);
    const scheme = Object.hasOwn(AUTH_SCHEMES, profile.auth) ? AUTH_SCHEMES[profile.auth] : undefined;
    const secret = scheme ? (secrets[scheme.secret] ?? '') : '';
    if (scheme && secret) for (const v of scheme.secretForms(profile, secret)) this.redactor.add(v);
    // The proxy's own password, if its URL carries one, is a secret like the others.
    const proxyPassword = options.proxy ? safeUrl(options.proxy.url)?.password : undefined;
    if (proxyPassword) this.redactor.add(decodeURIComponent(proxyPassword));
    if (profile.twoFactor !== 'none' && secrets.totpSecret && !totpSecretProblem(secrets.totpSecret)) {
      this.totp = new TotpSource(secrets.totpSecret, this.clock, options.otpMarginSeconds);
    }
    if (options.ssoLogin) {
      const ssoLogin = options.ssoLogin;
      this.sessions = new SessionManager(async (signal) =>
        redeemUserSession({ send: (r) => this.transport(r), userSession: await ssoLogin(signal), redactor: this.redactor, signal }),
      );
    } else if (scheme?.openSession) {
      const open = scheme.openSession.bind(scheme);
      this.sessions = new SessionManager((signal) =>
        open({ send: (r) => this.transport(r), profile, secret, totp: this.totp, redactor: this.redactor, signal }),
      );
    }
  }

  get state(): ClientState {
    return this._state;
  }

  /** Logins made so far (session and SSO modes). */
  get loginCount(): number {
    return this.sessions?.loginCount ?? 0;
  }

  onDidChangeState(listener: (s: ClientState) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Why this client cannot make calls (profile or secrets), or undefined. */
  configProblem(): string | undefined {
    // Profile and secrets never change for a client, so the answer is worked out once (it checks a TOTP secret by making a code).
    if (this.problem === undefined) this.problem = this.findConfigProblem() ?? null;
    return this.problem ?? undefined;
  }

  private findConfigProblem(): string | undefined {
    if (this.options.ssoLogin) return undefined;
    const problems = profileProblems(this.profile);
    if (problems.length) return problems.join(' ');
    const missing = requiredSecrets(this.profile).filter((k) => !this.secrets[k]);
    if (missing.length) {
      return `The ${missing.map((k) => SECRET_SPECS[k].name).join(' and ')} for ${this.profile.label} ${missing.length > 1 ? 'are' : 'is'} not stored: set ${missing.length > 1 ? 'them' : 'it'} for this server.`;
    }
    const scheme = AUTH_SCHEMES[this.profile.auth];
    const header = scheme.authorization(this.profile, this.secrets[scheme.secret] ?? '');
    if (header !== undefined && hasControlCharacter(header)) {
      return `The ${scheme.name} for ${this.profile.label} contains a line break or another control character, which cannot go into a request header: copy it again without them.`;
    }
    if (this.profile.twoFactor !== 'none') return totpSecretProblem(this.secrets.totpSecret ?? '');
    return undefined;
  }

  async call(req: ApiRequest, opts: CallOptions = {}): Promise<ApiResult> {
    const started = monotonicMs();
    let built: BuiltRequest | undefined;
    let sentPath = '';
    /** Time spent on (or waiting for) a session login within this call, and waiting for another call to try the credential. */
    const waits = { loginMs: 0, turnMs: 0 };
    /** The headers of the last exchange, redacted (for the Request tab and History). */
    const sent: Sent = {};
    // One deadline for the whole call: a server that sends a byte a second never ends otherwise.
    const deadlineMs = opts.timeoutMs ?? this.limits.deadlineMs;
    const scope = new CallScope(deadlineMs, opts.signal);
    let releaseProbe: (() => void) | undefined;
    try {
      const problem = this.configProblem();
      if (problem) throw new CallFailure('config_error', problem);
      built = opts.built && !this.reroutes(req) ? opts.built : buildRequest(req, this.profile, { legacyUapi: this.legacyUapi });
      // A secret the call carries (a new mailbox's password) is scrubbed from its answer like the client's own.
      if (req.params.length || req.secretParams?.length) this.learnSecretParams(req);
      // Refused before, or locked out: not sent. Not yet accepted: one call at a time tries it.
      let turn = this.refusals.turnNow(this.credential, this.profile.host);
      if (!turn) {
        const t = monotonicMs();
        turn = await this.refusals.turn(this.credential, this.profile.host, scope.signal);
        waits.turnMs = monotonicMs() - t;
      }
      if ('refusal' in turn) return this.notSent(turn, req, built);
      releaseProbe = turn.release;
      if (scope.aborted) throw new CallFailure('cancelled', 'Cancelled before it was sent.');
      let session = this.sessions?.session;
      if (this.sessions && !session) {
        const t = monotonicMs();
        session = await this.sessions.get(scope.signal);
        waits.loginMs += monotonicMs() - t;
      }
      sentPath = (session?.token ?? '') + built.path;
      let res = await this.exchange(built, session, scope, sent, opts.timeoutMs);
      if (session && isSessionRejected(res.status, res.body.toString('utf8', 0, 4096))) {
        // The server refused the session itself, so it did not run the call: one new login and one retry are safe.
        this.log('info', `session for ${this.profile.label} was refused (HTTP ${res.status}); logging in again`);
        const t = monotonicMs();
        session = await this.sessions!.renew(session, scope.signal);
        waits.loginMs += monotonicMs() - t;
        sentPath = session.token + built.path;
        res = await this.exchange(built, session, scope, sent, opts.timeoutMs);
        if (isSessionRejected(res.status, res.body.toString('utf8', 0, 4096))) {
          this.sessions!.clear();
          throw new CallFailure(
            'auth_error',
            'The server refused a new session right after logging in. The session may be bound to another IP address, or the service and port do not match: check them.',
            { status: res.status },
          );
        }
      }
      if (opts.secretsInAnswer) this.learnFromAnswer(res.body.toString('utf8'), opts.secretsInAnswer);
      let result = this.interpret(res, built, req, sentPath, sent, monotonicMs() - started, opts.keepUnredacted === true, waits);
      if (
        !this.legacyUapi &&
        req.family === 'uapi' &&
        req.asUser !== undefined &&
        result.kind === 'api_error' &&
        /unknown app.{0,4}uapi_cpanel/i.test(result.errors.join(' '))
      ) {
        // A WHM older than uapi_cpanel did not run the call: once per server, the documented older envelope instead.
        this.legacyUapi = true;
        this.log(
          'info',
          `${this.profile.label} has no uapi_cpanel: UAPI goes through json-api/cpanel (cpanel_jsonapi_apiversion=3) from now on`,
        );
        built = buildRequest(req, this.profile, { legacyUapi: true });
        sentPath = (session?.token ?? '') + built.path;
        res = await this.exchange(built, session, scope, sent, opts.timeoutMs);
        if (opts.secretsInAnswer) this.learnFromAnswer(res.body.toString('utf8'), opts.secretsInAnswer);
        result = this.interpret(res, built, req, sentPath, sent, monotonicMs() - started, opts.keepUnredacted === true, waits);
      }
      this.answered = true;
      if (result.kind === 'locked_out') this.refusals.lockOut(this.profile.host, this.refusalOf(result.hint ?? ''));
      else if (result.kind === 'auth_error' && !session && (res.status === 401 || res.status === 403))
        this.refusals.refuse(this.credential, this.refusalOf(result.hint ?? '', mentionsTwoFactor(result.raw)));
      else if (result.kind !== 'auth_error') this.refusals.accept(this.credential);
      this.setState(result.kind === 'auth_error' || result.kind === 'locked_out' ? 'error' : 'signed_in');
      return result;
    } catch (err) {
      let f = err instanceof CallFailure ? err : new CallFailure('network_error', err instanceof Error ? err.message : String(err));
      if (scope.timedOut && !opts.signal?.aborted) {
        f = new CallFailure(
          'timeout',
          `The call did not finish within ${formatSeconds(deadlineMs)}${f.kind === 'cancelled' || f.kind === 'timeout' ? '' : ` (${f.message})`}. The server may be slow or sending its answer very slowly: raise the timeout, or narrow the call.`,
        );
      }
      // A port that answered before is not the wrong port: say what else it may be.
      if (f.kind === 'network_error' && this.answered && / Check the port: /.test(f.message)) {
        f = new CallFailure(
          'network_error',
          f.message.replace(
            / Check the port: .*$/,
            ` ${this.profile.label} answered on this port before: the server (cpsrvd) may be down or restarting, or a firewall now blocks it.`,
          ),
          f.extra,
        );
      }
      if (f.kind === 'locked_out') this.refusals.lockOut(this.profile.host, this.refusalOf(f.message));
      else if (f.extra.credentialRefused)
        this.refusals.refuse(this.credential, this.refusalOf(f.message, f.extra.credentialRefused === 'twoFactor'));
      const result = await this.failureResult(f, req, built, sentPath, sent, monotonicMs() - started);
      if (f.kind === 'auth_error' || f.kind === 'tls_error' || f.kind === 'locked_out') this.setState('error');
      else if (f.kind === 'network_error' || f.kind === 'timeout') this.setState('unreachable');
      return result;
    } finally {
      scope.dispose();
      releaseProbe?.();
    }
  }

  /** Whether this server sends the request another way than it was built for the profile (an older WHM's UAPI envelope). */
  private reroutes(req: ApiRequest): boolean {
    return this.legacyUapi && req.family === 'uapi' && req.asUser !== undefined;
  }

  /** The secret values a call sends (a new mailbox's password): learnt, so no answer, hint or log line holds them. */
  private learnSecretParams(req: ApiRequest): void {
    const secret = secretNames(req);
    if (!secret.length) return;
    for (const [name, value] of req.params) if (secret.includes(name)) this.redactor.learn(paramValue(value));
  }

  /**
   * The person asks to try this server again (Test Connection, "Try Again", new credentials typed): the
   * refused credential and the host's cPHulk lockout are forgotten, so the next call is sent.
   */
  retryCredentials(): void {
    this.refusals.forgive(this.credential, this.profile.host);
  }

  /** Why the next call must not be sent: cPHulk's lockout of this host, or this credential refused before. */
  refusedBefore(): { refusal: Refusal; lockout: boolean } | undefined {
    const lockout = this.refusals.lockout(this.profile.host);
    if (lockout) return { refusal: lockout, lockout: true };
    const refusal = this.refusals.refusal(this.credential);
    return refusal ? { refusal, lockout: false } : undefined;
  }

  private refusalOf(hint: string, twoFactor = false): Refusal {
    const scheme = AUTH_SCHEMES[this.profile.auth];
    const what = twoFactor
      ? `the two-factor code for ${this.profile.username}`
      : `the ${SECRET_SPECS[scheme.secret].name} for ${this.profile.username}`;
    return { at: this.clock.now(), what, hint };
  }

  /** A call that was not sent because the server had refused this credential, or locked the address out. */
  private notSent(r: { refusal: Refusal; lockout: boolean }, req: ApiRequest, built: BuiltRequest): ApiResult {
    const when = clockTime(r.refusal.at);
    const hint = r.lockout
      ? `Not sent: ${this.profile.host} locked out logins from this address at ${when} (cPHulk). Sending more would only lengthen the block: wait for it to end, or have an administrator remove it in WHM's cPHulk page, then try again.`
      : `Not sent: ${r.refusal.what} was refused at ${when}; set new credentials for ${this.profile.label} (or try again once they are fixed on the server). Another refused login could get this address blocked by cPHulk.`;
    return unsentResult(
      r.lockout ? 'locked_out' : 'auth_error',
      hint,
      { method: built.method, url: redactUrl(this.origin + built.path), family: req.family, function: safeLabel(req) },
      { refused: { at: r.refusal.at, what: r.lockout ? `logins from this address to ${this.profile.host}` : r.refusal.what } },
    );
  }

  /** Ends the session on the server (best effort) and forgets it. */
  async signOut(): Promise<void> {
    const session = this.sessions?.session;
    this.sessions?.clear();
    if (session && this.agent) {
      try {
        await this.transport({ method: 'GET', path: `${session.token}/logout/`, headers: { cookie: session.cookie } });
      } catch {
        /* the session is forgotten here whatever the server says */
      }
    }
    this.setState('signed_out');
  }

  /** The certificate this server presents, and whether it is trusted under the profile's policy. */
  certificate(): Promise<CertificateInfo> {
    return inspectCertificate(this.profile, this.limits.connectTimeoutMs);
  }

  /**
   * Single Sign On (WHM API 1 create_user_session): a one-time login URL for `user` on `service`.
   * The URL is a credential: show it to nobody, hand it to the browser.
   */
  async createUserSession(user: string, service: SsoService, opts: CallOptions = {}): Promise<UserSession> {
    const r = await this.call(
      {
        family: 'whm',
        function: 'create_user_session',
        params: [
          ['user', user],
          ['service', service],
        ],
      },
      opts,
    );
    if (!r.ok) {
      throw new CallFailure(
        r.kind === 'ok' || r.kind === 'api_error' ? 'auth_error' : r.kind,
        `WHM could not open a session for ${user}: ${r.hint ?? r.errors.join(' ')}`,
      );
    }
    const us = readUserSession(r.data);
    this.redactor.add(us.session);
    this.redactor.add(us.securityToken.replace(/^\//, ''));
    return us;
  }

  /**
   * A client that calls cPanel's own port as `user`, through sessions WHM opens with
   * create_user_session (Single Sign On): no password of the account is needed. Call close() on it.
   */
  async accountClient(user: string, opts: CallOptions = {}): Promise<CpanelClient> {
    const first = await this.createUserSession(user, 'cpaneld', opts);
    const u = new URL(first.url);
    const secure = u.protocol === 'https:';
    const port = u.port ? Number(u.port) : secure ? 443 : 80;
    let pending: UserSession | undefined = first;
    const profile: ServerProfile = {
      ...this.profile,
      id: `${this.profile.id}/${user}`,
      label: `${this.profile.label} → ${user}`,
      service: 'cpanel',
      username: user,
      auth: 'session',
      twoFactor: 'none',
      secure,
      port,
      tls: secure ? this.profile.tls : { mode: 'system' },
    };
    return new CpanelClient(
      profile,
      {},
      {
        ...this.options,
        ssoLogin: async (signal) => {
          const us = pending ?? (await this.createUserSession(user, 'cpaneld', { signal }));
          pending = undefined;
          return us;
        },
      },
    );
  }

  async close(): Promise<void> {
    const a = this.agent;
    this.agent = undefined;
    await a?.close();
  }

  private setState(s: ClientState): void {
    if (s === this._state) return;
    this._state = s;
    for (const l of this.listeners) l(s);
  }

  private log(level: LogLevel, message: string): void {
    this.options.log?.(level, this.redactor.redact(message));
  }

  private transport(req: HttpRequest): Promise<HttpResponse> {
    this.agent ??= createAgent(this.profile, this.limits, this.options.proxy);
    return send(this.agent, this.profile, this.limits, req);
  }

  private authorization(): string {
    if (this.authHeader !== undefined) return this.authHeader;
    const scheme = AUTH_SCHEMES[this.profile.auth];
    const header = scheme.authorization(this.profile, this.secrets[scheme.secret] ?? '');
    if (header === undefined)
      throw new CallFailure('config_error', `${scheme.name} calls carry a session cookie, not an Authorization header.`);
    return (this.authHeader = header);
  }

  /**
   * One request and its answer. Not itself async: most calls have nothing to wait for before they
   * are sent (the next TOTP step's code, files to open), and each async layer costs a turn per call.
   */
  private exchange(
    built: BuiltRequest,
    session: Session | undefined,
    scope: CallScope,
    sent: Sent,
    timeoutMs?: number,
  ): Promise<HttpResponse> {
    const otp = this.profile.twoFactor === 'header' ? this.totp : undefined;
    // A code of this step, made once a step; near a step's end, the next step's (waited for).
    const code = otp?.ready();
    if ((otp && !code) || built.multipart) return this.exchangeWhenReady(built, session, scope, sent, otp, timeoutMs);
    return this.sendNow(built, session, scope, sent, code, built.body, timeoutMs);
  }

  private async exchangeWhenReady(
    built: BuiltRequest,
    session: Session | undefined,
    scope: CallScope,
    sent: Sent,
    otp: TotpSource | undefined,
    timeoutMs: number | undefined,
  ): Promise<HttpResponse> {
    const code = otp ? (otp.ready() ?? (await otp.next({ signal: scope.signal }))) : undefined;
    // Files are opened for each send (a retry after a refused session reads them again).
    const body = built.multipart ? await multipartBody(built.multipart, this.limits.maxUploadBytes) : built.body;
    return this.sendNow(built, session, scope, sent, code, body, timeoutMs);
  }

  private sendNow(
    built: BuiltRequest,
    session: Session | undefined,
    scope: CallScope,
    sent: Sent,
    code: { code: string; step: number } | undefined,
    body: string | FormData | undefined,
    timeoutMs: number | undefined,
  ): Promise<HttpResponse> {
    const headers: Record<string, string> = session
      ? { accept: 'application/json', 'user-agent': USER_AGENT, cookie: session.cookie }
      : { accept: 'application/json', 'user-agent': USER_AGENT, authorization: this.authorization() };
    const path = session ? session.token + built.path : built.path;
    if (code) {
      this.redactor.addCode(code.code, code.step);
      headers[OTP_HEADER_NAME] = code.code;
    }
    // A multipart body sets its own content type, with its boundary.
    const contentType = built.contentType && built.contentType !== 'multipart/form-data' ? built.contentType : undefined;
    if (contentType) headers['content-type'] = contentType;
    sent.headers = this.shown(headers, session !== undefined, code !== undefined, contentType);
    const answer = this.transport({ method: built.method, path, headers, body, scope, timeoutMs, idempotent: built.idempotent });
    // Debug lines are built only for a listener: redacting every URL costs more than the rest of a call's own work.
    if (!this.options.log) return answer;
    this.log('debug', `→ ${built.method} ${this.origin}${path}${describeBody(built)}`);
    return answer.then((res) => {
      this.log('debug', `← HTTP ${res.status}, ${formatBytes(res.body.length)} in ${Math.round(res.totalMs)} ms`);
      return res;
    });
  }

  /**
   * The headers as a person may see what was sent: credentials, cookies and the OTP code redacted. They
   * differ between calls only in what is redacted, so each kind is made once and shared (never changed).
   */
  private shown(headers: Record<string, string>, session: boolean, otp: boolean, contentType: string | undefined): [string, string][] {
    const key = `${session ? 's' : 'a'}${otp ? 'o' : ''}${contentType ?? ''}`;
    let h = this.shownHeaders.get(key);
    if (!h) this.shownHeaders.set(key, (h = Object.freeze(Object.entries(redactHeaders(headers)))));
    return h as [string, string][];
  }

  /** The answer's headers as a person may see them: cookies and credentials redacted, known secrets scrubbed. */
  private responseHeaders(h: HttpResponse['headers']): Record<string, string> {
    const out = redactHeaders(h);
    for (const k in out) out[k] = this.redactor.scrubKnown(out[k]!);
    return out;
  }

  /** The secrets an answer carries, learnt before anything reads it; an answer that is not JSON has none to give. */
  private learnFromAnswer(text: string, read: (answer: unknown) => readonly string[]): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return;
    }
    for (const v of read(parsed)) if (typeof v === 'string') this.redactor.learn(v);
  }

  private interpret(
    res: HttpResponse,
    built: BuiltRequest,
    req: ApiRequest,
    sentPath: string,
    sent: Sent,
    totalMs: number,
    keepUnredacted: boolean,
    waits: { loginMs: number; turnMs: number },
  ): ApiResult {
    const text = res.body.toString('utf8');
    const contentType = String(res.headers['content-type'] ?? '');
    // Scrubbed once: the raw answer shown, and whether the parsed data needs scrubbing too.
    const scrubbed = this.redactor.scrubKnown(text);
    const base = {
      status: res.status,
      raw: scrubbed,
      contentType,
      headers: this.responseHeaders(res.headers),
      timings: { headersMs: Math.round(res.headersMs), totalMs: Math.round(totalMs), phases: withWaits(res.phases, waits) },
      request: shownRequest(built.method, redactUrl(this.origin + sentPath), req.family, built.label, sent.headers),
      ...(keepUnredacted ? { rawUnredacted: text } : {}),
    };
    const fail = (kind: ApiResult['kind'], hint: string, errors: string[] = [hint]): ApiResult => ({
      data: null,
      warnings: [],
      messages: [],
      metadata: {},
      ...base,
      ok: false,
      kind,
      errors: errors.map((e) => this.redactor.redact(e)),
      hint: this.redactor.redact(hint),
    });

    const trimmed = text.trimStart();
    const jsonLike = trimmed.startsWith('{') || trimmed.startsWith('[');
    // cPHulk's lockout is a refusal (401/403) or a page: an answer in JSON is not searched for it.
    const refused = res.status === 401 || res.status === 403;
    if ((refused || !jsonLike) && isLockout(text) && (refused || /<html|<!doctype/i.test(text.slice(0, 512)))) {
      return fail('locked_out', lockoutFailure(this.profile.username, res.status).message);
    }
    if (res.status === 401 || res.status === 403) return fail('auth_error', this.authFailure(res.status, text));
    if (res.status === 431 || res.status === 414) {
      return fail(
        'http_error',
        `The server refused the request as too large (HTTP ${res.status}: ${res.status === 431 ? 'request header fields too large' : 'URI too long'}): the parameters do not fit in a URL. Send it as POST, which puts them in the body.`,
      );
    }
    if (res.status >= 300 && res.status < 400) {
      const loc = String(res.headers.location ?? '');
      return fail(
        'http_error',
        `The server redirected the call (HTTP ${res.status}${loc ? ` to ${redactUrl(loc)}` : ''}). Redirects are not followed, so credentials never go elsewhere: check the host, port and whether "secure" is right.`,
      );
    }
    if (!trimmed) {
      return fail(
        res.status >= 400 ? 'http_error' : 'malformed',
        `The server sent an empty answer (HTTP ${res.status}) where JSON was expected. Check the service and port.`,
      );
    }
    if (!jsonLike) {
      const kind = res.status >= 400 ? 'http_error' : 'malformed';
      const what = /<html|<!doctype/i.test(trimmed.slice(0, 512)) ? 'an HTML page' : 'text';
      const login = /login|password/i.test(trimmed.slice(0, 8192))
        ? ' It looks like a login page: the credentials or session may not have been accepted.'
        : '';
      return fail(
        kind,
        `The server answered ${what} where JSON was expected (HTTP ${res.status}).${login} Check the service and port. It begins: ${firstLines(this.redactor.scrubKnown(trimmed))}`,
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      const cut = /end of (JSON )?input|unterminated/i.test(why);
      return fail(
        'malformed',
        cut
          ? `The answer is not complete JSON: it ends abruptly after ${formatBytes(res.body.length)}, so it was probably cut off on the way. Try again.`
          : `The answer is not valid JSON (${why}). It begins: ${firstLines(this.redactor.scrubKnown(trimmed))}`,
      );
    }
    if (tooDeep(parsed, 0)) {
      return fail(
        'malformed',
        `The answer is JSON nested more than ${MAX_JSON_DEPTH} levels deep, which no cPanel answer is: it was not read. Check the service and port, or what sits between you and the server.`,
      );
    }
    // A server that echoes the request (a debug page, a misconfigured proxy) must not hand back a credential.
    if (scrubbed !== text) parsed = this.redactor.scrubValue(parsed);
    const verdict = normalize(built.shape, parsed);
    if (!verdict) {
      return fail(
        res.status >= 400 ? 'http_error' : 'malformed',
        `The answer is JSON but not in the shape of a ${req.asUser !== undefined && req.family === 'uapi' ? 'UAPI (through WHM)' : FAMILIES[req.family].name} answer (HTTP ${res.status}). Check the service and port.`,
      );
    }
    const kind = verdict.ok ? (res.status >= 400 ? 'http_error' : 'ok') : 'api_error';
    // Written out rather than spread: this object is made for every answer.
    const result: ApiResult = {
      ok: kind === 'ok',
      kind,
      status: base.status,
      data: verdict.data,
      errors: verdict.errors.length ? verdict.errors.map((e) => this.redactor.scrubKnown(e)) : verdict.errors,
      warnings: verdict.warnings,
      messages: verdict.messages,
      metadata: verdict.metadata,
      raw: base.raw,
      contentType: base.contentType,
      headers: base.headers,
      timings: base.timings,
      request: base.request,
    };
    if (keepUnredacted) result.rawUnredacted = text;
    if (!result.ok) result.hint = this.redactor.redact(this.apiFailureHint(result, built, req));
    return result;
  }

  private authFailure(status: number, body: string): string {
    const user = this.profile.username;
    if (mentionsTwoFactor(body)) {
      if (this.profile.twoFactor === 'header') {
        return `The server refused the two-factor code for ${user}. Check that the stored TOTP secret is the one set up for this account and that this computer's clock is right.`;
      }
      return `${user} has two-factor authentication for API calls: set the two-factor mode to "code on every request" (or use session login with the code at login) and store the account's TOTP secret.`;
    }
    if (this.options.ssoLogin) return `The server refused the session (HTTP ${status}). Sign in again.`;
    // Another service's port refuses credentials made for this one: say so first, before anyone regenerates a token.
    const other = serviceOfPort(this.profile.port);
    if (other && other.service !== this.profile.service) {
      const own = defaultPort(this.profile.service, this.profile.secure);
      return `Port ${this.profile.port} is ${SERVICE_NAMES[other.service]}'s port, and this server is set up as ${SERVICE_NAMES[this.profile.service]} (port ${own}): ${SERVICE_NAMES[other.service]} refused the ${SECRET_SPECS[AUTH_SCHEMES[this.profile.auth].secret].name} (HTTP ${status}). Check the server's port or service before changing the credentials.`;
    }
    return AUTH_SCHEMES[this.profile.auth].refusedHint(this.profile, status);
  }

  private apiFailureHint(r: ApiResult, built: BuiltRequest, req: ApiRequest): string {
    const all = `${r.errors.join(' ')} ${String((r.metadata as { reason?: unknown }).reason ?? '')}`;
    const port = this.profile.port;
    const other = serviceOfPort(port);
    if (/permission denied|function not found/i.test(all)) {
      const onOther = other ? ` Port ${port} is ${SERVICE_NAMES[other.service]}'s port.` : '';
      if (req.family === 'whm') {
        return `${built.label} is a WHM function: WHM API 1 answers on port 2087 (2086 without TLS), and port ${port} answered "${firstError(r)}".${onOther} Check the server's port.`;
      }
      if (req.asUser === undefined) {
        return `${built.label} is a cPanel function: UAPI answers on port 2083 (or Webmail's 2096), and port ${port} answered "${firstError(r)}".${onOther} Check the server's port.`;
      }
      return `WHM answered "${firstError(r)}": the account may not be yours to manage, or the function may not be allowed for it.`;
    }
    if (/unknown app/i.test(all)) {
      // A name cPanel documents is not misspelt: the server is older than it, or does not grant it.
      const known = req.family === 'whm' ? Catalog.load().get('whm', req.function) : undefined;
      if (known) {
        return `WHM on ${this.profile.label} has no function named ${built.label}, a function cPanel documents${known.since ? ` (since version ${known.since})` : ''}: the server may be older than it, or this user's privileges or API token do not grant it.`;
      }
      return `WHM has no function named ${built.label}: check the spelling (names are case-sensitive).`;
    }
    if (/could not find function|failed to load module|module .* not found/i.test(all)) {
      return `The server has no ${FAMILIES[req.family].name} function ${built.label}: check the module and function names (case-sensitive).`;
    }
    if (/user parameter is invalid/i.test(all))
      return `The account "${req.asUser ?? ''}" does not exist on this server, or this WHM user does not own it.`;
    if (r.kind === 'http_error') return `The server answered HTTP ${r.status}: ${firstError(r) || 'see the raw answer'}.`;
    return `${built.label} failed: ${firstError(r)}`;
  }

  private async failureResult(
    f: CallFailure,
    req: ApiRequest,
    built: BuiltRequest | undefined,
    sentPath: string,
    sent: Sent,
    totalMs: number,
  ): Promise<ApiResult> {
    let hint = f.message;
    let certificate = f.extra.certificate;
    // A changed pinned certificate already carries what was seen; other TLS failures are described by a look at the certificate.
    if (f.kind === 'tls_error' && this.profile.secure && !certificate) {
      try {
        certificate = await inspectCertificate(this.profile, this.limits.connectTimeoutMs);
        hint += ` Its SHA-256 fingerprint is ${certificate.fingerprint256} (${certificate.subject}; valid until ${certificate.validTo}).`;
      } catch {
        /* the message without the fingerprint still says what to do */
      }
    }
    hint = this.redactor.redact(hint);
    return {
      ok: false,
      kind: f.kind,
      status: f.extra.status ?? 0,
      data: null,
      errors: [hint],
      warnings: [],
      messages: [],
      metadata: {},
      raw: f.extra.raw ? this.redactor.scrubKnown(f.extra.raw) : '',
      contentType: f.extra.contentType ?? '',
      hint,
      certificate,
      timings: { headersMs: 0, totalMs: Math.round(totalMs) },
      request: {
        method: built?.method ?? methodOf(req),
        url: built ? redactUrl(this.origin + (sentPath || built.path)) : '',
        family: req.family,
        function: safeLabel(req),
        ...(built && sent.headers ? { headers: sent.headers } : {}),
      },
    };
  }
}

/** The request as a result shows it (its headers only when it was sent). */
function shownRequest(
  method: 'GET' | 'POST',
  url: string,
  family: ApiRequest['family'],
  fn: string,
  headers: [string, string][] | undefined,
): ApiResult['request'] {
  return headers ? { method, url, family, function: fn, headers } : { method, url, family, function: fn };
}

/** What a call sent, as a person may see it. */
interface Sent {
  headers?: [string, string][];
}

/** The body as a log line shows it, secrets redacted. */
function describeBody(built: BuiltRequest): string {
  if (built.multipart)
    return ` (multipart: ${[...built.multipart.fields.map(([k]) => k), ...built.multipart.files.map((f) => `${f.name}=@${f.path}`)].join(', ')})`;
  if (built.body === undefined || !built.body) return '';
  return built.contentType === 'application/json'
    ? ` (JSON, ${formatBytes(Buffer.byteLength(built.body))})`
    : ` (form: ${redactUrl(`?${built.body}`).slice(1)})`;
}

/**
 * A multipart/form-data body: the parameters as fields, each file streamed from disk (a file-backed
 * Blob, never read whole into memory). A file that is missing, unreadable or over the limit fails
 * the call before anything is sent.
 */
async function multipartBody(m: NonNullable<BuiltRequest['multipart']>, maxBytes: number): Promise<FormData> {
  const form = newFormData();
  for (const [k, v] of m.fields) form.append(k, paramValue(v));
  for (const f of m.files) {
    let size: number;
    try {
      // fs.promises, not node:fs/promises: importing that loads readline and os too, for every call.
      const st = await promises.stat(f.path);
      if (!st.isFile()) throw new Error('not a file');
      size = st.size;
    } catch {
      throw new CallFailure('config_error', `The file "${f.path}" for "${f.name}" cannot be read: check the path. Nothing was sent.`);
    }
    if (size > maxBytes)
      throw new CallFailure(
        'config_error',
        `The file "${f.path}" is ${formatBytes(size)}, over the ${formatBytes(maxBytes)} upload limit. Nothing was sent.`,
      );
    form.append(f.name, await openAsBlob(f.path), basename(f.path));
  }
  return form;
}

function safeUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

function safeLabel(req: ApiRequest): string {
  try {
    return functionName(req);
  } catch {
    return req.function;
  }
}

function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** The exchange's phases, with what this call waited for before it: a login, another call's first try of the credential. */
function withWaits(phases: Phases, waits: { loginMs: number; turnMs: number }): Phases {
  if (!waits.loginMs && !waits.turnMs) return phases;
  return {
    ...phases,
    // Waiting for another call to try a credential not yet accepted is waiting too.
    queueMs: tenth(phases.queueMs + waits.turnMs),
    ...(waits.loginMs ? { loginMs: tenth(waits.loginMs) } : {}),
  };
}

/** The one-time code's header, as the transport sends it (lower case, like every header it sends). */
const OTP_HEADER_NAME = OTP_HEADER.toLowerCase();

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} seconds`;
}

/** Whether a parsed value nests deeper than MAX_JSON_DEPTH (iterates only into objects and arrays). */
function tooDeep(v: unknown, depth: number): boolean {
  if (depth > MAX_JSON_DEPTH) return true;
  if (Array.isArray(v)) {
    for (const x of v) if (typeof x === 'object' && x !== null && tooDeep(x, depth + 1)) return true;
  } else if (v && typeof v === 'object') {
    for (const k in v) {
      const x = (v as Record<string, unknown>)[k];
      if (typeof x === 'object' && x !== null && tooDeep(x, depth + 1)) return true;
    }
  }
  return false;
}

function firstError(r: ApiResult): string {
  return (r.errors[0] ?? '').slice(0, 300);
}

/** The first few lines of a body, short enough for a message. */
export function firstLines(text: string, lines = 3): string {
  const out = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(0, lines)
    .map((l) => (l.length > 160 ? `${l.slice(0, 160)}…` : l))
    .join(' ⏎ ');
  return `“${out}”`;
}
