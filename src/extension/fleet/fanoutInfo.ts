import type { ApiRequest } from '../../core/api/request';
import type { FanTarget } from '../../core/fanout';

/** What a fan-out result keeps: to compare two targets, send it again, or edit it. */
export interface FanoutInfo {
  request: ApiRequest;
  targets: FanTarget[];
  /** "group eu", "every account of prod". */
  what: string;
  ok: number;
  failed: number;
  /** Stored ids of each target's own result, in target order. */
  parts: number[];
}
