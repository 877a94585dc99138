import type { ApiResult } from '../../src/core/result';

/** A successful WHM answer with nothing in it, for tests that set only what they look at. */
export const okResult = (over: Partial<ApiResult> = {}): ApiResult => ({
  ok: true,
  kind: 'ok',
  status: 200,
  data: null,
  errors: [],
  warnings: [],
  messages: [],
  metadata: {},
  raw: '{}',
  contentType: 'application/json',
  timings: { headersMs: 3, totalMs: 5 },
  request: { method: 'GET', url: 'https://h:2087/json-api/x', family: 'whm', function: 'x' },
  ...over,
});
