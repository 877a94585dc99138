import { FAMILIES, isSecretParam } from '../shared/families';
import { runCaptures, runChecks, type CheckResult } from './checks';
import type { RunVariables } from './environments';
import { effectOf, type Effect } from './api/effects';
import { buildRequest, encodeParams, functionName, type ApiRequest, type BuiltRequest } from './api/request';
import { redactUrl } from './redact';
import { CallFailure, type ApiResult } from './result';
import { baseUrl, type ServerProfile } from './servers';
import { filledRequest, resolvePlaceholders, type Snippet, type VariableSource } from './snippets';
import { confinedUpload, redactorFor } from './snippetSandbox';

/**
 * Before a request is sent (by the pipeline, src/core/pipeline.ts): a snippet resolved into a request,
 * the request built and previewed exactly as it will go, whether it must be confirmed; and after, a
 * snippet's checks and captures judged on the answer.
 */

/** A request and the server it goes to. */
export interface Target {
  profile: ServerProfile;
  request: ApiRequest;
  /** Values filled in from the environment (or an environment's secrets): sent, never shown. */
  secretValues?: readonly string[];
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
  return previewBuilt(t, buildRequest(t.request, t.profile));
}

/** What `built`, the target's request as it will go out, shows to a person. */
function previewBuilt(t: Target, built: BuiltRequest): Preview {
  // Values filled from the environment are shown redacted, wherever the preview goes (a confirmation, a result view).
  const scrub = t.secretValues?.length ? redactorFor(t.secretValues) : undefined;
  const shown = (text: string): string => (scrub ? scrub.scrubKnown(text) : text);
  const body = previewBody(built);
  return {
    what: shown(describeTarget(t)),
    method: built.method,
    url: shown(redactUrl(baseUrl(t.profile) + built.path)),
    ...(body !== undefined ? { body: shown(body) } : {}),
    effect: effectOf(t.request.family, functionName(t.request)),
  };
}

function previewBody(built: BuiltRequest): string | undefined {
  if (built.multipart) {
    const fields = built.multipart.fields.length ? redactUrl(`?${encodeParams(built.multipart.fields)}`).slice(1) : '';
    return [fields, ...built.multipart.files.map((f) => `${f.name}=@${f.path}`)].filter(Boolean).join('&');
  }
  if (built.body === undefined) return undefined;
  return built.contentType === 'application/json'
    ? `(JSON) ${built.body.length > 2000 ? `${built.body.slice(0, 2000)}…` : built.body}`
    : redactUrl(`?${built.body}`).slice(1);
}

/** Why a run asks first. */
export type ConfirmReason = 'destructive' | 'resend';

/** Whether a request must be confirmed before it goes, and why; undefined when it goes as it is. */
export function confirmationNeeded(effect: Effect, opts: { resend?: boolean }): ConfirmReason | undefined {
  if (effect === 'destructive') return 'destructive';
  if (effect === 'changes' && opts.resend) return 'resend';
  return undefined;
}

export type Resolved = { ok: true; target: Target; snippet: Snippet; secrets: string[] } | { ok: false; message: string };

/**
 * A snippet's server (by label) and request, placeholders filled (${env:NAME} by `lookup`, ${name}
 * by `vars`), or why it cannot run. `secrets` are the values filled from the environment or from an
 * environment's secrets: the caller teaches them to the redactor before it sends or prints anything
 * (a refusal here is already scrubbed of them). Files to upload are checked against the workspace
 * folder `fileBase` (see confinedUpload) and sent by their real paths.
 */
export function resolveSnippet(
  s: Snippet,
  profiles: readonly ServerProfile[],
  lookup: (name: string) => string | undefined,
  vars?: VariableSource,
  fileBase?: string,
): Resolved {
  const secrets = new Set<string>();
  const read = (name: string): string | undefined => {
    const v = lookup(name);
    if (v) secrets.add(v);
    return v;
  };
  const watched: VariableSource | undefined = vars && {
    get: (name) => {
      const v = vars.get(name);
      if (v && vars.isSecret?.(name)) secrets.add(v);
      return v;
    },
    ...(vars.missing ? { missing: (name: string) => vars.missing!(name) } : {}),
    // A row's value is data, not a secret, unless its column is secret-named (a password column): then it is sent as one.
    ...(vars.row
      ? {
          row: (column: string) => {
            const v = vars.row!(column);
            if (v && isSecretParam(column)) secrets.add(v);
            return v;
          },
        }
      : {}),
  };
  const refuse = (e: unknown): Resolved => ({
    ok: false,
    message: redactorFor(secrets).scrubKnown(e instanceof Error ? e.message : String(e)),
  });
  let filled: Snippet;
  try {
    filled = resolvePlaceholders(s, read, watched);
  } catch (e) {
    return refuse(e);
  }
  const profile = profiles.find((p) => p.label === filled.server);
  if (!profile) return refuse(new Error(`No server is labelled "${filled.server}".`));
  try {
    const built = withConfinedUploads(filled, filledRequest(filled, fileBase), fileBase);
    // A parameter filled with a secret (from the environment, or a secret variable) is sent as one: in a POST body.
    const secretParams = built.params
      .filter(([, v]) => secrets.has(String(v)) || [...secrets].some((x) => x.length >= 4 && String(v).includes(x)))
      .map(([n]) => n);
    const request = secretParams.length
      ? { ...built, secretParams: [...new Set([...(built.secretParams ?? []), ...secretParams])] }
      : built;
    return { ok: true, target: { profile, request }, snippet: filled, secrets: [...secrets] };
  } catch (e) {
    return refuse(e);
  }
}

/**
 * The request with the files of a (filled) snippet's body.files checked against its workspace folder
 * and named by their real paths; throws the refusal. Checked when the request is resolved, right
 * before it is sent: see confinedUpload for why that is enough.
 */
export function withConfinedUploads(filled: Snippet, request: ApiRequest, root: string | undefined): ApiRequest {
  if (!filled.body || !('files' in filled.body)) return request;
  if (root === undefined)
    throw new Error('A snippet that uploads files must be in a workspace folder: its paths are relative to it. Nothing was sent.');
  return {
    ...request,
    body: { kind: 'multipart', files: filled.body.files.map((f) => ({ name: f.name, path: confinedUpload(root, f.path, f.name) })) },
  };
}

/** `built`: the request as it will go out, handed to the client so that it is not built twice. */
export type Prepared = { ok: true; preview: Preview; built: BuiltRequest; ask?: ConfirmReason } | { ok: false; message: string };

/** What will be sent and whether it must be confirmed first; a request that cannot be built says why. */
export function prepareRun(t: Target, opts: { resend?: boolean } = {}): Prepared {
  try {
    const built = buildRequest(t.request, t.profile);
    const preview = previewBuilt(t, built);
    const ask = confirmationNeeded(preview.effect, opts);
    return { ok: true, preview, built, ...(ask ? { ask } : {}) };
  } catch (e) {
    return { ok: false, message: e instanceof CallFailure || e instanceof Error ? e.message : String(e) };
  }
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
