/** What bounds a call: timeouts, answer size and connections. Apart from the transport, so settings can read them without loading undici. */

export interface TransportLimits {
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  /** Answers larger than this are cut off and reported as too_large. */
  maxResponseBytes: number;
  /** The whole call (login, retry, every byte of the answer) must end within this. */
  deadlineMs: number;
  /**
   * Connections open to the server at once; further calls wait for one to be free. A burst of
   * hundreds of TLS connections from one address looks like an attack to cpsrvd and cPHulk, and
   * calls over a few kept-alive connections finish as fast (browsers keep 6 to 8 per host).
   */
  maxConnections: number;
  /** A file larger than this is not uploaded (the call fails before sending). */
  maxUploadBytes: number;
}

export const DEFAULT_LIMITS: TransportLimits = {
  connectTimeoutMs: 10_000,
  headersTimeoutMs: 60_000,
  bodyTimeoutMs: 60_000,
  maxResponseBytes: 64 * 1024 * 1024,
  deadlineMs: 120_000,
  maxConnections: 8,
  maxUploadBytes: 256 * 1024 * 1024,
};

export const MAX_CONNECTIONS_RANGE = { min: 1, max: 64 } as const;
