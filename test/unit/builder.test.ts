import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeNonce, webviewHtml } from '../../src/extension/webviews/webviewHtml';
import { functionState, requestToState, stateToRequest } from '../../src/extension/builder/builderModel';
import { FAMILIES, type Family, type Shaping } from '../../src/shared/families';
import { emptyState, parseHostMessage, parseState, parseWebviewMessage, type BuilderState } from '../../src/shared/protocol';
import { stateProblems } from '../../src/shared/requestRules';

const shapingParams = (family: Family, s: Shaping): { name: string; value: string }[] => FAMILIES[family].shaping?.(s) ?? [];

const good: BuilderState = {
  ...emptyState(),
  serverId: 'whm-1',
  family: 'uapi',
  account: 'cptest',
  functionName: 'Email/list_pops',
  params: [{ name: 'regex', value: 'info' }],
};

describe('webview messages are validated', () => {
  it('accepts well-formed messages', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseWebviewMessage({ type: 'send', state: good }), { type: 'send', state: good });
    assert.equal(parseWebviewMessage({ type: 'copy', language: 'php', state: good })?.type, 'copy');
    assert.deepEqual(parseWebviewMessage({ type: 'loadAccounts', serverId: 'whm-1' }), { type: 'loadAccounts', serverId: 'whm-1' });
    assert.equal(parseWebviewMessage({ type: 'openDocs', url: 'https://api.docs.cpanel.net/x' })?.type, 'openDocs');
  });

  it('drops hostile and malformed messages', () => {
    const bad: unknown[] = [
      null,
      'send',
      42,
      [],
      { type: 'nope' },
      { type: 'send' },
      { type: 'send', state: { ...good, family: 'shell' } },
      { type: 'send', state: { ...good, method: 'DELETE' } },
      { type: 'send', state: { ...good, functionName: '../../etc/passwd' } },
      { type: 'send', state: { ...good, functionName: 'Email/list_pops?x=1' } },
      { type: 'send', state: { ...good, account: 'Root; rm -rf /' } },
      { type: 'send', state: { ...good, params: [{ name: 1, value: 'x' }] } },
      { type: 'send', state: { ...good, params: 'a=b' } },
      { type: 'send', state: { ...good, params: Array.from({ length: 501 }, () => ({ name: 'a', value: 'b' })) } },
      { type: 'send', state: { ...good, params: [{ name: 'a', value: 'x'.repeat(70_000) }] } },
      { type: 'send', state: { ...good, shaping: { ...good.shaping, pageSize: '1; drop' } } },
      { type: 'send', state: { ...good, shaping: { ...good.shaping, filters: [{ field: 'user', type: 'regex!', value: '' }] } } },
      { type: 'copy', language: 'bash', state: good },
      { type: 'openDocs', url: 'javascript:alert(1)' },
      { type: 'openDocs', url: 'https://evil.example/api.docs.cpanel.net/' },
      { type: 'loadAccounts', serverId: '' },
      { type: 'loadAccounts', serverId: { toString: () => 'x' } },
    ];
    for (const m of bad) assert.equal(parseWebviewMessage(m), undefined, JSON.stringify(m)?.slice(0, 120));
  });

  it("the webview checks the host's messages too", () => {
    assert.equal(
      parseHostMessage({ type: 'result', result: { ok: true, kind: 'ok', verdict: 'OK', status: 200, ms: 3, errors: [] } })?.type,
      'result',
    );
    assert.equal(parseHostMessage({ type: 'result', result: { kind: 'ok' } }), undefined, 'a result is checked field by field');
    assert.equal(parseHostMessage({ type: 'notice', level: 'warn', message: 'x' }), undefined);
    assert.equal(parseHostMessage({ type: 'init', servers: [], functions: [], state: { bad: true } }), undefined);
    assert.equal(parseHostMessage({ type: 'eval', code: '1' }), undefined);
    assert.equal(parseState({ ...good, extra: 'ignored' })?.serverId, 'whm-1');
  });
});

