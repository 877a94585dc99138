import { FAMILIES } from '../shared/families';
import { runCaptures, runChecks, type CheckResult } from './checks';
import type { RunVariables } from './environments';
import { effectOf, type Effect } from './api/effects';
import { buildRequest, encodeParams, functionName, type ApiRequest, type BuiltRequest } from './api/request';
import type { CallOptions } from './client';
import { redactUrl } from './redact';
import { CallFailure, type ApiResult } from './result';
import { baseUrl, type ServerProfile } from './servers';
import { resolvePlaceholders, snippetRequest, type Snippet, type VariableSource } from './snippets';

/**
 * The one way a request is sent, from every path (palette, tree, builder, snippets, Rerun, cpapi):
 * resolve what is to be sent, show exactly that when it needs confirming, then send it.
 */

/** A request and the server it goes to. */
export interface Target {
  profile: ServerProfile;
  request: ApiRequest;
}

/** Exactly what will be sent, secrets redacted: what a confirmation shows. */
export interface Preview {
  /** "WHM API 1 removeacct on prod" or "UAPI Email/add_pop as bob on prod". */
  what: string;
  method: 'GET' | 'POST';
  url: string;
  /** The body of a POST as a person reads it (form fields one a line, the JSON, the files), redacted. */
  body?: string;
  effect: Effect;
}

export function describeTarget(t: Target): string {
  return `${FAMILIES[t.request.family].name} ${functionName(t.request)}${t.request.asUser ? ` as ${t.request.asUser}` : ''} on ${t.profile.label}`;
}

/** Builds the request as it would go out; throws a CallFailure (config_error) when it cannot. */
export function previewRequest(t: Target): Preview {
  const built = buildRequest(t.request, t.profile);
  return {
    what: describeTarget(t),
    method: built.method,
    url: redactUrl(baseUrl(t.profile) + built.path),
    ...(previewBody(built) !== undefined ? { body: previewBody(built) } : {}),
    effect: effectOf(t.request.family, functionName(t.request)),
  };
}

function previewBody(built: BuiltRequest): string | undefined {
  if (built.multipart) {
    const fields = built.multipart.fields.length ? redactUrl(`?${encodeParams(built.multipart.fields)}`).slice(1) : '';
    return [fields, ...built.multipart.files.map((f) => `${f.name}=@${f.path}`)].filter(Boolean).join('&');
  }
  if (built.body === undefined) return undefined;
  return built.contentType === 'application/json' ? `(JSON) ${built.body.length > 2000 ? `${built.body.slice(0, 2000)}…` : built.body}` : redactUrl(`?${built.body}`).slice(1);
}

/** Why a run asks first. */
export type ConfirmReason = 'destructive' | 'resend';

/** Whether a request must be confirmed before it goes, and why; undefined when it goes as it is. */
export function confirmationNeeded(effect: Effect, opts: { resend?: boolean }): ConfirmReason | undefined {
  if (effect === 'destructive') return 'destructive';
  if (effect === 'changes' && opts.resend) return 'resend';
  return undefined;
}

export type Resolved = { ok: true; target: Target; snippet: Snippet } | { ok: false; message: string };

/**
 * A snippet's server (by label) and request, placeholders filled (${env:NAME} by `lookup`, ${name}
 * by `vars`), or why it cannot run.
 */
export function resolveSnippet(s: Snippet, profiles: readonly ServerProfile[], lookup: (name: string) => string | undefined, vars?: VariableSource, fileBase?: string): Resolved {
  let filled: Snippet;
  try {
    filled = resolvePlaceholders(s, lookup, vars);
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : String(e) };
  }
  const profile = profiles.find((p) => p.label === filled.server);
  if (!profile) return { ok: false, message: `No server is labelled "${filled.server}".` };
  try {
    return { ok: true, target: { profile, request: snippetRequest(filled, lookup, undefined, fileBase) }, snippet: filled };
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : String(e) };
  }
}

export interface Caller {
  call(req: ApiRequest, opts?: CallOptions): Promise<ApiResult>;
}

export type RunOutcome = { sent: true; result: ApiResult; preview: Preview } | { sent: false; reason: 'declined' | 'invalid'; message: string; preview?: Preview };

export type Prepared = { ok: true; preview: Preview; ask?: ConfirmReason } | { ok: false; message: string };

/** What will be sent and whether it must be confirmed first; a request that cannot be built says why. */
export function prepareRun(t: Target, opts: { resend?: boolean } = {}): Prepared {
  try {
    const preview = previewRequest(t);
    const ask = confirmationNeeded(preview.effect, opts);
    return { ok: true, preview, ...(ask ? { ask } : {}) };
  } catch (e) {
    return { ok: false, message: e instanceof CallFailure || e instanceof Error ? e.message : String(e) };
  }
}

/**
 * Checks, confirms and sends one request. `confirm` is asked only when prepareRun says so; a request
 * that cannot be built is not sent, and says why.
 */
export async function runRequest(
  caller: Caller,
  t: Target,
  opts: CallOptions & { resend?: boolean; confirm?: (preview: Preview, reason: ConfirmReason) => Promise<boolean> },
): Promise<RunOutcome> {
  const prepared = prepareRun(t, opts);
  if (!prepared.ok) return { sent: false, reason: 'invalid', message: prepared.message };
  const { preview, ask } = prepared;
  if (ask && !(await (opts.confirm?.(preview, ask) ?? Promise.resolve(false)))) {
    return { sent: false, reason: 'declined', message: `${preview.what} was not sent.`, preview };
  }
  return { sent: true, result: await caller.call(t.request, { signal: opts.signal, timeoutMs: opts.timeoutMs, keepUnredacted: opts.keepUnredacted }), preview };
}

/** What a snippet's answer came to: its checks, and the values it captured for the snippets after it. */
export interface Judgement {
  /** All of `expect` held, or, without `expect`, the call succeeded. */
  pass: boolean;
  checks: CheckResult[];
  /** Names of the variables captured. */
  captured: string[];
  /** What was captured, by name. */
  values: Record<string, string>;
  /** Captures that found nothing or could not be evaluated. */
  captureProblems: string[];
}

/** Judges one answer of a snippet and records its captures in `vars` (as taken by `by`). */
export async function judgeSnippet(s: Snippet, r: ApiResult, vars: RunVariables | undefined, by: string): Promise<Judgement> {
  const checks = s.expect ? await runChecks(s.expect, r) : [];
  const { values, problems } = s.capture ? await runCaptures(s.capture, r) : { values: {}, problems: [] };
  vars?.capture(values, by);
  return { pass: s.expect ? checks.every((c) => c.pass) : r.ok, checks, captured: Object.keys(values), values, captureProblems: problems };
}
