import type { Family } from '../../shared/families';
import type { ApiRequest, Param } from '../api/request';
import type { Catalog } from '../catalog';
import { prepareRun, type Preview } from '../requestRun';
import type { ApiResult } from '../result';
import type { ServerProfile } from '../servers';
import { envAllowed } from '../snippetSandbox';
import { answerOf, fitAnswer, notSent, type Answer, type Cut } from './answer';
import { decide, type AgentPolicy, type Decision } from './guard';
import { checkCall, findServer, secretParamNames, short, toRequest, type CallInput } from './input';
import { pick } from './query';

/**
 * One cpanel_call, from the model's input to the text it gets, minus what each host does its own
 * way: ask for secret values, confirm, send (always through the RequestPipeline).
 */

/** Stands for a secret value in what a confirmation shows (redacted there; it makes the preview a POST, as the call will be). */
const SECRET_PLACEHOLDER = 'secret-value-placeholder';

export type Plan =
  | {
      ok: true;
      input: CallInput;
      profile: ServerProfile;
      /** The request with every secret parameter's value still as the model wrote it. */
      request: ApiRequest;
      /** Exactly what will be sent, secrets redacted. */
      preview: Preview;
      decision: Decision;
      /** Parameters whose values are secrets: the host fills them (password box, ${env:NAME}). */
      secretNames: string[];
    }
  | { ok: false; answer: Answer };

export function planCall(raw: unknown, profiles: readonly ServerProfile[], catalog: Catalog | undefined, policy: AgentPolicy): Plan {
  const input = checkCall(raw);
  if (!input.ok) return { ok: false, answer: notSent('invalid_input', input.message) };
  const server = findServer(input.value.server, profiles);
  if (!server.ok) return { ok: false, answer: notSent('invalid_input', server.message) };
  const request = toRequest(input.value, server.value, catalog);
  if (!request.ok) return { ok: false, answer: notSent('invalid_input', request.message) };
  const secretNames = secretParamNames(input.value.params);
  const shown = fillSecrets(request.value, secretNames, () => SECRET_PLACEHOLDER);
  const prepared = prepareRun({ profile: server.value, request: shown });
  if (!prepared.ok) return { ok: false, answer: notSent('invalid_input', prepared.message) };
  const decision = decide(prepared.preview.effect, prepared.preview.what, policy);
  return { ok: true, input: input.value, profile: server.value, request: request.value, preview: prepared.preview, decision, secretNames };
}

/** The request with each value of the named parameters replaced (and marked as secret, so it goes in a POST body). */
export function fillSecrets(
  request: ApiRequest,
  names: readonly string[],
  value: (name: string, given: string, index: number) => string,
): ApiRequest {
  if (!names.length) return request;
  const seen = new Map<string, number>();
  const params = request.params.map(([n, v]): Param => {
    if (!names.includes(n)) return [n, v];
    const i = seen.get(n) ?? 0;
    seen.set(n, i + 1);
    return [n, value(n, String(v), i)];
  });
  return { ...request, params, secretParams: [...new Set([...(request.secretParams ?? []), ...names])] };
}

const ENV_REF = /^\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}$/;

/**
 * `cpapi mcp`: every secret parameter's value must be ${env:NAME}, NAME an allowed variable that is
 * set; the request with the values, and the values (to scrub them), or the refusal. A literal value
 * from the model is refused: it would have been a secret the model saw.
 */
export function secretsFromEnvRefs(
  request: ApiRequest,
  names: readonly string[],
  env: NodeJS.ProcessEnv,
  allowed: readonly string[],
): { ok: true; request: ApiRequest; values: string[] } | { ok: false; message: string } {
  const values: string[] = [];
  let problem: string | undefined;
  const filled = fillSecrets(request, names, (name, given) => {
    const m = ENV_REF.exec(given);
    if (!m) {
      problem ??=
        `"${name}" is a secret parameter: its value must be "\${env:NAME}", naming an environment variable the user set ` +
        'for this server, never the value itself. Nothing was sent.';
      return '';
    }
    const v = m[1]!;
    if (!envAllowed(v, allowed)) {
      problem ??=
        `\${env:${v}} (for "${name}") is not an allowed environment variable: CPANEL_* variables are, ` +
        `and the ones the user allows with --allow-env ${v}. Nothing was sent.`;
      return '';
    }
    const value = env[v];
    if (!value) {
      problem ??= `\${env:${v}} (for "${name}") is not set in the environment of cpapi mcp: the user must set it and restart the server. Nothing was sent.`;
      return '';
    }
    values.push(value);
    return value;
  });
  return problem ? { ok: false, message: problem } : { ok: true, request: filled, values };
}

/** The text a model gets for a sent call: the scrubbed answer, with `query` applied to a success, cut to the budget. */
export async function answerText(
  r: ApiResult,
  input: Pick<CallInput, 'query' | 'api'>,
  maxChars: number,
): Promise<{ text: string; isError: boolean; cut?: Cut }> {
  let answer: Answer = answerOf(r);
  if (r.ok && input.query !== undefined) {
    try {
      answer = answerOf(r, { query: input.query, value: await pick(input.query, r) });
    } catch (e) {
      const why = short(e instanceof Error ? e.message : String(e));
      answer = { ...answerOf(r), data: null, errors: [`The call succeeded, but "query" could not be applied: ${why}`] };
      return { ...fitAnswer(answer, maxChars, input.api), isError: true };
    }
  }
  return { ...fitAnswer(answer, maxChars, input.api as Family), isError: !r.ok };
}

/** The text a model gets for a call that was not sent. */
export function refusalText(answer: Answer, maxChars: number): { text: string; isError: true } {
  return { text: fitAnswer(answer, maxChars).text, isError: true };
}

/** The servers as a model sees them: never a secret, nor where one is kept. */
export function serverList(profiles: readonly ServerProfile[], state: (p: ServerProfile) => string): object[] {
  return profiles.map((p) => ({
    label: p.label,
    service: p.service,
    host: p.host,
    port: p.port,
    user: p.username,
    groups: p.groups ?? [],
    state: state(p),
  }));
}
