import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { Catalog, newerThanServer, releaseOf, type CatalogFunction } from '../../src/core/catalog';

const FIXTURES = resolve(__dirname, '../../../test/fixtures');

interface SpecParam {
  name: string;
  required: boolean;
  in: 'query' | 'body';
  contentType?: string;
  type?: string;
  enum?: unknown[];
}
const spec = (
  JSON.parse(readFileSync(resolve(FIXTURES, 'uapi-openapi-11.125-facts.json'), 'utf8')) as {
    functions: Record<string, { method: string; params: SpecParam[] }>;
  }
).functions;
const explained = (
  JSON.parse(readFileSync(resolve(FIXTURES, 'catalog-vs-openapi.json'), 'utf8')) as {
    differences: { function: string; difference: string; reason: string }[];
  }
).differences;

/** What differs between a catalog function and the OpenAPI document, in the words of catalog-vs-openapi.json. */
function differences(f: CatalogFunction, s: { method: string; params: SpecParam[] }): string[] {
  const out: string[] = [];
  const mine = new Map(f.params.map((p) => [p.name, p]));
  const theirs = new Map(s.params.map((p) => [p.name, p]));
  const method = f.method !== s.method ? `method ${f.method}, not ${s.method}` : '';
  const missing = [...theirs.keys()].filter((n) => !mine.has(n));
  const extra = [...mine.keys()].filter((n) => !theirs.has(n));
  const parts = [method, missing.length ? `missing ${missing.join(', ')}` : '', extra.length ? `extra ${extra.join(', ')}` : ''].filter(
    Boolean,
  );
  if (parts.length) out.push(parts.join('; '));
  for (const [n, p] of theirs) {
    const m = mine.get(n);
    if (!m) continue;
    if (m.required !== p.required) out.push(`${n} ${m.required ? 'required, not optional' : 'optional, not required'}`);
    if ((p.in === 'body') !== (m.in === 'body')) out.push(`${n} ${p.in === 'body' ? `not a ${p.contentType} body field` : 'a body field'}`);
  }
  return out;
}

describe('the catalog against cPanel’s UAPI OpenAPI document (11.125)', () => {
  const c = Catalog.load();

  it('holds every function of both: 674 UAPI (v138 and the 17 the OpenAPI document adds) and 625 WHM API 1', () => {
    assert.equal(c.functions.filter((f) => f.family === 'uapi').length, 674);
    assert.equal(c.functions.filter((f) => f.family === 'whm').length, 625);
    for (const name of Object.keys(spec)) assert.ok(c.get('uapi', name), `${name} of the OpenAPI document is in the catalog`);
  });

  it('every remaining difference is listed with its reason, and every listed one still exists', () => {
    const found: string[] = [];
    for (const [name, s] of Object.entries(spec)) {
      const f = c.get('uapi', name)!;
      for (const d of differences(f, s)) found.push(`${name}: ${d}`);
    }
    const listed = explained.map((e) => `${e.function}: ${e.difference}`);
    assert.deepEqual(
      found.filter((d) => !listed.includes(d)),
      [],
      'differences with no reason in test/fixtures/catalog-vs-openapi.json',
    );
    assert.deepEqual(
      listed.filter((d) => !found.includes(d)),
      [],
      'listed differences that no longer exist',
    );
    assert.ok(explained.every((e) => e.reason.length > 10));
  });

  it('body fields say where they go: JSON bodies and multipart uploads', () => {
    const p = (fn: string, n: string) => c.get('uapi', fn)?.params.find((x) => x.name === n);
    assert.deepEqual(
      [p('Personalization/set', 'personalization')?.in, p('Personalization/set', 'personalization')?.contentType],
      ['body', 'application/json'],
    );
    assert.equal(p('StatsManager/save_configuration', 'changes')?.contentType, 'application/json');
    assert.equal(p('ClamScanner/disinfect_files', 'actions')?.contentType, 'application/json');
    assert.deepEqual(
      [p('Backup/restore_databases', 'file')?.contentType, p('Backup/restore_databases', 'file')?.format],
      ['multipart/form-data', 'binary'],
    );
    assert.equal(p('SSL/upload_key', 'crt')?.contentType, 'multipart/form-data');
    assert.ok(p('Fileman/list_files', 'include_hash') && p('Fileman/get_file_information', 'include_hash'));
    assert.equal(p('SSL/install_ssl', 'key')?.required, true);
    assert.equal(p('Personalization/get', 'names')?.source, 'openapi-11.125');
  });

  it('WHM: zone records, personalization, adddns and cpanel as the reference pages give them', () => {
    const names = (fn: string) => c.get('whm', fn)?.params.map((p) => p.name) ?? [];
    assert.ok(['zone', 'name', 'ttl', 'type', 'address', 'cname', 'txtdata'].every((n) => names('addzonerecord').includes(n)));
    assert.ok(['domain', 'line', 'ttl', 'type'].every((n) => names('editzonerecord').includes(n)));
    assert.equal(c.get('whm', 'editzonerecord')?.params.find((p) => p.name === 'line')?.required, true);
    assert.equal(c.get('whm', 'personalization_set')?.params[0]?.contentType, 'application/json');
    assert.ok(names('adddns').includes('has_ipv6'));
    assert.ok(!names('cpanel').includes('Variable Names and Values'));
  });
});

describe('catalog links and versions', () => {
  const c = Catalog.load();

  it('every docs link has the shape of an api.docs.cpanel.net page (none cut at a parenthesis)', () => {
    const shape =
      /^https:\/\/api\.docs\.cpanel\.net\/specifications\/(cpanel|whm)\.openapi\/[a-z0-9-]+(-\([a-z0-9 -]+\))?(\/[A-Za-z0-9_:-]+\.md)?$/;
    const bad = c.functions.filter((f) => f.docs && !shape.test(f.docs)).map((f) => `${f.name}: ${f.docs}`);
    assert.deepEqual(bad, []);
    // Parentheses balance, and the category is the page's slug, not "other".
    for (const f of c.functions.filter((x) => x.docs.includes('('))) {
      assert.equal((f.docs.match(/\(/g) ?? []).length, (f.docs.match(/\)/g) ?? []).length, f.docs);
      assert.notEqual(f.category, 'other', f.name);
    }
    assert.equal(c.get('whm', 'cpgreylist_is_server_netblock_trusted')?.category, 'spam-protection-(greylisting)');
    // Functions only the OpenAPI document has carry no invented link.
    assert.equal(c.get('uapi', 'WordPressInstanceManager/get_instances')?.docs, '');
  });

  it('reads versions as cPanel writes them and marks functions newer than the server', () => {
    assert.deepEqual(['11.138.0.10', '11.138', '138', '11.42', '54', '11', 'x', undefined].map(releaseOf), [
      138,
      138,
      138,
      42,
      54,
      11,
      undefined,
      undefined,
    ]);
    assert.equal(newerThanServer({ since: '11.132' }, '11.130.0.5'), true);
    assert.equal(newerThanServer({ since: '132' }, '11.138.0.10'), false);
    assert.equal(newerThanServer({ since: undefined }, '11.130'), false);
    assert.equal(newerThanServer({ since: '138' }, undefined), false);
  });
});
