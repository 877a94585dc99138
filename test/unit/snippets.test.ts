import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDestructive } from '../../src/core/api/effects';
import { envRefs, parseSnippet, requestToSnippet, serializeSnippet, snippetFileName, snippetRequest, type Snippet } from '../../src/core/snippets';

const sample: Snippet = {
  version: 1,
  server: 'prod-whm',
  family: 'uapi',
  function: 'Email/add_pop',
  account: 'cptest',
  method: 'POST',
  params: [
    { name: 'email', value: 'info' },
    { name: 'domain', value: 'a.example' },
    { name: 'domain', value: 'b.example' },
    { name: 'password', value: '${env:NEW_MAILBOX_PASSWORD}' },
  ],
  note: 'Create the info mailbox',
};

describe('snippets', () => {
  it('round-trips: serialize then parse gives the same snippet, and the same bytes again', () => {
    const text = serializeSnippet(sample);
    const parsed = parseSnippet(text);
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.snippet, sample);
    assert.deepEqual(parsed.warnings, []);
    assert.equal(serializeSnippet(parsed.snippet), text);
  });

  it('fills defaults and reads booleans and numbers as the API sends them', () => {
    const p = parseSnippet('{"version":1,"server":"s","family":"whm","function":"listaccts","params":[{"name":"a","value":true},{"name":"n","value":5}]}');
    assert.ok(p.ok);
    assert.equal(p.snippet.method, 'GET');
    assert.deepEqual(p.snippet.params, [{ name: 'a', value: '1' }, { name: 'n', value: '5' }]);
  });

  it('reports malformed files with a position and a sentence, never a throw', () => {
    const cases: [string, RegExp][] = [
      ['{"version":1,', /not a valid snippet: it ends before the JSON is complete \(line 1, column 14\)/],
      ['[]', /JSON object/],
      ['{"version":2,"server":"s","family":"whm","function":"x","params":[]}', /"version" must be 1/],
      ['{"version":1,"server":"","family":"whm","function":"x","params":[]}', /"server" must name/],
      ['{"version":1,"server":"s","family":"rest","function":"x","params":[]}', /"family" must be/],
      ['{"version":1,"server":"s","family":"uapi","function":"list_pops","params":[]}', /not Module\/function/],
      ['{"version":1,"server":"s","family":"api2","function":"Email/listpops","params":[]}', /need "account"/],
      ['{"version":1,"server":"s","family":"whm","function":"x","account":"bob","params":[]}', /remove "account"/],
      ['{"version":1,"server":"s","family":"whm","function":"x","params":[{"name":""}]}', /params\[0\]/],
      ['{"version":1,"server":"s","family":"whm","function":"x","params":{}}', /"params" must be a list/],
      ['{"version":1,"server":"s","family":"whm","function":"x","params":[],"host":"h"}', /Unknown property "host"/],
    ];
    for (const [text, re] of cases) {
      const p = parseSnippet(text);
      assert.ok(!p.ok, text);
      assert.ok(p.problems.some((x) => re.test(x.message)), `${text}: ${p.problems.map((x) => x.message).join(' | ')}`);
      assert.ok(p.problems.every((x) => x.offset === undefined || (x.offset >= 0 && x.offset <= text.length)));
    }
    const json = parseSnippet('{\n  "version": 1,\n  oops\n}');
    assert.ok(!json.ok && typeof json.problems[0]!.offset === 'number');
  });

  it('warns when a secret is written into the file', () => {
    const p = parseSnippet(serializeSnippet({ ...sample, params: [{ name: 'password', value: 'hunter22' }] }));
    assert.ok(p.ok);
    assert.match(p.warnings[0]!.message, /\$\{env:CPANEL_PARAM_PASSWORD\}/);
  });

  it('resolves ${env:…} placeholders into the request, and names a missing one', () => {
    assert.deepEqual(envRefs(sample), ['NEW_MAILBOX_PASSWORD']);
    const req = snippetRequest(sample, (n) => (n === 'NEW_MAILBOX_PASSWORD' ? 's3cret' : undefined));
    assert.deepEqual(req, {
      family: 'uapi',
      module: 'Email',
      function: 'add_pop',
      params: [['email', 'info'], ['domain', 'a.example'], ['domain', 'b.example'], ['password', 's3cret']],
      method: 'POST',
      asUser: 'cptest',
    });
    assert.throws(() => snippetRequest(sample, () => undefined), /needs the environment variable NEW_MAILBOX_PASSWORD/);
    assert.deepEqual(requestToSnippet('prod-whm', req, 'Create the info mailbox').params.at(-1), { name: 'password', value: 's3cret' });
  });

  it('knows which functions must be confirmed, and names files', () => {
    for (const f of ['removeacct', 'suspendacct', 'killdns', 'passwd']) assert.ok(isDestructive('whm', f), f);
    for (const f of ['Email/delete_pop', 'Passwd/change_password', 'Tokens/revoke']) assert.ok(isDestructive('uapi', f), f);
    for (const f of ['listaccts', 'createacct', 'version']) assert.ok(!isDestructive('whm', f), f);
    assert.ok(!isDestructive('uapi', 'Email/list_pops'));
    assert.equal(snippetFileName(sample), 'uapi-Email-add_pop.cpanel.json');
  });
});
