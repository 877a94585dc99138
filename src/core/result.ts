/** What went right or wrong with one call, in the words a user and a script can act on. */
export type ResultKind =
  | 'ok'
  | 'api_error'
  | 'auth_error'
  | 'http_error'
  | 'tls_error'
  | 'network_error'
  | 'timeout'
  | 'cancelled'
  | 'too_large'
  | 'malformed'
  | 'config_error'
  /** cPHulk has blocked this address: correct credentials fail too until the block ends. */
  | 'locked_out';

export interface Timings {
  /** Time until the response headers arrived, including connect and any login. */
  headersMs: number;
  /** Time until the whole body was read. */
  totalMs: number;
  /** Where the time of the call's last exchange with the server went; absent when nothing was sent. */
  phases?: Phases;
}

/**
 * The phases of one exchange, in milliseconds (to a tenth), as Postman and the browser's network
 * panel show them. What is left of `totalMs` is the client's own work (building, reading the answer).
 */
export interface Phases {
  /** Whether this exchange opened its connection, or reused one that was open. */
  connection: 'new' | 'reused';
  /**
   * Waiting before the request could go: for a free connection (the cap on connections), for the
   * connection to be opened, or for another call to try a credential not yet accepted first.
   */
  queueMs: number;
  /** A new connection only: the name lookup (0 for an IP address), the TCP connect, the TLS handshake. */
  dnsMs?: number;
  connectMs?: number;
  tlsMs?: number;
  /** Writing the request. */
  sendMs: number;
  /** From the request sent to the answer's first byte: the server's time and the network's (time to first byte). */
  waitMs: number;
  /** From the answer's first byte to its last. */
  downloadMs: number;
  /** A session login made (or waited for) before the request, within this call. */
  loginMs?: number;
}

/** The certificate a server presented, for pinning decisions and TLS error messages. */
export interface CertificateInfo {
  fingerprint256: string;
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
  /** Whether the system trust store (or the configured CA) accepts it for this host. */
  trusted: boolean;
  /** Why it is not trusted, as Node reports it (e.g. DEPTH_ZERO_SELF_SIGNED_CERT), or PIN_MISMATCH. */
  trustError?: string;
}

/** trustError of a certificate that differs from the one pinned for the server. */
export const PIN_MISMATCH = 'PIN_MISMATCH';

export interface ApiResult {
  ok: boolean;
  kind: ResultKind;
  /** HTTP status of the final answer; 0 when no answer arrived. */
  status: number;
  data: unknown;
  errors: string[];
  warnings: string[];
  messages: string[];
  metadata: Record<string, unknown>;
  /** The server's body as text (empty when none arrived). Never contains request secrets. */
  raw: string;
  contentType: string;
  /** The answer's HTTP headers, names lower-case; cookies and credentials redacted. Absent when no answer arrived. */
  headers?: Record<string, string>;
  /** One or two sentences on what happened and what to do; set for every failure. */
  hint?: string;
  /** For tls_error: the certificate the server presented, when it could be read. */
  certificate?: CertificateInfo;
  timings: Timings;
  /** The body exactly as received: only when the caller asked for it (cpapi --raw --unredacted). */
  rawUnredacted?: string;
  /** What was sent, redacted: safe to show and log (the headers too: credentials, cookies and OTP codes as [redacted]). */
  request: { method: 'GET' | 'POST'; url: string; family: string; function: string; headers?: [string, string][] };
  /**
   * Not sent, because the server had refused this credential (or cPHulk had locked the address out)
   * earlier: when, and what. Cleared only by new credentials or the person asking to try again.
   */
  refused?: { at: number; what: string };
}

/** A call that was not sent (cancelled, refused before, not buildable), as a result like any other. */
export function unsentResult(
  kind: ResultKind,
  hint: string,
  request: ApiResult['request'],
  extra: Pick<ApiResult, 'refused'> = {},
): ApiResult {
  return {
    ok: false,
    kind,
    status: 0,
    data: null,
    errors: [hint],
    warnings: [],
    messages: [],
    metadata: {},
    raw: '',
    contentType: '',
    hint,
    timings: { headersMs: 0, totalMs: 0 },
    request,
    ...extra,
  };
}

/** The fields the CLI prints and scripts rely on. */
export function publicView(
  r: ApiResult,
): Pick<ApiResult, 'ok' | 'kind' | 'status' | 'data' | 'errors' | 'warnings' | 'messages' | 'metadata'> {
  return {
    ok: r.ok,
    kind: r.kind,
    status: r.status,
    data: r.data,
    errors: r.errors,
    warnings: r.warnings,
    messages: r.messages,
    metadata: r.metadata,
  };
}

/** A failure that happens before or around the HTTP exchange, carried as a value. */
export class CallFailure extends Error {
  constructor(
    readonly kind: Exclude<ResultKind, 'ok' | 'api_error'>,
    message: string,
    readonly extra: {
      status?: number;
      raw?: string;
      contentType?: string;
      certificate?: CertificateInfo;
      /** The server judged the credential and refused it (a failed login, as cPHulk counts them). */
      credentialRefused?: 'password' | 'twoFactor';
    } = {},
  ) {
    super(message);
    this.name = 'CallFailure';
  }
}
