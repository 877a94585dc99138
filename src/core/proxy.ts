/** Proxies: which one, from where, and how it is shown. No undici here: settings read it at start-up. */

/** An HTTP(S) proxy to reach servers through (http.proxy in VS Code, HTTPS_PROXY for cpapi). */
export interface ProxySettings {
  /** http://[user:pass@]host:port: its credentials are the proxy's, sent only to it. */
  url: string;
  /** Hosts reached directly, as NO_PROXY writes them: "localhost,.example.com,10.0.0.1:2087". */
  noProxy?: string;
}

/** The proxy cpapi uses, from the environment as curl reads it: https_proxy for HTTPS servers, http_proxy for plain ones, and no_proxy. */
export function proxyFromEnv(env: NodeJS.ProcessEnv, secure: boolean): ProxySettings | undefined {
  const url = secure ? (env.https_proxy ?? env.HTTPS_PROXY) : (env.http_proxy ?? env.HTTP_PROXY);
  if (!url) return undefined;
  const noProxy = env.no_proxy ?? env.NO_PROXY;
  return { url, ...(noProxy ? { noProxy } : {}) };
}

/** Why a proxy URL cannot be used, or undefined. */
export function proxyProblem(url: string): string | undefined {
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return `The proxy "${redactProxy(url)}" must be an http:// or https:// URL.`;
    return undefined;
  } catch {
    return `The proxy "${redactProxy(url)}" is not a URL such as http://proxy.example.com:3128.`;
  }
}

/** A proxy URL as logs and messages show it: without its password. */
export function redactProxy(url: string): string {
  return url.replace(/\/\/([^/@:]*)(:[^/@]*)?@/, (_m, user: string) => `//${user ? `${user}:[redacted]` : ''}@`);
}

/** A proxy as "host:port", as a message names it when it cannot be reached: never its user or password. */
export function proxyAddress(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;
  } catch {
    return redactProxy(url);
  }
}
