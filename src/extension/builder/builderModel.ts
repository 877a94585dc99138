import { callsOnBehalf, FAMILIES, isControlParam, type Service } from '../../shared/families';
import { splitFunction, type ApiRequest } from '../../core/api/request';
import { Catalog, type CatalogFunction } from '../../core/catalog';
import { describeServer, SERVICE_NAMES, type ServerProfile } from '../../core/servers';
import { emptyState, EMPTY_SHAPING, type BuilderState, type FunctionSummary, type ServerSummary } from '../../shared/protocol';
import { bodyForFunction } from '../../shared/requestRules';

/** Converts between what the builder shows and what the core sends. No vscode here: unit-tested. */

export function serverSummary(p: ServerProfile): ServerSummary {
  return { id: p.id, label: p.label, service: p.service, description: `${describeServer(p)} · ${SERVICE_NAMES[p.service]}` };
}

export function functionSummaries(): FunctionSummary[] {
  return Catalog.load().functions.map(summaryOf);
}

function summaryOf(f: CatalogFunction): FunctionSummary {
  return {
    family: f.family,
    name: f.name,
    title: f.title,
    method: f.method,
    docs: f.docs,
    params: f.params.map((p) => ({
      name: p.name,
      type: p.type,
      required: p.required,
      ...(p.values ? { values: p.values } : {}),
      ...(p.in === 'body' ? { body: p.contentType === 'application/json' ? ('json' as const) : ('file' as const) } : {}),
    })),
  };
}

/** The request a builder state describes: empty optional parameters are left out, shaping becomes api.* parameters. */
export function stateToRequest(s: BuilderState, service: Service): ApiRequest {
  const section = FAMILIES[s.family].catalog;
  const fn = section ? Catalog.load().get(section, s.functionName) : undefined;
  const required = new Set(fn?.params.filter((p) => p.required).map((p) => p.name));
  const shaping = FAMILIES[s.family].shaping?.(s.shaping) ?? [];
  const params = [...s.params.filter((p) => p.name && (p.value !== '' || required.has(p.name))), ...shaping].map(
    (p) => [p.name, p.value] as const,
  );
  const b = s.body ?? { kind: 'none' };
  const body: ApiRequest['body'] =
    b.kind === 'json'
      ? { kind: 'json', text: b.text }
      : b.kind === 'files'
        ? { kind: 'multipart', files: b.files.filter((f) => f.name && f.path) }
        : undefined;
  return {
    family: s.family,
    ...splitFunction(s.family, s.functionName),
    params,
    method: body ? 'POST' : s.method,
    ...(s.secretInUrl && s.method === 'GET' && !body ? { secretInUrl: true as const } : {}),
    ...(callsOnBehalf(s.family, service) ? { asUser: s.account } : {}),
    ...(body ? { body } : {}),
  };
}

/** A builder state for a request (from a snippet or the tree); api.* shaping parameters stay as rows. */
export function requestToState(
  serverId: string,
  req: Pick<ApiRequest, 'family' | 'module' | 'function' | 'params' | 'method' | 'asUser' | 'body'>,
): BuilderState {
  return {
    ...emptyState(),
    serverId,
    family: req.family,
    account: req.asUser ?? '',
    functionName: FAMILIES[req.family].qualified ? `${req.module ?? ''}/${req.function}` : req.function,
    method: req.method ?? 'GET',
    params: req.params.map(([name, value]) => ({ name, value: typeof value === 'boolean' ? (value ? '1' : '0') : String(value) })),
    shaping: { ...EMPTY_SHAPING },
    body:
      req.body?.kind === 'json'
        ? { kind: 'json', text: req.body.text }
        : req.body?.kind === 'multipart'
          ? { kind: 'files', files: req.body.files.map((f) => ({ ...f })) }
          : { kind: 'none' },
  };
}

/** A fresh state for a catalog function: its required parameters, empty. */
export function functionState(serverId: string, family: BuilderState['family'], functionName: string, account = ''): BuilderState {
  const section = FAMILIES[family].catalog;
  const fn = section ? Catalog.load().get(section, functionName) : undefined;
  return {
    ...emptyState(),
    serverId,
    family,
    account,
    functionName,
    method: fn?.method ?? 'GET',
    params: (fn?.params ?? [])
      .filter((p) => p.required && p.in !== 'body' && !isControlParam(p.name))
      .map((p) => ({ name: p.name, value: '' })),
    body: fn ? bodyForFunction(summaryOf(fn)) : { kind: 'none' },
  };
}
