import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import * as tls from 'node:tls';
import type { Socket } from 'node:net';
import {
  buildConnector,
  proxyParts,
  type Agent,
  type Connector,
  type DispatchController,
  type DispatchOptions,
  type FormData,
} from './undici';
import { ConnectionPool, type PooledHandler } from './connectionPool';
import { CallFailure, PIN_MISMATCH as PIN_MISMATCH_TRUST, type CertificateInfo, type Phases } from './result';
import { noop, type CallScope } from './callScope';
import type { TransportLimits } from './limits';
import { proxyAddress, proxyProblem, type ProxySettings } from './proxy';

export { proxyFromEnv, type ProxySettings } from './proxy';
import { baseUrl, normalizeFingerprint, SERVICE_NAMES, serviceOfPort, type ServerProfile } from './servers';
import { monotonicMs, tenthMs as tenth } from './monotonic';

export interface HttpRequest {
  method: 'GET' | 'POST';
  /** Path and query, starting with "/". */
  path: string;
  headers: Record<string, string>;
  body?: string | FormData;
  /** Ends the request early (a login's, an SSO redemption's). */
  signal?: AbortSignal;
  /** Ends the request early: the call's cancel and deadline, without an AbortSignal (see CallScope). */
  scope?: CallScope;
  /** Overrides the profile's headers timeout for this request (e.g. --timeout). */
  timeoutMs?: number;
  /** Safe to send twice (a read: see BuiltRequest.idempotent). Nothing else is ever sent again. */
  idempotent?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  headersMs: number;
  totalMs: number;
  /** Where the time went: the connection (when this exchange opened one), the send, the wait, the download. */
  phases: Phases;
}

const PIN_MISMATCH = 'CPAPI_PIN_MISMATCH';

interface PinError extends Error {
  code: string;
  seen?: string;
}

/**
 * Accepts only a server whose certificate has the pinned SHA-256 fingerprint. Chain and hostname are
 * not consulted (the pin names the exact certificate); the check runs on every new connection, and
 * TLS sessions are never cached, so a resumed session can never skip it.
 */
function pinningConnector(fingerprint: string, timeoutMs: number): Connector {
  // Chain verification is replaced, not skipped: the fingerprint check below decides.
  // allowH2 here too: the connector, not the agent, decides what ALPN offers.
  return checkingPin(buildConnector({ ...PINNED_TLS, timeout: timeoutMs, allowH2: false }), fingerprint);
}

/** TLS options of a pinned connection: the chain is not consulted (the pin names the certificate), sessions never resumed. */
const PINNED_TLS = { rejectUnauthorized: false, maxCachedSessions: 0 } as const;

/** A connector that hands on a TLS socket only when the server's certificate has the pinned fingerprint. */
function checkingPin(connect: Connector, fingerprint: string): Connector {
  return (opts, callback) =>
    connect(opts, (err, socket) => {
      if (err || !socket) return callback(err ?? new Error('no socket'), null);
      const seen = (socket as tls.TLSSocket).getPeerCertificate?.()?.fingerprint256;
      if (seen !== fingerprint) {
        socket.destroy();
        const e = new Error(`certificate fingerprint ${seen ?? 'unknown'} does not match the pinned one`) as PinError;
        e.code = PIN_MISMATCH;
        e.seen = seen;
        return callback(e, null);
      }
      callback(null, socket);
    });
}

/**
 * How a connection to the server is trusted, the same directly and through a proxy's tunnel: the pin
 * checked on every new connection, or the CA file, or the system's trust; `serverTls` is the TLS options
 * for a tunnel's inner connection, `fp` the pin its connections are checked against.
 */
function serverTrust(profile: ServerProfile, limits: TransportLimits): { connect: Connector; serverTls: object; fp?: string } {
  const policy = profile.tls;
  if (profile.secure && policy.mode === 'pinned') {
    const fp = normalizeFingerprint(policy.fingerprint256);
    if (!fp) throw new CallFailure('config_error', 'The pinned fingerprint is not a SHA-256 fingerprint (64 hex digits).');
    return { connect: pinningConnector(fp, limits.connectTimeoutMs), serverTls: PINNED_TLS, fp };
  }
  const serverTls = profile.secure && policy.mode === 'ca' ? { ca: readCa(policy.caFile) } : {};
  return { connect: buildConnector({ ...serverTls, timeout: limits.connectTimeoutMs, allowH2: false }), serverTls };
}

