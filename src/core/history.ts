import { FAMILIES, type Family } from '../shared/families';
import { functionName, secretNames, type ApiRequest, type Param } from './api/request';
import { isSecretHeader, isSecretParam, REDACTED, redactUrl } from './redact';
import type { ApiResult, Phases, ResultKind } from './result';
import type { ServerProfile } from './servers';

/**
 * The history of calls, as data: what one entry keeps (never a secret), what of an answer is kept,
 * and which entries retention drops. Storage is the extension's; this is plain and unit-tested.
 */

export interface HistoryEntry {
  id: string;
  /** Milliseconds since the epoch. */
  time: number;
  serverId: string;
  server: string;
  account?: string;
  family: Family;
  /** "listaccts", "Email/list_pops". */
  function: string;
  method: 'GET' | 'POST';
  /** The request's headers as sent, credentials, cookies and OTP codes redacted. */
  headers?: [string, string][];
  /** As sent, with the value of every secret-looking parameter replaced by [redacted]. */
  params: [string, string][];
  body?: { kind: 'json'; text: string } | { kind: 'multipart'; files: { name: string; path: string }[] };
  /** Where the call started: palette, tree, builder, snippet, rerun, result, history. */
  origin: string;
  ok: boolean;
  kind: ResultKind;
  status: number;
  ms: number;
  /** Where the time of the exchange went (absent for entries older than it, and for calls never sent). */
  phases?: Phases;
  /** Size of the answer's body in bytes. */
  bytes: number;
  hint?: string;
  /** Whether the answer is stored beside the entry (false: larger than the cap, or none arrived). */
  answerKept: boolean;
}

/** What an answer is stored as: the result without what must not touch the disk. */
export type StoredAnswer = Omit<ApiResult, 'rawUnredacted'>;

export interface Retention {
  maxEntries: number;
  maxDays: number;
}

const DAY = 86_400_000;

export function newHistoryId(now: number, random: () => number = Math.random): string {
  return `${now.toString(36)}-${Math.floor(random() * 36 ** 6)
    .toString(36)
    .padStart(6, '0')}`;
}

/** Text with any value under a secret-looking JSON key, any cpsess token and any secret query value replaced. */
export function redactText(text: string): string {
  return text
    .replace(/("([^"\\]{1,64})"\s*:\s*)"(?:[^"\\]|\\.)*"/g, (m, lead: string, key: string) =>
      isSecretParam(key) ? `${lead}"${REDACTED}"` : m,
    )
    .replace(/\/cpsess\d+/gi, `/cpsess${REDACTED}`)
    .replace(/([?&](?:session|token|password|pass)=)[^&"\s]*/gi, `$1${REDACTED}`);
}

/** A value with secrets replaced: keys that name a secret, cpsess tokens and secret query values in strings. */
export function redactValue(v: unknown, depth = 0): unknown {
  if (depth > 64) return v;
  if (typeof v === 'string') return /cpsess|[?&]/.test(v) ? redactText(redactUrl(v)) : v;
  if (Array.isArray(v)) return v.map((x) => redactValue(x, depth + 1));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v))
      out[k] = isSecretParam(k) && x !== null && typeof x !== 'object' ? REDACTED : redactValue(x, depth + 1);
    return out;
  }
  return v;
}

/** Parameters as stored: secret ones (by name, or because the request says so) replaced. */
function redactParams(req: Pick<ApiRequest, 'params' | 'secretParams'>): [string, string][] {
  const secret = new Set(secretNames(req));
  return req.params.map(([k, v]) => [
    k,
    secret.has(k) || isSecretParam(k) ? REDACTED : typeof v === 'boolean' ? (v ? '1' : '0') : String(v),
  ]);
}

function redactBody(body: ApiRequest['body']): HistoryEntry['body'] {
  if (!body) return undefined;
  if (body.kind === 'json') {
    try {
      return { kind: 'json', text: JSON.stringify(redactValue(JSON.parse(body.text) as unknown)) };
    } catch {
      return { kind: 'json', text: '(not valid JSON: not kept)' };
    }
  }
  return { kind: 'multipart', files: body.files.map((f) => ({ name: f.name, path: f.path })) };
}

