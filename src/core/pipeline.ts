import pLimit from 'p-limit';
import { effectOf } from './api/effects';
import { functionName, methodOf, type ApiRequest, type BuiltRequest } from './api/request';
import type { CpanelClient } from './client';
import { MAX_CONCURRENCY, requestFor, type FanPart, type FanTarget } from './fanout';
import { prepareRun, type ConfirmReason, type Preview, type Target } from './requestRun';
import { unsentResult, type ApiResult } from './result';
import type { ServerProfile } from './servers';
import { redactorFor } from './snippetSandbox';

/**
 * The one way a call leaves the product, from every path: the palette, the tree, the builder,
 * snippets (CodeLens, the Snippets view, the Testing view), Rerun, result views, History, fan-outs,
 * every `cpapi` command, and what comes next (agent tools, data runs). Each call goes through the
 * same stages: check (the request is built and its effect read, nothing sent if it cannot be),
 * confirm (what must be asked is asked, showing the exact request), send (the client: auth, the
 * safety rules toward the server, transport), scrub (the client's redactor), record and judge
 * (the caller's hooks). Callers differ only in the hooks they hand it.
 */

/** Where a call came from: History shows it, and a call sent again asks before it changes anything. */
export type Origin =
  | 'palette'
  | 'tree'
  | 'builder'
  | 'snippet'
  | 'rerun'
  | 'result'
  | 'history'
  | 'page'
  | 'fanout'
  | 'test'
  | 'background'
  | 'cli'
  | 'agent'
  | 'data';

/** Origins that send a request that was sent before: a change asks again. */
export const RESENDS: readonly Origin[] = ['rerun', 'result', 'history'];

/** What a question before sending is about. */
export type Question =
  | { reason: ConfirmReason; preview: Preview; target: Target; wording?: Wording }
  /** The request comes from a file of a workspace the person has not trusted. */
  | { reason: 'untrusted'; preview: Preview; target: Target; source: string }
  /** One question for a whole fan-out: a change, or a destructive call to `count` targets. */
  | { reason: 'fanout'; preview: Preview; fn: string; effect: 'changes' | 'destructive'; count: number; what: string };

export interface SendSpec extends Target {
  origin: Origin;
  signal?: AbortSignal;
  /** The deadline of the whole call, when not the client's own. */
  timeoutMs?: number;
  keepUnredacted?: boolean;
  /** The snippet file it came from, when that file's workspace is not trusted. */
  untrustedSource?: string;
  /** Not recorded (background reads: the tree's applist, the accounts list). */
  quiet?: boolean;
  /** The caller's own facts about this send (how to show it), handed back to its hooks untouched. */
  context?: SendContext;
  /** Secret values the answer carries (a new API token): learnt by the client's redactor before the answer is scrubbed. See CallOptions. */
  secretsInAnswer?: (answer: unknown) => readonly string[];
  /** The question before a destructive call, in the caller's words (what the call means here); the exact request is still shown. */
  wording?: Wording;
}

/** A caller's own wording of a question the pipeline asks. */
export interface Wording {
  message: string;
  action: string;
}

/** What a caller keeps with a send for its hooks: the extension's progress title and cancel signal. */
export interface SendContext {
  title?: string;
  progress?: boolean;
  signal?: AbortSignal;
}

export interface PipelineHooks {
  /** The client for a profile, from the one factory that makes them. */
  client(profile: ServerProfile): CpanelClient | Promise<CpanelClient>;
  /** Answers a question before sending; without the hook, nothing that needs asking is sent. */
  confirm?(q: Question): Promise<boolean>;
  /** Runs the send itself, e.g. inside a cancellable progress; the signal it passes aborts the call. */
  around?(spec: SendSpec, send: (signal?: AbortSignal) => Promise<ApiResult>): Promise<ApiResult>;
  /** After a failure, a profile to send the same call with once more (a certificate the person just pinned). */
  retryWith?(spec: SendSpec, result: ApiResult): Promise<ServerProfile | undefined>;
  /** Every answer, scrubbed (History, the log, "accounts may have changed"). */
  record?(spec: SendSpec, result: ApiResult): void;
}

export type Outcome =
  | { sent: true; result: ApiResult; preview: Preview; profile: ServerProfile }
  | { sent: false; reason: 'declined' | 'invalid'; message: string; preview?: Preview };

export interface FanOutOptions {
  concurrency: number;
  signal?: AbortSignal;
  origin: Origin;
  /** "group eu", "every account of prod": what the question and the results call the targets. */
  what: string;
  untrustedSource?: string;
  onStart?(t: FanTarget, index: number): void;
  onResult?(part: FanPart, index: number): void;
}

export type FanOutcome =
  { sent: true; parts: FanPart[]; preview: Preview } | { sent: false; reason: 'declined' | 'invalid'; message: string };

export class RequestPipeline {
  constructor(private readonly hooks: PipelineHooks) {}

