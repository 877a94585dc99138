import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyState, parseHostMessage, parseWebviewMessage, type FunctionSummary, type ServerSummary } from '../../src/shared/protocol';
import { parseHostMessage as parseResultHostMessage, type ResultView } from '../../src/shared/resultProtocol';

/** What the host sends the webviews is checked as strictly as what they send it. */

const server: ServerSummary = { id: 'whm-1', label: 'prod', service: 'whm', description: 'root@h:2087 · WHM' };
const fn: FunctionSummary = {
  family: 'uapi',
  name: 'Email/add_pop',
  title: 'Create an email account',
  method: 'POST',
  docs: 'https://api.docs.cpanel.net/x',
  params: [
    { name: 'email', type: 'string', required: true },
    { name: 'quota', type: 'integer', required: false, values: ['0', '250'] },
  ],
};
const result = {
  ok: false,
  kind: 'api-error',
  verdict: 'API error',
  status: 200,
  ms: 12,
  hint: 'Check the domain.',
  errors: ['no such domain'],
};

describe('the builder page checks what its host sends', () => {
  it('takes well-formed messages, each rebuilt from its known fields', () => {
    assert.deepEqual(parseHostMessage({ type: 'init', servers: [server], functions: [fn] }), {
      type: 'init',
      servers: [server],
      functions: [fn],
    });
    const state = { ...emptyState(), serverId: 'whm-1' };
    assert.deepEqual(parseHostMessage({ type: 'init', servers: [], functions: [], state }), {
      type: 'init',
      servers: [],
      functions: [],
      state,
    });
    assert.deepEqual(parseHostMessage({ type: 'result', seq: 3, result }), { type: 'result', seq: 3, result });
    assert.deepEqual(parseHostMessage({ type: 'sending', seq: 3 }), { type: 'sending', seq: 3 });
    assert.deepEqual(parseHostMessage({ type: 'notice', seq: 4, level: 'info', message: 'Copied.' }), {
      type: 'notice',
      seq: 4,
      level: 'info',
      message: 'Copied.',
    });
    assert.deepEqual(
      parseHostMessage({ type: 'accounts', seq: 1, serverId: 'whm-1', accounts: [{ user: 'bob', domain: 'bob.example' }] }),
      {
        type: 'accounts',
        seq: 1,
        serverId: 'whm-1',
        accounts: [{ user: 'bob', domain: 'bob.example' }],
      },
    );
    assert.deepEqual(parseHostMessage({ type: 'sendNow' }), { type: 'sendNow' });
  });

  it('drops extra fields, at every level', () => {
    const m = parseHostMessage({
      type: 'init',
      servers: [{ ...server, html: '<b>x</b>' }],
      functions: [{ ...fn, onclick: 'x', params: [{ ...fn.params[0], evil: 1 }] }],
      extra: true,
    });
    assert.deepEqual(m, { type: 'init', servers: [server], functions: [{ ...fn, params: [fn.params[0]] }] });
    assert.deepEqual(parseHostMessage({ type: 'result', seq: 1, result: { ...result, script: 'x' }, more: 1 }), {
      type: 'result',
      seq: 1,
      result,
    });
    assert.deepEqual(parseHostMessage({ type: 'sending', seq: 2, state: { bad: true } }), { type: 'sending', seq: 2 });
  });

  it('refuses malformed ones, wrong types and oversize ones', () => {
    const bad: unknown[] = [
      null,
      'init',
      [],
      { type: 'eval', code: '1' },
      { type: 'init', servers: {}, functions: [] },
      { type: 'init', servers: [{ ...server, service: 'root' }], functions: [] },
      { type: 'init', servers: [{ ...server, id: '' }], functions: [] },
      { type: 'init', servers: [], functions: [{ ...fn, method: 'DELETE' }] },
      { type: 'init', servers: [], functions: [{ ...fn, family: 'api2' }] },
      { type: 'init', servers: [], functions: [{ ...fn, params: [{ name: 'x', type: 'string', required: 'yes' }] }] },
      { type: 'init', servers: [], functions: [{ ...fn, params: [{ name: 'x', type: 'string', required: true, body: 'xml' }] }] },
      { type: 'init', servers: [], functions: [{ ...fn, params: [{ name: 'x', type: 'string', required: true, values: [1] }] }] },
      { type: 'init', servers: [], functions: [], state: { bad: true } },
      { type: 'init', servers: [{ ...server, label: 'x'.repeat(201) }], functions: [] },
      { type: 'init', servers: Array.from({ length: 10_001 }, () => server), functions: [] },
      { type: 'servers', servers: [{ ...server, label: 7 }] },
      { type: 'accounts', serverId: 'whm-1', accounts: [{ user: 1, domain: 'x' }] },
      { type: 'accounts', serverId: 'whm-1', accounts: [], error: {} },
      { type: 'result', result: { kind: 'ok' } },
      { type: 'result', result: { ...result, ok: 'true' } },
      { type: 'result', result: { ...result, status: 'x' } },
      { type: 'result', result: { ...result, ms: Number.NaN } },
      { type: 'result', result: { ...result, errors: ['a', 2] } },
      { type: 'result', result: { ...result, errors: Array.from({ length: 1001 }, () => 'e') } },
      { type: 'result', result: { ...result, hint: 'x'.repeat(70_000) } },
      { type: 'notice', level: 'warn', message: 'x' },
      { type: 'notice', level: 'info', message: 'x'.repeat(70_000) },
      { type: 'file', index: 1.5, path: '/a' },
      { type: 'file', index: 99, path: '/a' },
      { type: 'file', index: 0, path: 'x'.repeat(5000) },
    ];
    for (const m of bad) assert.equal(parseHostMessage(m), undefined, JSON.stringify(m)?.slice(0, 140));
  });

  it('a seq is a positive whole number, both ways', () => {
    for (const seq of [0, -1, 1.5, '1', Number.MAX_SAFE_INTEGER + 2, null]) {
      assert.equal(parseHostMessage({ type: 'sending', seq }), undefined, String(seq));
      assert.equal(parseWebviewMessage({ type: 'send', seq, state: emptyState() }), undefined, String(seq));
    }
    assert.deepEqual(parseWebviewMessage({ type: 'copy', seq: 9, language: 'curl', state: emptyState() }), {
      type: 'copy',
      seq: 9,
      language: 'curl',
      state: emptyState(),
    });
    assert.deepEqual(parseWebviewMessage({ type: 'cancel', seq: 9 }), { type: 'cancel', seq: 9 });
    assert.deepEqual(
      parseWebviewMessage({ type: 'send', state: emptyState() }),
      { type: 'send', state: emptyState() },
      'a send without one is still taken (the host answers it without one)',
    );
  });
});