/** Where a client's requests go: its own connections to the server, or a proxy's tunnels to it. */
export type Connections = ConnectionPool | Agent;

export function createAgent(profile: ServerProfile, limits: TransportLimits, proxy?: ProxySettings): Connections {
  if (proxy?.url) return proxiedAgent(profile, limits, proxy);
  const { connect } = serverTrust(profile, limits);
  // One origin (the profile's host and port), at most maxConnections sockets to it.
  return new ConnectionPool(
    baseUrl(profile),
    {
      keepAliveTimeout: 30_000,
      headersTimeout: limits.headersTimeoutMs,
      bodyTimeout: limits.bodyTimeoutMs,
      allowH2: false,
      connect: timed(connect),
    },
    Number.isFinite(limits.maxConnections) ? limits.maxConnections : Number.MAX_SAFE_INTEGER,
  );
}

/** The set-up of a new connection, handed to the exchange that is written on it first. */
interface Opening {
  /** When undici asked for the connection (monotonicMs() milliseconds). */
  start: number;
  dnsMs: number;
  connectMs: number;
  tlsMs: number;
}

/**
 * Set while undici hands a newly opened connection to its client: undici writes the first waiting
 * request on it before the connector's callback returns (client.js: connect → resume → write), so
 * the exchange whose request starts in that moment is the one that opened the connection.
 */
let opening: Opening | undefined;

/** A connector that times what a new connection costs: the name lookup, the TCP connect, the TLS handshake. */
function timed(connect: Connector): Connector {
  return (opts, callback) => {
    const start = monotonicMs();
    let looked: number | undefined;
    let connected: number | undefined;
    const socket = (connect as (o: typeof opts, cb: typeof callback) => unknown)(opts, (err, s) => {
      if (err || !s) return callback(err ?? new Error('no socket'), null);
      const now = monotonicMs();
      const tcpFrom = looked ?? start;
      const outer = opening;
      opening = {
        start,
        dnsMs: looked === undefined ? 0 : looked - start,
        connectMs: (connected ?? now) - tcpFrom,
        tlsMs: connected === undefined || opts.protocol !== 'https:' ? 0 : now - connected,
      };
      try {
        callback(null, s);
      } finally {
        opening = outer;
      }
    }) as Socket | undefined;
    if (socket && typeof socket.once === 'function') {
      socket.once('lookup', () => (looked = monotonicMs()));
      socket.once('connect', () => (connected = monotonicMs()));
    }
  };
}

/**
 * Through an HTTP(S) proxy, with CONNECT tunnels: the proxy sees the host and port, never a request,
 * a header or a credential of the cPanel server. The TLS check is made against the server inside the
 * tunnel, as without a proxy: the pin on every new connection, or the CA file, or the system's trust.
 * Hosts in noProxy are reached directly with the same checks.
 */
function proxiedAgent(profile: ServerProfile, limits: TransportLimits, proxy: ProxySettings): Agent {
  const problem = proxyProblem(proxy.url);
  if (problem) throw new CallFailure('config_error', problem);
  const { EnvHttpProxyAgent, Pool } = proxyParts();
  const { connect, serverTls, fp } = serverTrust(profile, limits);
  const direct: Connector = timed(connect);
  const proxyAt = proxyAddress(proxy.url);
  return new EnvHttpProxyAgent({
    // The connection to the proxy itself: a failure there is the proxy's, and is reported as such.
    clientFactory: (origin: URL, opts: { connect: Connector }) =>
      new Pool(origin, { ...opts, connect: towardProxy(opts.connect, proxyAt) } as never),
    httpProxy: proxy.url,
    httpsProxy: proxy.url,
    noProxy: proxy.noProxy ?? '',
    keepAliveTimeout: 30_000,
    headersTimeout: limits.headersTimeoutMs,
    bodyTimeout: limits.bodyTimeoutMs,
    allowH2: false,
    connections: Number.isFinite(limits.maxConnections) ? limits.maxConnections : null,
    connect: direct,
    // TLS to the cPanel server through the tunnel.
    requestTls: { ...serverTls, allowH2: false } as never,
    proxyTunnel: true,
    // Every connection, tunnelled or direct, passes the pin before it carries a request.
    factory: (origin: string | URL, opts: object) => {
      const o = opts as { connect?: Connector };
      return new Pool(origin, { ...o, connect: fp && o.connect ? checkingPin(o.connect, fp) : (o.connect ?? direct) } as never);
    },
  } as never) as unknown as Agent;
}

