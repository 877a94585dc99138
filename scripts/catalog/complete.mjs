// Completes the bundled catalog (facts of cPanel & WHM v138) with the facts of cPanel's UAPI OpenAPI
// document (v11.125, test/fixtures/uapi-openapi-11.125-facts.json) and a few documented WHM facts,
// each added fact marked with its source. Idempotent: run it again and nothing changes.
//   node scripts/catalog/complete.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const CATALOG = 'resources/cpanel-api-catalog-v138.json';
const OPENAPI = 'test/fixtures/uapi-openapi-11.125-facts.json';
const SRC_OPENAPI = 'openapi-11.125';

const catalog = JSON.parse(readFileSync(CATALOG, 'utf8'));
const openapi = JSON.parse(readFileSync(OPENAPI, 'utf8')).functions;

/** A catalog parameter from an OpenAPI parameter's facts. */
function fromOpenApi(p) {
  return {
    name: p.name,
    type: p.type ?? 'string',
    required: p.required === true,
    ...(p.enum ? { values: p.enum.map(String) } : {}),
    ...(p.default !== undefined ? { default: String(p.default) } : {}),
    ...(p.format ? { format: p.format } : {}),
    ...(p.in === 'body' ? { in: 'body', contentType: p.contentType } : {}),
    source: SRC_OPENAPI,
  };
}

// 1. Docs links cut at a parenthesis ("…/spam-prevention-(boxtrapper"): the page is the category's,
//    whose slug ends with the parenthesis; the category is that slug (WHM's cpgreylist_* were "other").
for (const f of [...catalog.uapi, ...catalog.whm]) {
  if (f.docs && f.docs.includes('(') && !f.docs.includes(')')) {
    f.docs = `${f.docs})`;
    f.category = f.docs.slice(f.docs.lastIndexOf('/') + 1);
    f.docsNote = 'category page: the function page name was lost in the source';
  }
}

// 2. UAPI: parameters the OpenAPI document has and the catalog lacks; where each goes; enums and defaults.
const byName = new Map(catalog.uapi.map((f) => [`${f.module}/${f.function}`, f]));
for (const [name, spec] of Object.entries(openapi)) {
  const f = byName.get(name);
  if (!f) continue;
  f.params ??= [];
  for (const p of spec.params) {
    const mine = f.params.find((x) => x.name === p.name);
    if (!mine) {
      f.params.push(fromOpenApi(p));
      continue;
    }
    if (p.in === 'body' && !mine.in) Object.assign(mine, { in: 'body', contentType: p.contentType });
    if (p.enum && !mine.values) mine.values = p.enum.map(String);
    if (p.default !== undefined && mine.default === undefined) mine.default = String(p.default);
  }
}
// Required: the OpenAPI document and the function agree that install_ssl cannot work without the key.
const installSsl = byName.get('SSL/install_ssl')?.params.find((p) => p.name === 'key');
if (installSsl && !installSsl.required) Object.assign(installSsl, { required: true, source: SRC_OPENAPI });

// 3. Functions of the OpenAPI document that the v138 facts lack: kept, so the catalog is a superset.
for (const [name, spec] of Object.entries(openapi)) {
  if (byName.has(name)) continue;
  const [module, fn] = name.split('/');
  catalog.uapi.push({
    module,
    function: fn,
    title: fn.replace(/_/g, ' '),
    method: spec.method,
    params: spec.params.map(fromOpenApi),
    docs: '',
    category: module.toLowerCase(),
    source: SRC_OPENAPI,
  });
}
catalog.uapi.sort((a, b) => `${a.module}/${a.function}`.localeCompare(`${b.module}/${b.function}`));

// 4. WHM API 1, from its reference pages (api.docs.cpanel.net/specifications/whm.openapi/…).
const whm = new Map(catalog.whm.map((f) => [f.function, f]));
const docsSource = (page) => `docs: whm.openapi ${page}`;
const record = [
  ['name', 'string', 'The record’s name (keep trailing periods).'],
  ['class', 'string', 'The record’s class, usually IN.'],
  ['ttl', 'integer', 'Time to live, in seconds.'],
  ['type', 'string', 'A, AAAA, CNAME, MX, NS, PTR, SRV, TXT, CAA …'],
  ['address', 'string', 'A and AAAA records: the IP address.'],
  ['cname', 'string', 'CNAME records: the canonical name.'],
  ['exchange', 'string', 'MX records: the mail exchanger.'],
  ['preference', 'integer', 'MX records: the priority.'],
  ['nsdname', 'string', 'NS records: the name server.'],
  ['ptrdname', 'string', 'PTR records: the pointer’s target.'],
  ['txtdata', 'string', 'TXT records: the text.'],
];
const setParams = (fn, params, page) => {
  const f = whm.get(fn);
  if (!f || f.params.length) return;
  f.params = params.map(([name, type, description, required = false, extra = {}]) => ({
    name,
    type,
    required,
    description,
    ...extra,
    source: docsSource(page),
  }));
};
setParams('addzonerecord', [['zone', 'string', 'The DNS zone, as a domain name.', true], ...record], 'domain-management/addzonerecord');
setParams(
  'editzonerecord',
  [
    ['domain', 'string', 'The zone record’s domain.', true],
    ['line', 'integer', 'The record’s line in the zone file (from dumpzone).', true],
    ...record,
  ],
  'dns-zones/editzonerecord',
);
setParams(
  'personalization_set',
  [
    [
      'personalization',
      'object',
      'The names and values to store, as a JSON object.',
      true,
      { in: 'body', contentType: 'application/json' },
    ],
  ],
  'account-management/personalization_set',
);
setParams(
  'personalization_get',
  [['names', 'array', 'The names to read, as a JSON array of strings.', true, { in: 'body', contentType: 'application/json' }]],
  'account-management/personalization_get',
);
const cpanelFn = whm.get('cpanel');
if (cpanelFn) cpanelFn.params = cpanelFn.params.filter((p) => p.name !== 'Variable Names and Values');
const adddns = whm.get('adddns');
if (adddns && !adddns.params.some((p) => p.name === 'has_ipv6')) {
  adddns.params.push({
    name: 'has_ipv6',
    type: 'integer',
    required: false,
    values: ['0', '1'],
    description: 'Whether the zone gets an IPv6 (AAAA) record.',
    source: docsSource('dns-zones/adddns'),
  });
}

catalog.source = `${catalog.source.replace(/ Completed by scripts\/catalog\/complete\.mjs.*$/, '')} Completed by scripts/catalog/complete.mjs from cPanel's UAPI OpenAPI document v11.125 and WHM reference pages; each added fact carries its "source".`;
writeFileSync(CATALOG, JSON.stringify(catalog));