/** The entry for one call; `answerKept` says whether storedAnswer() of it is written beside. */
export function historyEntry(
  profile: ServerProfile,
  req: ApiRequest,
  r: ApiResult,
  origin: string,
  now: number,
  maxAnswerBytes: number,
  id = newHistoryId(now),
): HistoryEntry {
  const bytes = byteLength(r.raw);
  const body = redactBody(req.body);
  return {
    id,
    time: now,
    serverId: profile.id,
    server: profile.label,
    ...(req.asUser ? { account: req.asUser } : {}),
    family: req.family,
    function: functionName(req),
    method: r.request.method,
    ...(r.request.headers
      ? { headers: r.request.headers.map(([k, v]): [string, string] => [k, isSecretHeader(k) && !v.endsWith(REDACTED) ? REDACTED : v]) }
      : {}),
    params: redactParams(req),
    ...(body ? { body } : {}),
    origin,
    ok: r.ok,
    kind: r.kind,
    status: r.status,
    ms: r.timings.totalMs,
    ...(r.timings.phases ? { phases: r.timings.phases } : {}),
    bytes,
    ...(r.hint ? { hint: r.hint } : {}),
    answerKept: r.status > 0 && bytes <= maxAnswerBytes,
  };
}

/** The answer as written to disk: no unredacted body, secret-named values and session links replaced. */
export function storedAnswer(r: ApiResult): StoredAnswer {
  const { rawUnredacted: _drop, ...rest } = r;
  void _drop;
  return { ...rest, raw: redactText(r.raw), data: redactValue(r.data), metadata: redactValue(r.metadata) as Record<string, unknown> };
}

/** Which entries to keep (newest first) and which to drop, by count and by age. */
export function applyRetention(
  entries: readonly HistoryEntry[],
  r: Retention,
  now: number,
): { keep: HistoryEntry[]; drop: HistoryEntry[] } {
  const sorted = [...entries].sort((a, b) => b.time - a.time);
  const keep: HistoryEntry[] = [];
  const drop: HistoryEntry[] = [];
  for (const e of sorted) (keep.length < r.maxEntries && now - e.time <= r.maxDays * DAY ? keep : drop).push(e);
  return { keep, drop };
}

/** "Today", "Yesterday" or the date, as the History view groups entries. */
export function dayLabel(time: number, now: number): string {
  const d = new Date(time);
  const today = new Date(now);
  const startOf = (x: Date): number => new Date(x.getFullYear(), x.getMonth(), x.getDate()).getTime();
  const diff = Math.round((startOf(today) - startOf(d)) / DAY);
  if (diff === 0) return 'Today';
  if (diff === 1) return 'Yesterday';
  dayFormat ??= new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });
  return dayFormat.format(d);
}

// One formatter for every label (toLocaleDateString makes a new one per call, which dominates a 500-entry view),
// made with the first label: the first Intl formatter of a process loads its locale data, some 12 ms, which
// activating the extension should not pay.
let dayFormat: Intl.DateTimeFormat | undefined;

/** Whether a history entry's request can be sent again as it is (no value was withheld). */
export function withheldParams(e: HistoryEntry): string[] {
  return [...new Set(e.params.filter(([, v]) => v === REDACTED).map(([k]) => k))];
}

/** The request an entry describes; values withheld as [redacted] are filled by `fill` (undefined: cannot). */
export function entryRequest(e: HistoryEntry, fill: Record<string, string> = {}): ApiRequest {
  const [module, fn] = FAMILIES[e.family].qualified ? (e.function.split('/') as [string, string]) : [undefined, e.function];
  const params: Param[] = e.params.map(([k, v]) => [k, v === REDACTED && k in fill ? fill[k]! : v]);
  const body: ApiRequest['body'] =
    e.body?.kind === 'json'
      ? { kind: 'json', text: e.body.text }
      : e.body?.kind === 'multipart'
        ? { kind: 'multipart', files: e.body.files }
        : undefined;
  const filled = Object.keys(fill).filter((k) => e.params.some(([n, v]) => n === k && v === REDACTED));
  return {
    family: e.family,
    ...(module ? { module } : {}),
    function: fn,
    params,
    method: e.method,
    ...(filled.length ? { secretParams: filled } : {}),
    ...(e.account ? { asUser: e.account } : {}),
    ...(body ? { body } : {}),
  };
}

export function byteLength(s: string): number {
  // Buffer where there is one (the host); the answer's text is UTF-8 on the wire.
  return typeof Buffer !== 'undefined' ? Buffer.byteLength(s) : new TextEncoder().encode(s).length;
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