describe('a result view checks what its host sends', () => {
  const view: ResultView = {
    title: 'whm listaccts · prod (200, 84 ms)',
    ok: true,
    kind: 'ok',
    verdict: 'OK',
    status: 200,
    ms: 84,
    size: '3.4 KB',
    server: 'prod',
    what: 'WHM API 1 listaccts',
    errors: [],
    warnings: ['w'],
    messages: [],
    checks: [{ pass: false, label: 'expect[0] status', message: 'was 500' }],
    data: { acct: [{ user: 'bob' }] },
    raw: '{"data":{}}',
    rawCut: false,
    contentType: 'application/json',
    request: { method: 'GET', url: 'https://h:2087/json-api/listaccts' },
    headers: [['content-type', 'application/json']],
    page: { start: 1, size: 20, shown: 20, total: 45, page: 1, pages: 3, hasPrevious: false, hasNext: true },
    canResend: true,
    timing: {
      connection: 'new',
      steps: [
        { name: 'DNS', ms: 0 },
        { name: 'connect', ms: 0.4 },
        { name: 'TLS', ms: 5.2 },
        { name: 'send', ms: 0.1 },
        { name: 'wait', ms: 71 },
        { name: 'download', ms: 2.3 },
      ],
    },
  };

  it('takes a well-formed view and its other messages', () => {
    assert.deepEqual(parseResultHostMessage({ type: 'show', view }), { type: 'show', view });
    // A data run's view: its rows instead of one HTTP status.
    const run = { ...view, status: 0, rows: { total: 200, passed: 198, failed: 2 } };
    assert.deepEqual(parseResultHostMessage({ type: 'show', view: run }), { type: 'show', view: run });
    assert.deepEqual(parseResultHostMessage({ type: 'busy', message: 'Asking…' }), { type: 'busy', message: 'Asking…' });
    assert.deepEqual(parseResultHostMessage({ type: 'notice', level: 'error', message: 'x' }), {
      type: 'notice',
      level: 'error',
      message: 'x',
    });
    assert.deepEqual(parseResultHostMessage({ type: 'copy', what: 'row', row: 3, column: 'user' }), {
      type: 'copy',
      what: 'row',
      row: 3,
      column: 'user',
    });
  });

  it('drops extra fields', () => {
    const m = parseResultHostMessage({
      type: 'show',
      view: { ...view, html: '<script>', request: { ...view.request, cookie: 'x' } },
      extra: 1,
    });
    assert.deepEqual(m, { type: 'show', view });
  });

  it('refuses malformed ones, wrong types and oversize ones', () => {
    const bad: unknown[] = [
      null,
      { type: 'show' },
      { type: 'show', view: [] },
      { type: 'show', view: { ...view, ok: 1 } },
      { type: 'show', view: { ...view, status: '200' } },
      { type: 'show', view: { ...view, errors: 'none' } },
      { type: 'show', view: { ...view, warnings: [{}] } },
      { type: 'show', view: { ...view, checks: [{ pass: 'yes', label: 'x' }] } },
      { type: 'show', view: { ...view, headers: [['a']] } },
      { type: 'show', view: { ...view, headers: [['a', 1]] } },
      { type: 'show', view: { ...view, request: { method: 'GET' } } },
      { type: 'show', view: { ...view, page: { ...view.page, hasNext: 'yes' } } },
      { type: 'show', view: { ...view, page: { ...view.page, start: -1 } } },
      { type: 'show', view: { ...view, targets: 1.5 } },
      { type: 'show', view: { ...view, timing: { connection: 'pooled', steps: [] } } },
      { type: 'show', view: { ...view, timing: { connection: 'new', steps: [{ name: 'wait', ms: -1 }] } } },
      { type: 'show', view: { ...view, timing: { connection: 'new', steps: [{ name: 'wait', ms: Number.NaN }] } } },
      { type: 'show', view: { ...view, timing: { connection: 'new', steps: [{ name: 'x'.repeat(40), ms: 1 }] } } },
      { type: 'show', view: { ...view, timing: { connection: 'new', steps: Array.from({ length: 13 }, () => ({ name: 'w', ms: 1 })) } } },
      { type: 'show', view: { ...view, rows: { total: 2, passed: 2 } } },
      { type: 'show', view: { ...view, rows: { total: 2, passed: 2, failed: 1 } } },
      { type: 'show', view: { ...view, rows: { total: '200', passed: 198, failed: 2 } } },
      { type: 'show', view: { ...view, title: 'x'.repeat(2000) } },
      { type: 'show', view: { ...view, raw: 'x'.repeat(8 * 1024 * 1024 + 1) } },
      { type: 'busy', message: 3 },
      { type: 'notice', message: 'no level' },
      { type: 'copy', what: 'table', row: 0, column: 'a' },
      { type: 'copy', what: 'cell', row: -1, column: 'a' },
      { type: 'eval' },
    ];
    for (const m of bad) assert.equal(parseResultHostMessage(m), undefined, JSON.stringify(m)?.slice(0, 140));
  });
});

describe("the builder's Run for Each Row… message", () => {
  it('is read with its state, like Send to Group', () => {
    const msg = parseWebviewMessage({
      type: 'runRows',
      seq: 3,
      state: { ...emptyState(), serverId: 'x', functionName: 'listaccts', family: 'whm' },
    });
    assert.equal(msg?.type, 'runRows');
    assert.equal(parseWebviewMessage({ type: 'runRows', seq: 3 }), undefined, 'without a state it is dropped');
  });
});
