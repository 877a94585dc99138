import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Catalog, groupTitle } from '../../src/core/catalog';

describe('catalog', () => {
  const c = Catalog.load();

  it('holds every function of v138 and of the UAPI OpenAPI document: 674 UAPI in 104 modules, 625 WHM API 1 in 100 categories', () => {
    assert.equal(c.functions.length, 1299);
    assert.equal(c.functions.filter((f) => f.family === 'uapi').length, 674);
    assert.equal(c.functions.filter((f) => f.family === 'whm').length, 625);
    assert.equal(c.groups('uapi').length, 104);
    assert.equal(c.groups('whm').length, 100);
    assert.equal(
      c.groups('uapi').reduce((n, g) => n + g.count, 0),
      674,
    );
  });

  it('finds a function by name with its facts, required parameters first', () => {
    const f = c.get('uapi', 'Email/add_pop');
    assert.ok(f);
    assert.equal(f.module, 'Email');
    assert.match(f.docs, /^https:\/\/api\.docs\.cpanel\.net\//);
    const firstOptional = f.params.findIndex((p) => !p.required);
    assert.ok(f.params.slice(firstOptional).every((p) => !p.required));
    assert.ok(c.get('whm', 'listaccts'));
    assert.equal(c.get('whm', 'nonexistent'), undefined);
  });

  it('searches names and title words, best match first', () => {
    assert.equal(c.search('listaccts')[0]?.name, 'listaccts');
    const r = c.search('list email accounts');
    assert.ok(
      r.some((f) => f.name === 'Email/list_pops'),
      r.map((f) => f.name).join(),
    );
    assert.ok(c.search('create_user_session', { family: 'whm' }).length >= 1);
    assert.deepEqual(c.search('   '), []);
    assert.ok(c.search('zzzzqqq').length === 0);
  });

  it('is parsed once and reused', () => {
    assert.equal(Catalog.load(), c);
  });
});

describe('category titles', () => {
  it("reads WHM category slugs as cPanel writes them, and none of the catalog's come out alike", () => {
    assert.equal(groupTitle('whm', 'account-management'), 'Account Management');
    assert.equal(groupTitle('whm', 'spam-protection-(greylisting)'), 'Spam Protection (Greylisting)');
    assert.equal(groupTitle('whm', 'dns-zones'), 'DNS Zones');
    assert.equal(groupTitle('whm', 'php-fpm'), 'PHP-FPM');
    assert.equal(groupTitle('whm', 'backup-or-restore'), 'Backup or Restore');
    assert.equal(groupTitle('whm', 'ssh-keys-and-connections'), 'SSH Keys and Connections');
    assert.equal(groupTitle('uapi', 'Email'), 'Email');
    const slugs = [
      ...new Set(
        Catalog.load()
          .functions.filter((f) => f.family === 'whm')
          .map((f) => f.category),
      ),
    ];
    const titles = new Set(slugs.map((s) => groupTitle('whm', s)));
    assert.equal(titles.size, slugs.length);
  });
});
