import type { ApiRequest } from './api/request';
import type { ApiResult, ResultKind } from './result';
import type { ServerProfile } from './servers';
import { at, findTables, mainTable, rowsOf, VALUE_COLUMN } from '../shared/tabular';

/**
 * One call to many targets: every server of a group, or every account of a WHM server. What a target
 * is, the shape each target's outcome is printed in, and how the answers are put together; the sending
 * itself (bounded concurrency, cancel) is RequestPipeline.fanOut's.
 */

export interface FanTarget {
  profile: ServerProfile;
  /** UAPI or API 2 on behalf of this account, through the WHM server. */
  account?: string;
}

/** A target's outcome, in the shape `cpapi fanout --jsonl` prints. */
export interface FanResult {
  server: string;
  account?: string;
  ok: boolean;
  kind: ResultKind;
  status: number;
  data: unknown;
  errors: string[];
  hint?: string;
  timeMs: number;
}

export const DEFAULT_CONCURRENCY = 8;
export const MAX_CONCURRENCY = 64;

/** The request for one target: on behalf of its account when it has one. */
export function requestFor(req: ApiRequest, t: FanTarget): ApiRequest {
  return t.account !== undefined ? { ...req, asUser: t.account } : req;
}

export function toFanResult(t: FanTarget, r: ApiResult): FanResult {
  return {
    server: t.profile.label,
    ...(t.account !== undefined ? { account: t.account } : {}),
    ok: r.ok,
    kind: r.kind,
    status: r.status,
    data: r.data,
    errors: r.errors,
    ...(r.hint ? { hint: r.hint } : {}),
    timeMs: r.timings.totalMs,
  };
}

/** One target's answer with the target it came from. */
export interface FanPart {
  target: FanTarget;
  result: ApiResult;
}

/** The combined answer of a fan-out, as one result a table reads. */
export interface FanSummary {
  /** Every target's rows, each with `server` (and `account`) first. */
  rows: Record<string, unknown>[];
  /** One row per target: how it went. */
  targets: { server: string; account?: string; verdict: string; status: number; ms: number; rows: number; hint?: string }[];
  ok: number;
  failed: number;
}

/**
 * Puts the targets' answers together: the rows of each answer's main list (or, for an answer that is
 * one record, the record) after `server` and `account` columns; failures are listed per target.
 */
export function combineFan(parts: readonly FanPart[]): FanSummary {
  const rows: Record<string, unknown>[] = [];
  const targets: FanSummary['targets'] = [];
  let ok = 0;
  for (const { target, result } of parts) {
    const who = { server: target.profile.label, ...(target.account !== undefined ? { account: target.account } : {}) };
    let count = 0;
    if (result.ok) {
      ok++;
      const cands = findTables(result.data);
      const main = cands[mainTable(cands)];
      const list = main ? at(result.data, main.path) : undefined;
      if (Array.isArray(list)) {
        for (const r of rowsOf(list)) rows.push({ ...who, ...r });
        count = list.length;
      } else if (result.data !== null && typeof result.data === 'object') {
        rows.push({ ...who, ...(result.data as Record<string, unknown>) });
        count = 1;
      } else {
        rows.push({ ...who, [VALUE_COLUMN]: result.data });
        count = 1;
      }
    }
    targets.push({
      ...who,
      verdict: result.ok ? 'OK' : result.kind,
      status: result.status,
      ms: result.timings.totalMs,
      rows: count,
      ...(result.ok ? {} : { hint: result.hint ?? result.errors.join(' ') }),
    });
  }
  return { rows, targets, ok, failed: parts.length - ok };
}