  /** Checks, confirms, sends, records: one call. A request that cannot be built is not sent, and says why. */
  async send(spec: SendSpec): Promise<Outcome> {
    const prepared = prepareRun(spec, { resend: RESENDS.includes(spec.origin) });
    if (!prepared.ok) return { sent: false, reason: 'invalid', message: prepared.message };
    const { preview, ask, built } = prepared;
    if (
      spec.untrustedSource !== undefined &&
      !(await this.ask({ reason: 'untrusted', preview, target: spec, source: spec.untrustedSource }))
    ) {
      return { sent: false, reason: 'declined', message: `${preview.what} was not sent.`, preview };
    }
    if (ask && !(await this.ask({ reason: ask, preview, target: spec, ...(spec.wording ? { wording: spec.wording } : {}) })))
      return { sent: false, reason: 'declined', message: `${preview.what} was not sent.`, preview };
    let profile = spec.profile;
    let result = await this.exchange(spec, built);
    const changed = await this.hooks.retryWith?.(spec, result);
    if (changed) {
      // The person already agreed to this call; only the server's settings changed (a pinned certificate).
      profile = changed;
      result = await this.exchange({ ...spec, profile });
    }
    return { sent: true, result, preview, profile };
  }

  /**
   * One request to many targets (the servers of a group, the accounts of a WHM server): checked and
   * asked once for all, then each target through the same send, at most `concurrency` at once. A cancel
   * drops what has not started (each comes back as cancelled, not sent) and aborts what runs. Every
   * target's full result comes back, in target order.
   */
  async fanOut(request: ApiRequest, targets: readonly FanTarget[], opts: FanOutOptions): Promise<FanOutcome> {
    if (!targets.length)
      return {
        sent: true,
        parts: [],
        preview: { what: opts.what, method: methodOf(request), url: '', effect: effectOf(request.family, functionName(request)) },
      };
    const first = { profile: targets[0]!.profile, request: requestFor(request, targets[0]!) };
    const prepared = prepareRun(first);
    if (!prepared.ok) return { sent: false, reason: 'invalid', message: prepared.message };
    const { preview } = prepared;
    if (
      opts.untrustedSource !== undefined &&
      !(await this.ask({ reason: 'untrusted', preview, target: first, source: opts.untrustedSource }))
    ) {
      return { sent: false, reason: 'declined', message: `${functionName(request)} was not sent to ${targets.length} targets.` };
    }
    if (
      preview.effect !== 'read' &&
      !(await this.ask({
        reason: 'fanout',
        preview,
        fn: functionName(request),
        effect: preview.effect,
        count: targets.length,
        what: opts.what,
      }))
    ) {
      return { sent: false, reason: 'declined', message: `${functionName(request)} was not sent to ${targets.length} targets.` };
    }
    const limit = pLimit({ concurrency: Math.max(1, Math.min(MAX_CONCURRENCY, Math.floor(opts.concurrency))), rejectOnClear: true });
    const onAbort = (): void => limit.clearQueue();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const parts = await Promise.all(
        targets.map((target, i) =>
          limit(async (): Promise<FanPart> => {
            const req = requestFor(request, target);
            if (opts.signal?.aborted) return { target, result: notSentResult(req, 'cancelled', 'Cancelled before it was sent.') };
            opts.onStart?.(target, i);
            const part = {
              target,
              result: await this.exchange({
                profile: target.profile,
                request: req,
                origin: opts.origin,
                ...(opts.signal ? { signal: opts.signal } : {}),
              }),
            };
            opts.onResult?.(part, i);
            return part;
          }).catch((): FanPart => ({
            target,
            result: notSentResult(requestFor(request, target), 'cancelled', 'Cancelled before it was sent.'),
          })),
        ),
      );
      return { sent: true, parts, preview };
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  private ask(q: Question): Promise<boolean> {
    return this.hooks.confirm?.(q) ?? Promise.resolve(false);
  }

  /** `built`: the request as the check stage built it for this spec's profile, sent as it is. */
  private async exchange(spec: SendSpec, built?: BuiltRequest): Promise<ApiResult> {
    // Most factories hand a client back at once: not awaited then (a turn of the event loop less per call).
    const made = this.hooks.client(spec.profile);
    const client = made instanceof Promise ? await made : made;
    // Values filled from the environment are secrets whatever their names: learnt before anything is sent or logged.
    if (spec.secretValues) for (const v of spec.secretValues) client.redactor.learn(v);
    const send = (signal?: AbortSignal): Promise<ApiResult> =>
      client.call(spec.request, {
        signal,
        timeoutMs: spec.timeoutMs,
        keepUnredacted: spec.keepUnredacted,
        secretsInAnswer: spec.secretsInAnswer,
        built,
      });
    const sent = this.hooks.around ? await this.hooks.around(spec, send) : await send(spec.signal);
    // The client scrubbed the answer of what it knows; what came back is scrubbed of these too (the request's own fields).
    const result = spec.secretValues?.length ? redactorFor(spec.secretValues).scrubValue(sent) : sent;
    if (!spec.quiet) this.hooks.record?.(spec, result);
    return result;
  }
}

/** A call that was not sent (cancelled before it started), as a result like any other. */
export function notSentResult(request: ApiRequest, kind: 'cancelled' | 'config_error', hint: string): ApiResult {
  return unsentResult(kind, hint, { method: methodOf(request), url: '', family: request.family, function: safeName(request) });
}

function safeName(req: ApiRequest): string {
  try {
    return functionName(req);
  } catch {
    return req.function;
  }
}
