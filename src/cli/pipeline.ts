import { ClientPool } from '../core/clientFactory';
import { proxyFromEnv } from '../core/http';
import { RequestPipeline, type Question } from '../core/pipeline';
import type { Secrets, ServerProfile } from '../core/servers';
import { secretsFromEnv, timeoutLimits } from './args';

/**
 * What every cpapi command sends through: one pool of clients for the command (one per server, one book
 * of refused credentials for the whole run) and the core request pipeline with the CLI's hooks. The
 * command line is the person's own word, so what it asks the pipeline is answered by `allow`: for cpapi
 * call, everything; for run and fanout, a destructive call only with --allow-destructive.
 */
export interface CliSending {
  pool: ClientPool;
  pipeline: RequestPipeline;
  /** The profile's secrets from the environment (throws the UsageError naming a missing variable). */
  secrets(profile: ServerProfile): Secrets;
  close(): Promise<void>;
}

export function cliSending(opts: {
  env: NodeJS.ProcessEnv;
  timeoutMs: number | undefined;
  /** Secrets of a profile; by default CPANEL_<LABEL>_… as cpapi run and fanout read them. */
  secrets?: (profile: ServerProfile) => Secrets;
  maxConnections?: number;
  allow: (q: Question) => boolean;
}): CliSending {
  const known = new Map<string, Secrets>();
  const secrets = (p: ServerProfile): Secrets => {
    let s = known.get(p.label);
    if (!s) {
      s = opts.secrets ? opts.secrets(p) : secretsFromEnv(p, opts.env, p.label);
      known.set(p.label, s);
    }
    return s;
  };
  const pool = new ClientPool(secrets, (p) => {
    const proxy = proxyFromEnv(opts.env, p.secure);
    const limits = {
      ...timeoutLimits(opts.timeoutMs),
      ...(opts.maxConnections !== undefined ? { maxConnections: opts.maxConnections } : {}),
    };
    return { limits, ...(proxy ? { proxy } : {}) };
  });
  const pipeline = new RequestPipeline({ client: (p) => pool.get(p), confirm: async (q) => opts.allow(q) });
  return { pool, pipeline, secrets, close: () => pool.close() };
}
