import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CpanelClient } from '../core/client';
import { resolveSnippet, runRequest } from '../core/requestRun';
import { readProfile, type ServerProfile } from '../core/servers';
import { parseSnippet, SNIPPET_SUFFIX, type Snippet } from '../core/snippets';
import { parseOptions, parseTimeout, secretsFromEnv, timeoutLimits, UsageError } from './args';

export interface RunOutcome {
  file: string;
  server?: string;
  function?: string;
  ok: boolean;
  kind: string;
  status: number;
  ms: number;
  errors: string[];
  hint?: string;
}

/** Snippet files named directly, and every *.cpanel.json below named folders, in a stable order. */
export function collectSnippetFiles(paths: string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.name === 'node_modules' || e.name.startsWith('.git')) continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(SNIPPET_SUFFIX)) out.push(p);
    }
  };
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new UsageError(`"${p}" does not exist.`);
    }
    if (st.isDirectory()) walk(p);
    else out.push(p);
  }
  return out;
}

/** The servers file: a list of profiles (or {"servers": [...]}), named by label, with no secrets in it. */
export function readServersFile(file: string): ServerProfile[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`The servers file "${file}" cannot be read as JSON (${e instanceof Error ? e.message : String(e)}).`);
  }
  const list = Array.isArray(raw) ? raw : (raw as { servers?: unknown })?.servers;
  if (!Array.isArray(list)) throw new UsageError(`The servers file "${file}" must hold a list of servers, or {"servers": [...]}.`);
  return list.map((item, i) => {
    const o = (item ?? {}) as Record<string, unknown>;
    for (const k of ['password', 'token', 'accessHash', 'accesshash', 'totpSecret', 'secret']) {
      if (k in o) throw new UsageError(`Server ${i + 1} in "${file}" has a "${k}": secrets never go in the servers file; use environment variables.`);
    }
    const { profile, problems } = readProfile(item, i, (x) => (typeof x.label === 'string' ? x.label : undefined));
    if (problems.length) throw new UsageError(`Server "${profile.label}" in "${file}": ${problems.join(' ')}`);
    return profile;
  });
}

export async function runSnippets(
  argv: string[],
  io: { out: (s: string) => void; err: (s: string) => void; env: NodeJS.ProcessEnv; signal?: AbortSignal; cwd?: string },
): Promise<number> {
  const { values, positionals } = parseOptions(argv, { servers: { type: 'string' }, json: { type: 'boolean' }, timeout: { type: 'string' }, 'allow-destructive': { type: 'boolean' } });
  const v = values as { servers?: string; json?: boolean; timeout?: string; 'allow-destructive'?: boolean };
  if (!positionals.length) throw new UsageError('Name at least one snippet file or folder: cpapi run FILE|FOLDER... --servers SERVERS.json');
  if (!v.servers) throw new UsageError('--servers SERVERS.json is required: it names each server (host, service, auth) by its label.');
  const timeoutMs = parseTimeout(v.timeout);
  const profiles = readServersFile(v.servers);
  const files = collectSnippetFiles(positionals);
  if (!files.length) throw new UsageError(`No *${SNIPPET_SUFFIX} files in ${positionals.join(', ')}.`);

  const clients = new Map<string, CpanelClient>();
  const outcomes: RunOutcome[] = [];
  const cwd = io.cwd ?? process.cwd();
  try {
    for (const file of files) {
      const shown = relative(cwd, file) || file;
      const outcome = await runOne(file, shown);
      outcomes.push(outcome);
      if (!v.json) {
        const what = outcome.function ? `${outcome.function}${outcome.server ? ` on ${outcome.server}` : ''}` : '';
        io.out(`${outcome.ok ? 'ok  ' : 'FAIL'}  ${outcome.kind.padEnd(13)} ${String(outcome.ms).padStart(6)} ms  ${shown}${what ? `  (${what})` : ''}${outcome.ok ? '' : `\n      ${outcome.hint ?? outcome.errors.join(' ')}`}\n`);
      }
    }
  } finally {
    await Promise.all([...clients.values()].map((c) => c.close()));
  }
  const failed = outcomes.filter((o) => !o.ok).length;
  if (v.json) io.out(`${JSON.stringify({ ok: failed === 0, passed: outcomes.length - failed, failed, results: outcomes }, null, 2)}\n`);
  else io.out(`${outcomes.length - failed} passed, ${failed} failed\n`);
  return failed ? 1 : 0;

  async function runOne(file: string, shown: string): Promise<RunOutcome> {
    const fail = (kind: string, hint: string, extra: Partial<RunOutcome> = {}): RunOutcome => ({ file: shown, ok: false, kind, status: 0, ms: 0, errors: [hint], hint, ...extra });
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return fail('config_error', `${shown} cannot be read.`);
    }
    const parsed = parseSnippet(text);
    if (!parsed.ok) return fail('malformed_snippet', parsed.problems.filter((p) => p.severity === 'error').map((p) => p.message).join(' '));
    const s: Snippet = parsed.snippet;
    const base = { server: s.server, function: `${s.family} ${s.function}${s.account ? ` as ${s.account}` : ''}` };
    const resolved = resolveSnippet(s, profiles, (name) => io.env[name]);
    if (!resolved.ok) return fail('config_error', `${resolved.message}${resolved.message.startsWith('No server') ? ' Add it to the servers file.' : ''}`, base);
    const { profile } = resolved.target;
    let client = clients.get(profile.label);
    if (!client) {
      let secrets;
      try {
        secrets = secretsFromEnv(profile, io.env, profile.label);
      } catch (e) {
        return fail('config_error', e instanceof Error ? e.message : String(e), base);
      }
      client = new CpanelClient(profile, secrets, { limits: timeoutLimits(timeoutMs) });
      clients.set(profile.label, client);
    }
    const run = await runRequest(client, resolved.target, { signal: io.signal, confirm: async () => v['allow-destructive'] === true });
    if (!run.sent) {
      const why = run.reason === 'declined' ? `${s.function} removes, suspends, revokes or resets something: run it only with --allow-destructive.` : run.message;
      return fail('config_error', why, base);
    }
    const r = run.result;
    return { file: shown, ...base, ok: r.ok, kind: r.kind, status: r.status, ms: r.timings.totalMs, errors: r.errors, ...(r.hint ? { hint: r.hint } : {}) };
  }
}
