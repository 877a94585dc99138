import type { AnswerShape } from './families';

export interface Verdict {
  ok: boolean;
  data: unknown;
  errors: string[];
  warnings: string[];
  messages: string[];
  metadata: Record<string, unknown>;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** cPanel sends errors, warnings and messages as null, a string, or an array (of strings or objects). */
function strings(v: unknown): string[] {
  if (v === null || v === undefined || v === '') return [];
  if (Array.isArray(v)) return v.flatMap((x) => (typeof x === 'string' ? [x] : x === null || x === undefined ? [] : [JSON.stringify(x)]));
  return [typeof v === 'string' ? v : JSON.stringify(v)];
}

/** "1", 1 and true all mean success in cPanel's answers. */
function truthy(v: unknown): boolean {
  return v === 1 || v === '1' || v === true;
}

function uapi(o: Obj): Verdict | undefined {
  if (!('status' in o) || !('data' in o || 'errors' in o)) return undefined;
  const errors = strings(o.errors);
  return {
    ok: truthy(o.status),
    data: o.data ?? null,
    errors: truthy(o.status) || errors.length ? errors : ['The function reported failure without an error message.'],
    warnings: strings(o.warnings),
    messages: strings(o.messages),
    metadata: isObj(o.metadata) ? o.metadata : {},
  };
}

function whm(o: Obj): Verdict | undefined {
  const md = o.metadata;
  if (!isObj(md) || !('result' in md)) return undefined;
  const ok = truthy(md.result);
  const output = isObj(md.output) ? md.output : {};
  const reason = typeof md.reason === 'string' ? md.reason : '';
  const v: Verdict = {
    ok,
    data: o.data ?? null,
    errors: ok ? [] : [reason || 'The function reported failure without a reason.'],
    warnings: strings(output.warnings),
    messages: strings(output.messages),
    metadata: md,
  };
  // uapi_cpanel wraps a whole UAPI answer in data.uapi: its verdict is the one that matters.
  if (isObj(o.data) && isObj(o.data.uapi)) {
    const inner = uapi(o.data.uapi);
    if (inner) {
      // The UAPI answer's metadata (paginate, records…) reads as it does from cPanel's port; WHM's own under "whm".
      return { ...inner, ok: ok && inner.ok, errors: [...v.errors, ...inner.errors], metadata: { ...inner.metadata, whm: md } };
    }
  }
  return v;
}

function whmUapi(o: Obj): Verdict | undefined {
  if (isObj(o.result)) {
    const inner = uapi(o.result);
    if (inner) return { ...inner, metadata: { ...inner.metadata, apiversion: o.apiversion, module: o.module, func: o.func } };
  }
  // WHM refuses the call itself (unknown or foreign account) in its own envelope.
  return whm(o) ?? api2(o);
}

function api2(o: Obj): Verdict | undefined {
  const r = o.cpanelresult;
  if (!isObj(r)) return undefined;
  const event = isObj(r.event) ? r.event : {};
  const error = typeof r.error === 'string' ? r.error : '';
  const ok = !error && (event.result === undefined ? r.data !== undefined : truthy(event.result));
  const { data, ...rest } = r;
  return {
    ok,
    data: data ?? null,
    errors: ok ? [] : [error || 'The function reported failure without an error message.'],
    warnings: [],
    messages: [],
    metadata: rest,
  };
}

/** Reads a parsed JSON answer in the shape its family uses; undefined when it has another shape. */
export function normalize(shape: AnswerShape, body: unknown): Verdict | undefined {
  if (!isObj(body)) return undefined;
  switch (shape) {
    case 'uapi':
      return uapi(body);
    case 'whm':
      return whm(body);
    case 'whm-uapi':
      return whmUapi(body);
    case 'whm-api2':
      return api2(body) ?? whm(body);
  }
}
