import type * as Undici from 'undici';

/*
 * The parts of undici this project uses, loaded from undici's own modules rather than its index.
 * The index loads every feature at once (fetch, WebSocket, EventSource, caches with node:sqlite,
 * mocks, interceptors): 730 KB of the 820 KB CLI bundle and most of its start-up time, for an
 * Agent, a connector and the request API. undici's package has no "exports" map, so these paths
 * are its public layout; the build fails loudly if an upgrade moves them (pinned in package.json,
 * checked by test/unit/undiciParts.test.ts against the index's own classes).
 */

/* eslint-disable @typescript-eslint/no-require-imports */
const Dispatcher = require('undici/lib/dispatcher/dispatcher') as { prototype: object };
// What undici's index does: the request/stream/pipeline API lives on every dispatcher.
Object.assign(Dispatcher.prototype, require('undici/lib/api') as object);

export const Agent = require('undici/lib/dispatcher/agent') as typeof Undici.Agent;
export type Agent = Undici.Agent;
export const Client = require('undici/lib/dispatcher/client') as typeof Undici.Client;
export type Client = Undici.Client;
export type ClientOptions = Undici.Client.Options;
export type DispatchHandler = Undici.Dispatcher.DispatchHandler;
export type DispatchOptions = Undici.Dispatcher.DispatchOptions;
export const buildConnector = require('undici/lib/core/connect') as typeof Undici.buildConnector;
export type Connector = Undici.buildConnector.connector;
export type FormData = Undici.FormData;
export type DispatchController = Undici.Dispatcher.DispatchController;

/** The proxy-aware dispatcher and the pool it builds per origin: loaded only when a proxy is configured. */
export function proxyParts(): { EnvHttpProxyAgent: typeof Undici.EnvHttpProxyAgent; Pool: typeof Undici.Pool } {
  return {
    EnvHttpProxyAgent: require('undici/lib/dispatcher/env-http-proxy-agent') as typeof Undici.EnvHttpProxyAgent,
    Pool: require('undici/lib/dispatcher/pool') as typeof Undici.Pool,
  };
}
/**
 * A multipart body must be undici's own FormData (Node's global one is another instance, which
 * undici 8 refuses). Loaded with the first upload: it brings web streams, zlib and workers with it.
 */
export function newFormData(): FormData {
  return new (require('undici/lib/web/fetch/formdata') as { FormData: typeof Undici.FormData }).FormData();
}
/* eslint-enable @typescript-eslint/no-require-imports */