/** Marks what fails while connecting to the proxy (refused, timed out, not found) with the proxy's host:port. */
const TOWARD_PROXY = Symbol('toward the proxy');

function towardProxy(connect: Connector, proxyAt: string): Connector {
  return (opts, callback) =>
    connect(opts, (err, socket) => {
      if (err && typeof err === 'object') Object.defineProperty(err, TOWARD_PROXY, { value: proxyAt, configurable: true });
      if (err || !socket) return callback(err ?? new Error('no socket'), null);
      callback(null, socket);
    });
}

/** The proxy's host:port when `err` happened on the way to the proxy, not to the server through it. */
function proxyOfError(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 4 && e && typeof e === 'object'; i++) {
    const at = (e as { [TOWARD_PROXY]?: string })[TOWARD_PROXY];
    if (at) return at;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function readCa(file: string): string {
  try {
    const pem = readFileSync(file, 'utf8');
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('not PEM');
    return pem;
  } catch {
    throw new CallFailure(
      'config_error',
      `The CA file "${file}" cannot be read as a PEM certificate. Check the path, or choose another TLS policy.`,
    );
  }
}

/**
 * Sends one request and reads the whole answer within the size limit; failures are CallFailures.
 *
 * Through undici's dispatch with a handler of its own rather than its request() API: the answer's
 * chunks are gathered as they arrive (no stream, no async iterator), the request is aborted through
 * undici's controller (no AbortSignal listener per call), and the handler sees each phase (the
 * request written, the answer's first byte, its headers, its end) to time them.
 */
export function send(to: Connections, profile: ServerProfile, limits: TransportLimits, req: HttpRequest): Promise<HttpResponse> {
  return new Promise<HttpResponse>((resolve, reject) => {
    const opts: DispatchOptions = {
      origin: to instanceof ConnectionPool ? to.origin : baseUrl(profile),
      path: req.path,
      method: req.method,
      headers: req.headers,
      body: req.body ?? null,
      headersTimeout: req.timeoutMs ?? limits.headersTimeoutMs,
      bodyTimeout: req.timeoutMs ?? limits.bodyTimeoutMs,
    };
    // Through a proxy's pool, an answer is handed on a turn later (see Exchange.onResponseEnd).
    const afterPoolTurn = !(to instanceof ConnectionPool);
    const attempt = (again: (() => void) | undefined): void => {
      const exchange = new Exchange(profile, limits, req, resolve, reject, afterPoolTurn, again);
      if (exchange.settled) return;
      try {
        to.dispatch(opts, exchange);
      } catch (err) {
        exchange.onResponseError(undefined, err as Error);
      }
    };
    // A kept-alive connection the server had closed (its keep-alive ran out, it restarted) took the
    // request, and nothing came back: a read goes once more, on a new connection, as browsers and
    // undici's own retry do. Anything else is not sent twice (a cPanel call that changes something is
    // a GET as often as not, and what the server did with it is unknown), and neither is anything
    // through a proxy, whose pool does not say whether a connection was new or kept alive.
    attempt(req.idempotent && req.method === 'GET' && to instanceof ConnectionPool ? () => attempt(undefined) : undefined);
  });
}

/** Codes of a connection that was closed under the request. */
const CLOSED_UNDER = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE', 'UND_ERR_CLOSED']);

/** One request and its answer, as undici's dispatch handler: gathers the body, times the phases, settles once. */
class Exchange implements PooledHandler {
  settled = false;
  /** Set by the ConnectionPool: the connection is free again. */
  release: (() => void) | undefined;
  private readonly started = monotonicMs();
  private requestStart = 0;
  private requestSent = 0;
  private firstByte = 0;
  private headersAt = 0;
  private opened: Opening | undefined;
  private status = 0;
  private headers: Record<string, string | string[] | undefined> = {};
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private controller: DispatchController | undefined;
  /** Why the call ended before undici started the request (it is aborted the moment it starts). */
  private earlyEnd: Error | undefined;
  private readonly stopWatching: () => void;

  constructor(
    private readonly profile: ServerProfile,
    private readonly limits: TransportLimits,
    private readonly req: HttpRequest,
    private readonly resolve: (r: HttpResponse) => void,
    private readonly reject: (e: unknown) => void,
    /** Hand the answer on a turn later (undici's Pool, behind a proxy): see onResponseEnd. */
    private readonly afterPoolTurn: boolean,
    /** Sends the request once more, if a reused connection is closed under it before any answer (see `send`). */
    private readonly again: (() => void) | undefined,
  ) {
    const end = (): void => this.abort(new CallFailure('cancelled', 'The call was cancelled before the answer arrived.'));
    if (req.scope) this.stopWatching = req.scope.onEnd(end);
    else if (req.signal) {
      const signal = req.signal;
      if (signal.aborted) end();
      else signal.addEventListener('abort', end, { once: true });
      this.stopWatching = () => signal.removeEventListener('abort', end);
    } else this.stopWatching = noop;
  }

  onRequestStart(controller: DispatchController): void {
    this.controller = controller;
    this.requestStart = monotonicMs();
    this.opened = opening;
    if (this.earlyEnd) controller.abort(this.earlyEnd);
  }

  onRequestSent(): void {
    this.requestSent = monotonicMs();
  }

  onResponseStarted(): void {
    this.firstByte = monotonicMs();
  }

  onResponseStart(_c: DispatchController, status: number, headers: Record<string, string | string[] | undefined>): void {
    this.headersAt = monotonicMs();
    this.status = status;
    this.headers = headers;
  }

  onResponseData(controller: DispatchController, chunk: Buffer): void {
    this.size += chunk.length;
    if (this.size > this.limits.maxResponseBytes) {
      controller.abort(
        new CallFailure(
          'too_large',
          `The answer is larger than the ${formatBytes(this.limits.maxResponseBytes)} limit, so it was not read to the end. ` +
            'Narrow the call (filter, paginate, fewer columns) or raise the maximum answer size.',
          { status: this.status },
        ),
      );
      return;
    }
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    const r = this.response(monotonicMs());
    this.release?.();
    if (this.afterPoolTurn) {
      // undici's Pool hands a kept-alive socket back one event-loop turn after the answer ends (a
      // setImmediate it queues right after this handler returns): settling after that turn lets the
      // caller's next request reuse the socket instead of opening another connection.
      queueMicrotask(() => setImmediate(() => this.settle(() => this.resolve(r))));
    } else this.settle(() => this.resolve(r));
  }

  onResponseError(_c: DispatchController | undefined, err: Error): void {
    this.release?.();
    const stale =
      this.requestStart > 0 &&
      !this.opened &&
      !this.firstByte &&
      !this.headersAt &&
      !this.ended()?.aborted &&
      CLOSED_UNDER.has(errorCode(err));
    if (stale && this.again) return this.settle(this.again);
    this.settle(() =>
      this.reject(err instanceof CallFailure ? err : classifyTransportError(err, this.profile, this.ended(), this.headersAt > 0)),
    );
  }

  private ended(): { aborted: boolean } | undefined {
    return this.req.scope ?? this.req.signal;
  }

  /** The call ended (cancel, deadline): the request is aborted, or will be the moment undici starts it. */
  private abort(reason: CallFailure): void {
    if (this.settled) return;
    if (this.controller) this.controller.abort(reason);
    else {
      this.earlyEnd = reason;
      this.settle(() => this.reject(reason));
    }
  }

  private settle(fn: () => void): void {
    if (this.settled) return;
    this.settled = true;
    this.stopWatching();
    fn();
  }

  private response(end: number): HttpResponse {
    const first = this.firstByte || this.headersAt;
    const sent = this.requestSent || this.requestStart;
    const opened = this.opened;
    const phases: Phases = {
      connection: opened ? 'new' : 'reused',
      // Before a new connection: until undici asked for it. On one that was open: until it was free.
      queueMs: tenth((opened ? opened.start : this.requestStart) - this.started),
      ...(opened ? { dnsMs: tenth(opened.dnsMs), connectMs: tenth(opened.connectMs), tlsMs: tenth(opened.tlsMs) } : {}),
      sendMs: tenth(sent - this.requestStart),
      waitMs: tenth(first - sent),
      downloadMs: tenth(end - first),
    };
    return {
      status: this.status,
      headers: this.headers,
      body: this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size),
      headersMs: this.headersAt - this.started,
      totalMs: end - this.started,
      phases,
    };
  }
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Math.round((n / 1024 / 1024) * 10) / 10} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} bytes`;
}

const TLS_TRUST_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_REVOKED',
]);

function errorCode(err: unknown): string {
  let e: unknown = err;
  for (let i = 0; i < 4 && e; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_CONNECT' && code !== 'UND_ERR_SOCKET') return code;
    e = (e as { cause?: unknown }).cause;
  }
  const top = (err as { code?: unknown })?.code;
  return typeof top === 'string' ? top : '';
}

/** Turns what undici and Node throw into a failure a person can act on. */
export function classifyTransportError(
  err: unknown,
  profile: ServerProfile,
  ended: { readonly aborted: boolean } | undefined,
  gotHeaders: boolean,
): CallFailure {
  const where = `${profile.host}:${profile.port}`;
  if (ended?.aborted) return new CallFailure('cancelled', 'The call was cancelled before the answer arrived.');
  const code = errorCode(err);
  const svc = SERVICE_NAMES[profile.service];
  const portHint = `${svc} listens on ${serviceOfPortHint(profile)}`;
  const proxyAt = proxyOfError(err);
  if (proxyAt) return proxyUnreachable(proxyAt, code, profile);
  switch (code) {
    case PIN_MISMATCH: {
      const seen = (err as PinError).seen ?? (err as { cause?: PinError }).cause?.seen ?? 'unknown';
      const pinned = profile.tls.mode === 'pinned' ? normalizeFingerprint(profile.tls.fingerprint256) : '?';
      return new CallFailure(
        'tls_error',
        `The certificate of ${where} changed: it has the fingerprint ${seen}, but ${pinned} is pinned. Nothing was sent. If the server's certificate was renewed on purpose, pin the new one; otherwise someone may be intercepting the connection.`,
        {
          certificate: {
            fingerprint256: seen,
            subject: '',
            issuer: '',
            validFrom: '',
            validTo: '',
            trusted: false,
            trustError: PIN_MISMATCH_TRUST,
          },
        },
      );
    }
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return new CallFailure(
        'timeout',
        `Could not connect to ${where} in time. Check the host and port (${portHint}) and any firewall in between.`,
      );
    case 'UND_ERR_HEADERS_TIMEOUT':
      return new CallFailure(
        'timeout',
        `${where} accepted the connection but did not answer in time. The function may be slow: raise the timeout or try again.`,
      );
    case 'UND_ERR_BODY_TIMEOUT':
      return new CallFailure('timeout', `${where} stopped sending its answer part way through. Try again; if it repeats, narrow the call.`);
    case 'ECONNREFUSED':
      return new CallFailure('network_error', `Nothing is listening on ${where} (connection refused). Check the port: ${portHint}.`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new CallFailure(
        'network_error',
        `The host "${profile.host}" could not be found (DNS). Check the spelling, or use the server's IP address.`,
      );
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new CallFailure('network_error', `${profile.host} cannot be reached from this machine (no route). Check the network or VPN.`);
    case 'ECONNRESET':
    case 'UND_ERR_CLOSED':
    case 'UND_ERR_SOCKET':
    case 'EPIPE':
      return new CallFailure(
        'network_error',
        gotHeaders
          ? `The connection to ${where} was closed while the answer was arriving, so the answer is incomplete. Try again.`
          : profile.secure
            ? `The connection to ${where} was closed before an answer arrived. Try again; if it repeats, check that the port expects HTTPS and that the server is running.`
            : `The connection to ${where} was closed before an answer arrived. If this port expects HTTPS, turn on "secure"; ${portHint}.`,
      );
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
    case 'ERR_SSL_PACKET_LENGTH_TOO_LONG':
    case 'EPROTO':
      return new CallFailure(
        'tls_error',
        `${where} does not speak HTTPS. It may be a plain-HTTP port: turn off "secure", or use ${portHint}.`,
      );
  }
  if (TLS_TRUST_CODES.has(code) || code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || code.startsWith('CERT_')) {
    return new CallFailure(
      'tls_error',
      code === 'ERR_TLS_CERT_ALTNAME_INVALID'
        ? `The certificate of ${where} is not issued for "${profile.host}". Connect with the name on the certificate, or pin this certificate's fingerprint for this server.`
        : code === 'CERT_HAS_EXPIRED'
          ? `The certificate of ${where} has expired. Renew it on the server, or pin its fingerprint for this server if you trust it.`
          : `The certificate of ${where} is not trusted by this system (${code}). If it is the server's own self-signed certificate, check its fingerprint and pin it for this server.`,
    );
  }
  const msg = err instanceof Error ? err.message : String(err);
  const tunnel =
    /Proxy response \((\d+)\)/.exec(msg) ?? /Proxy response \((\d+)\)/.exec(String((err as { cause?: Error })?.cause?.message ?? ''));
  if (tunnel) {
    return new CallFailure(
      'network_error',
      `The proxy refused to open a tunnel to ${where} (HTTP ${tunnel[1]}${tunnel[1] === '407' ? ': it wants credentials' : ''}). Check the proxy's address and credentials (VS Code's http.proxy, or HTTPS_PROXY for cpapi), or list ${profile.host} in the no-proxy hosts.`,
    );
  }
  return new CallFailure('network_error', `The call to ${where} failed: ${msg.split('\n')[0]}.`);
}

