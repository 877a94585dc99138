import { FAMILIES, isSecretParam, type Family } from '../../shared/families';
import { effectOf } from '../api/effects';
import type { Catalog, CatalogFunction } from '../catalog';
import type { Checked, DescribeInput, SearchInput } from './input';
import { agentEffect, type AgentEffect } from './guard';

/** The catalog as the agent tools show it: search hits and one function's facts, as plain JSON. */

export interface FunctionHit {
  api: Family;
  function: string;
  title: string;
  effect: AgentEffect;
  /** Names of the required parameters. */
  required: string[];
  docs: string;
}

export interface FunctionFacts {
  api: Family;
  function: string;
  title: string;
  method: 'GET' | 'POST';
  since?: string;
  effect: AgentEffect;
  docs: string;
  params: {
    name: string;
    type: string;
    required: boolean;
    values?: string[];
    default?: string;
    format?: string;
    /** The value is a secret: see cpanel_call's description for how to give one. */
    secret?: true;
    description?: string;
  }[];
}

const DEFAULT_LIMIT = 20;
const DOCS = 'https://api.docs.cpanel.net/';

function effect(f: CatalogFunction): AgentEffect {
  return agentEffect(effectOf(f.family, f.name));
}

export function searchFunctions(catalog: Catalog, input: SearchInput): { total: number; functions: FunctionHit[]; note?: string } {
  if (input.api === 'api2') {
    return {
      total: 0,
      functions: [],
      note: `The bundled catalog covers UAPI and WHM API 1; cPanel API 2 functions are documented at ${DOCS}.`,
    };
  }
  const family = input.api ? FAMILIES[input.api].catalog : undefined;
  const all = catalog.search(input.query, { ...(family ? { family } : {}), limit: Number.MAX_SAFE_INTEGER });
  const functions = all.slice(0, input.limit ?? DEFAULT_LIMIT).map((f) => ({
    api: f.family,
    function: f.name,
    title: f.title,
    effect: effect(f),
    required: f.params.filter((p) => p.required).map((p) => p.name),
    docs: f.docs,
  }));
  const note = 'Nothing matched every word: try fewer or other words (a module such as Email, or a verb such as list).';
  return { total: all.length, functions, ...(all.length ? {} : { note }) };
}

export function describeFunction(catalog: Catalog, input: DescribeInput): Checked<FunctionFacts> {
  const fam = FAMILIES[input.api];
  if (!fam.catalog)
    return { ok: false, message: `The bundled catalog covers UAPI and WHM API 1, not ${fam.name}: see ${DOCS} for ${input.function}.` };
  const f = catalog.get(fam.catalog, input.function);
  if (!f) {
    const like = catalog.search(input.function.split('/').pop() ?? input.function, { family: fam.catalog, limit: 5 }).map((x) => x.name);
    const similar = like.length ? ` Similar: ${like.join(', ')}.` : '';
    return {
      ok: false,
      message: `The catalog has no ${fam.name} function named ${input.function}.${similar} Search with cpanel_search_functions.`,
    };
  }
  return {
    ok: true,
    value: {
      api: input.api,
      function: f.name,
      title: f.title,
      method: f.method,
      ...(f.since ? { since: f.since } : {}),
      effect: effect(f),
      docs: f.docs,
      params: f.params.map((p) => ({
        name: p.name,
        type: p.type,
        required: p.required,
        ...(p.values?.length ? { values: p.values.slice(0, 50) } : {}),
        ...(p.default !== undefined ? { default: p.default } : {}),
        ...(p.format ? { format: p.format } : {}),
        ...(isSecretParam(p.name) ? { secret: true as const } : {}),
        ...(p.description ? { description: cut(p.description, 300) } : {}),
      })),
    },
  };
}

function cut(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}