describe('the builder page', () => {
  const html = webviewHtml({
    cspSource: 'https://file+.vscode-resource.example',
    nonce: 'abc123',
    scriptUri: 'https://x/builder.js',
    styleUri: 'https://x/builder.css',
    codiconUri: 'https://x/codicon.css',
    title: 'cPanel Request Builder',
  });
  const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';

  it('has a strict CSP: nothing by default, no inline or eval, no network', () => {
    assert.match(csp, /^default-src 'none'/);
    assert.ok(!/unsafe-inline|unsafe-eval/.test(csp), csp);
    assert.ok(!/connect-src/.test(csp), csp);
    assert.match(csp, /script-src 'nonce-abc123'/);
    assert.ok(!/\*/.test(csp));
  });

  it("loads only its nonce'd script, and no inline code or handlers", () => {
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.equal(scripts.length, 1);
    assert.match(scripts[0]![1]!, /nonce="abc123"/);
    assert.equal(scripts[0]![2]!.trim(), '');
    assert.ok(!/\son[a-z]+=/i.test(html));
    assert.ok(!/style="/.test(html));
  });

  it('makes a new, unguessable nonce each time', () => {
    const a = makeNonce();
    assert.match(a, /^[A-Za-z0-9]{16,}$/);
    assert.notEqual(a, makeNonce());
  });
});

describe('builder state ⇄ request', () => {
  it("adds output shaping in each family's own parameter names", () => {
    const sh = {
      ...emptyState().shaping,
      sortField: 'user',
      sortMethod: 'lexicographic',
      sortReverse: true,
      filters: [{ field: 'domain', type: 'contains', value: 'example' }],
      pageSize: '10',
      columns: 'user, domain',
    };
    assert.deepEqual(
      shapingParams('whm', sh).map((p) => `${p.name}=${p.value}`),
      [
        'api.sort.enable=1',
        'api.sort.a.field=user',
        'api.sort.a.method=lexicographic',
        'api.sort.a.reverse=1',
        'api.filter.enable=1',
        'api.filter.a.field=domain',
        'api.filter.a.type=contains',
        'api.filter.a.arg0=example',
        'api.chunk.enable=1',
        'api.chunk.size=10',
        'api.chunk.start=1',
        'api.columns.enable=1',
        'api.columns.a=user',
        'api.columns.b=domain',
      ],
    );
    assert.deepEqual(
      shapingParams('uapi', sh).map((p) => p.name),
      [
        'api.sort',
        'api.sort_column',
        'api.sort_method',
        'api.sort_reverse',
        'api.filter',
        'api.filter_column',
        'api.filter_type',
        'api.filter_term',
        'api.paginate',
        'api.paginate_size',
        'api.paginate_start',
      ],
    );
    assert.deepEqual(
      shapingParams('api2', sh).map((p) => p.name),
      [
        'api2_sort',
        'api2_sort_column',
        'api2_sort_method',
        'api2_sort_reverse',
        'api2_filter',
        'api2_filter_column',
        'api2_filter_type',
        'api2_filter_term',
        'api2_paginate',
        'api2_paginate_size',
        'api2_paginate_start',
        'api2_columns',
        'api2_columns_a',
        'api2_columns_b',
      ],
    );
  });

  it('leaves out empty optional parameters but keeps required ones, and calls on behalf only on WHM', () => {
    const s: BuilderState = {
      ...good,
      functionName: 'Email/add_pop',
      params: [
        { name: 'email', value: 'x' },
        { name: 'password', value: '' },
        { name: 'quota', value: '' },
      ],
    };
    const onWhm = stateToRequest(s, 'whm');
    assert.deepEqual(onWhm.params, [
      ['email', 'x'],
      ['password', ''],
    ]);
    assert.equal(onWhm.asUser, 'cptest');
    assert.equal(stateToRequest(s, 'cpanel').asUser, undefined);
    assert.equal(stateToRequest({ ...good, family: 'whm', functionName: 'listaccts', account: '' }, 'whm').function, 'listaccts');
  });

  it('round-trips a request, and starts a function with its required parameters', () => {
    const req = stateToRequest(good, 'whm');
    assert.deepEqual(stateToRequest(requestToState('whm-1', req), 'whm'), req);
    const f = functionState('whm-1', 'whm', 'createacct');
    assert.ok(f.params.some((p) => p.name === 'username'));
    assert.ok(f.params.every((p) => p.value === ''));
  });
  it('the validator refuses a state whose parameter name is not one cPanel could have', () => {
    for (const name of ['x$(touch PWNED)', 'a b', 'x`id`', "it's", 'n\nm']) {
      assert.equal(
        parseWebviewMessage({ type: 'copy', language: 'curl', state: { ...good, params: [{ name, value: '1' }] } }),
        undefined,
        name,
      );
    }
    assert.ok(
      parseWebviewMessage({
        type: 'send',
        state: {
          ...good,
          params: [
            { name: '', value: '' },
            { name: 'api.sort.a.field', value: 'user' },
          ],
        },
      }),
      'a row being typed and api.* names are fine',
    );
  });

  describe('bodies', () => {
    it('a function with a JSON body or an upload starts with it, its body fields kept out of the parameter rows', () => {
      const set = functionState('c', 'uapi', 'Personalization/set');
      assert.equal(set.method, 'POST');
      assert.deepEqual(set.body, { kind: 'json', text: '{\n  "personalization": {}\n}' });
      assert.ok(!set.params.some((p) => p.name === 'personalization'));
      const restore = functionState('c', 'uapi', 'Backup/restore_databases');
      assert.deepEqual(restore.body, { kind: 'files', files: [{ name: 'file', path: '' }] });
      assert.deepEqual(functionState('c', 'uapi', 'Email/list_pops').body, { kind: 'none' });
    });

    it('the request carries the body; invalid JSON or a file not chosen keeps Send disabled', () => {
      const s: BuilderState = {
        ...good,
        account: '',
        functionName: 'Personalization/set',
        params: [{ name: 'x', value: '1' }],
        body: { kind: 'json', text: '{"personalization":{"a":1}}' },
      };
      const req = stateToRequest(s, 'cpanel');
      assert.deepEqual([req.method, req.body], ['POST', { kind: 'json', text: '{"personalization":{"a":1}}' }]);
      assert.deepEqual(stateToRequest(requestToState('c', req), 'cpanel'), req);
      const fn = { family: 'uapi' as const, name: 'Personalization/set', title: '', method: 'POST' as const, docs: '', params: [] };
      assert.deepEqual(stateProblems(s, 'cpanel', fn), []);
      assert.match(
        stateProblems({ ...s, body: { kind: 'json', text: '{"a":' } }, 'cpanel', fn)[0]!.message,
        /The JSON body is not valid JSON/,
      );
      assert.match(
        stateProblems({ ...s, body: { kind: 'files', files: [{ name: 'file-1', path: '' }] } }, 'cpanel', fn)[0]!.message,
        /choose the file to upload/,
      );
      assert.match(
        stateProblems({ ...s, account: 'bob', body: { kind: 'json', text: '{}' } }, 'whm', fn)
          .map((p) => p.message)
          .join(' '),
        /not through WHM on behalf of an account/,
      );
    });

    it('the validators take body states and file picks, and refuse malformed ones', () => {
      const withFiles: BuilderState = { ...good, body: { kind: 'files', files: [{ name: 'file-1', path: '/w/a.csv' }] } };
      assert.deepEqual(parseState(withFiles), withFiles);
      assert.deepEqual(
        parseState({ ...good, body: undefined }),
        { ...good, body: { kind: 'none' } },
        'a state saved before bodies existed',
      );
      for (const body of [
        { kind: 'xml' },
        { kind: 'json' },
        { kind: 'files', files: [{ name: 'a b', path: 'x' }] },
        { kind: 'files', files: 'x' },
      ]) {
        assert.equal(parseState({ ...good, body }), undefined, JSON.stringify(body));
      }
      assert.deepEqual(parseWebviewMessage({ type: 'pickFile', index: 0 }), { type: 'pickFile', index: 0 });
      assert.equal(parseWebviewMessage({ type: 'pickFile', index: -1 }), undefined);
      assert.deepEqual(parseHostMessage({ type: 'file', index: 1, path: '/w/a.csv' }), { type: 'file', index: 1, path: '/w/a.csv' });
    });
  });
});