/** The proxy could not be reached (refused, timed out, not found): nothing went to the server, so nothing about the server is to blame. */
function proxyUnreachable(proxyAt: string, code: string, profile: ServerProfile): CallFailure {
  const why =
    code === 'ECONNREFUSED'
      ? 'connection refused: nothing is listening there'
      : code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT'
        ? 'no answer in time'
        : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
          ? 'its host name could not be found (DNS)'
          : code === 'EHOSTUNREACH' || code === 'ENETUNREACH'
            ? 'no route to it from this machine'
            : TLS_TRUST_CODES.has(code) || code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || code.startsWith('CERT_')
              ? `its own certificate was refused (${code})`
              : code || 'the connection failed';
  return new CallFailure(
    code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT' ? 'timeout' : 'network_error',
    `The proxy ${proxyAt} could not be reached (${why}), so nothing was sent to ${profile.host}:${profile.port}. ` +
      "Check the proxy's address and that it is running (VS Code's http.proxy setting, or HTTPS_PROXY / HTTP_PROXY for cpapi), " +
      `or list ${profile.host} in the no-proxy hosts (http.noProxy, or NO_PROXY) to reach it directly.`,
  );
}

function serviceOfPortHint(profile: ServerProfile): string {
  const known = serviceOfPort(profile.port);
  const secure = profile.secure ? 'HTTPS' : 'plain HTTP';
  const expected =
    profile.service === 'cpanel'
      ? profile.secure
        ? 2083
        : 2082
      : profile.service === 'whm'
        ? profile.secure
          ? 2087
          : 2086
        : profile.secure
          ? 2096
          : 2095;
  if (known && known.service !== profile.service) {
    return `port ${expected} for ${secure}, but ${profile.port} is ${SERVICE_NAMES[known.service]}'s port`;
  }
  return `port ${expected} for ${secure}`;
}

/**
 * Reads the certificate a server presents, without sending anything, to show its fingerprint,
 * subject and expiry when the system does not trust it. Verification is done here by hand (authorized
 * flag and hostname check) so that an untrusted certificate can still be described.
 */
export function inspectCertificate(profile: Pick<ServerProfile, 'host' | 'port' | 'tls'>, timeoutMs = 10_000): Promise<CertificateInfo> {
  const host = profile.host.replace(/^\[|\]$/g, '');
  let ca: string | undefined;
  if (profile.tls.mode === 'ca') ca = readCa(profile.tls.caFile);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host,
      port: profile.port,
      servername: isIP(host) ? undefined : host,
      ca,
      // Only to read the certificate: nothing is sent on this connection, and trust is judged below.
      rejectUnauthorized: false,
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new CallFailure('timeout', `${profile.host}:${profile.port} did not complete a TLS handshake in time.`));
    }, timeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const cert = socket.getPeerCertificate();
      let trusted = socket.authorized;
      let trustError = socket.authorizationError
        ? String((socket.authorizationError as { code?: string }).code ?? socket.authorizationError)
        : undefined;
      if (trusted) {
        const idErr = tls.checkServerIdentity(host, cert);
        if (idErr) {
          trusted = false;
          trustError = 'ERR_TLS_CERT_ALTNAME_INVALID';
        }
      }
      socket.destroy();
      resolve({
        fingerprint256: cert.fingerprint256,
        subject: formatName(cert.subject),
        issuer: formatName(cert.issuer),
        validFrom: cert.valid_from,
        validTo: cert.valid_to,
        trusted,
        trustError,
      });
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(classifyTransportError(err, { ...(profile as ServerProfile), secure: true, service: 'cpanel' }, undefined, false));
    });
  });
}

function formatName(name: tls.Certificate | undefined): string {
  if (!name) return '';
  return Object.entries(name)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : String(v)}`)
    .join(', ');
}
