import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { answerOf, fitAnswer, notSent, type Answer } from '../../src/core/agent/answer';
import { answerText, planCall, secretsFromEnvRefs, serverList } from '../../src/core/agent/call';
import { describeFunction, searchFunctions } from '../../src/core/agent/catalogTools';
import { decide, mcpPolicy, vscodePolicy } from '../../src/core/agent/guard';
import { checkCall, checkDescribe, checkSearch, toParams } from '../../src/core/agent/input';
import { TOOL_NAMES, TOOL_SCHEMAS } from '../../src/core/agent/tools';
import { Catalog } from '../../src/core/catalog';
import type { ApiResult } from '../../src/core/result';
import type { ServerProfile } from '../../src/core/servers';

const whm: ServerProfile = {
  id: 'w',
  label: 'prod',
  host: 'whm.example',
  service: 'whm',
  secure: true,
  port: 2087,
  username: 'root',
  auth: 'token',
  twoFactor: 'none',
  tls: { mode: 'system' },
  groups: ['eu'],
};
const cp: ServerProfile = {
  ...whm,
  id: 'c',
  label: 'shop',
  host: 'shop.example',
  service: 'cpanel',
  port: 2083,
  username: 'bob',
  groups: [],
};
const catalog = Catalog.load();

function result(data: unknown, over: Partial<ApiResult> = {}): ApiResult {
  const request = { method: 'GET' as const, url: '', family: 'whm', function: 'x' };
  const base = {
    ok: true,
    kind: 'ok' as const,
    status: 200,
    data,
    errors: [],
    warnings: [],
    messages: [],
    metadata: {},
    raw: '',
    contentType: 'application/json',
  };
  return { ...base, timings: { headersMs: 1, totalMs: 2 }, request, ...over };
}

describe('agent tools: inputs', () => {
  it('refuses wrong inputs with sentences that say what to send', () => {
    assert.match((checkSearch({}) as { message: string }).message, /"query" must be words/);
    assert.match((checkSearch({ query: 'x', api: 'cpanel' }) as { message: string }).message, /"api" must be one of uapi, whm, api2/);
    assert.match((checkSearch({ query: 'x', limit: 500 }) as { message: string }).message, /from 1 to 50/);
    assert.match((checkDescribe({ api: 'uapi', function: 'list_pops' }) as { message: string }).message, /not Module\/function/);
    assert.match((checkCall({ api: 'whm', function: 'version' }) as { message: string }).message, /"server" is missing/);
    const v = { server: 'p', api: 'whm', function: 'version' };
    assert.match(
      (checkCall({ ...v, params: { a: { b: 1 } } }) as { message: string }).message,
      /must be a string, a number, a boolean or a list/,
    );
    assert.match((checkCall({ ...v, params: { 'api.version': 0 } }) as { message: string }).message, /set by the request itself/);
    assert.match(
      (checkCall({ server: 'p', api: 'whm', function: 'version', query: 'a[' }) as { message: string }).message,
      /not a valid JMESPath expression/,
    );
    assert.match(
      (checkCall({ server: 'p', api: 'whm', function: 'version', extra: 1 }) as { message: string }).message,
      /does not take "extra"/,
    );
  });

  it('params: lists repeat the key, booleans are 1/0, numbers as written', () => {
    assert.deepEqual(toParams({ user: ['a', 'b'], force: true, keep: false, quota: 250 }), [
      ['user', 'a'],
      ['user', 'b'],
      ['force', '1'],
      ['keep', '0'],
      ['quota', '250'],
    ]);
  });

  it('plans a call: the server by label (unknown lists the labels), the family against the service, the exact preview', () => {
    const policy = mcpPolicy(false, false);
    const unknown = planCall({ server: 'nope', api: 'whm', function: 'version' }, [whm, cp], catalog, policy);
    assert.ok(!unknown.ok);
    assert.equal(unknown.answer.errors[0], 'No server is labelled "nope". The servers are: prod, shop.');
    const noAccount = planCall({ server: 'prod', api: 'uapi', function: 'Email/list_pops' }, [whm], catalog, policy);
    assert.ok(!noAccount.ok && /give "account"/.test(noAccount.answer.errors[0]!));
    const accountOnCpanel = planCall({ server: 'shop', api: 'uapi', function: 'Email/list_pops', account: 'bob' }, [cp], catalog, policy);
    assert.ok(!accountOnCpanel.ok && /only on a WHM server/.test(accountOnCpanel.answer.errors[0]!));
    const input = {
      server: 'prod',
      api: 'uapi',
      function: 'Email/add_pop',
      account: 'cptest',
      params: { email: 'a', password: '${env:CPANEL_X}' },
    };
    const p = planCall(input, [whm], catalog, policy);
    assert.ok(p.ok);
    assert.deepEqual(p.secretNames, ['password']);
    assert.equal(p.preview.method, 'POST');
    assert.equal(p.preview.what, 'UAPI Email/add_pop as cptest on prod');
    assert.doesNotMatch(JSON.stringify(p.preview), /placeholder|CPANEL_X/);
    assert.equal(p.decision.action, 'refuse');
  });
});

describe('agent tools: guards', () => {
  it('cpapi mcp: read-only by default; changes with --allow-changes; destructive only with --allow-destructive too', () => {
    assert.deepEqual(decide('read', 'x', mcpPolicy(false, false)), { action: 'run' });
    const change = decide('changes', 'UAPI Email/add_pop on prod', mcpPolicy(false, false));
    assert.ok(change.action === 'refuse' && /--allow-changes/.test(change.message) && /Nothing was sent/.test(change.message));
    assert.deepEqual(decide('changes', 'x', mcpPolicy(true, false)), { action: 'run' });
    const destructive = decide('destructive', 'WHM API 1 removeacct on prod', mcpPolicy(true, false));
    assert.ok(destructive.action === 'refuse' && /--allow-destructive/.test(destructive.message));
    assert.deepEqual(decide('destructive', 'x', mcpPolicy(true, true)), { action: 'run' });
  });

  it('VS Code: a change is confirmed; a destructive call is refused unless the setting is on, then confirmed', () => {
    assert.deepEqual(decide('read', 'x', vscodePolicy(false)), { action: 'run' });
    assert.deepEqual(decide('changes', 'x', vscodePolicy(false)), { action: 'confirm' });
    const refused = decide('destructive', 'x', vscodePolicy(false));
    assert.ok(refused.action === 'refuse' && /cpanel\.agent\.allowDestructive/.test(refused.message));
    assert.deepEqual(decide('destructive', 'x', vscodePolicy(true)), { action: 'confirm' });
  });

  it('secrets for cpapi mcp: only ${env:NAME} of an allowed, set variable', () => {
    const req = {
      family: 'uapi' as const,
      module: 'Email',
      function: 'add_pop',
      params: [
        ['email', 'a'],
        ['password', '${env:CPANEL_PW}'],
      ] as const,
    };
    const ok = secretsFromEnvRefs({ ...req, params: [...req.params] }, ['password'], { CPANEL_PW: 'Pw-1' }, []);
    assert.ok(ok.ok);
    assert.deepEqual(ok.request.params, [
      ['email', 'a'],
      ['password', 'Pw-1'],
    ]);
    assert.deepEqual(ok.request.secretParams, ['password']);
    assert.deepEqual(ok.values, ['Pw-1']);
    const literal = secretsFromEnvRefs({ ...req, params: [['password', 'hunter2']] }, ['password'], {}, []);
    assert.ok(!literal.ok && /never the value itself/.test(literal.message) && !literal.message.includes('hunter2'));
    const notAllowed = secretsFromEnvRefs({ ...req, params: [['password', '${env:HOME}']] }, ['password'], { HOME: '/root' }, []);
    assert.ok(!notAllowed.ok && /--allow-env HOME/.test(notAllowed.message));
    assert.ok(secretsFromEnvRefs({ ...req, params: [['password', '${env:MY_PW}']] }, ['password'], { MY_PW: 'x' }, ['MY_*']).ok);
    const unset = secretsFromEnvRefs({ ...req, params: [['password', '${env:CPANEL_NONE}']] }, ['password'], {}, []);
    assert.ok(!unset.ok && /is not set/.test(unset.message));
  });
});

describe('agent tools: catalog, servers, answers', () => {
  it('search: API, title, effect, required parameters and docs; describe: parameters, method, since, effect', () => {
    const s = searchFunctions(catalog, { query: 'list_pops', api: 'uapi', limit: 2 });
    assert.equal(s.functions.length, 2);
    assert.ok(s.total >= 2);
    assert.deepEqual(Object.keys(s.functions[0]!).sort(), ['api', 'docs', 'effect', 'function', 'required', 'title']);
    assert.equal(s.functions[0]!.effect, 'read');
    const d = describeFunction(catalog, { api: 'uapi', function: 'Email/add_pop' });
    assert.ok(d.ok);
    assert.equal(d.value.effect, 'change');
    const pw = d.value.params.find((p) => p.name === 'password')!;
    assert.equal(pw.secret, true);
    assert.ok(d.value.params.some((p) => p.required));
    assert.ok(!describeFunction(catalog, { api: 'api2', function: 'Email/listpops' }).ok);
  });

  it('servers: label, service, host, port, user, groups, state and nothing else', () => {
    const want = { label: 'prod', service: 'whm', host: 'whm.example', port: 2087, user: 'root', groups: ['eu'], state: 'signed_out' };
    assert.deepEqual(
      serverList([whm], () => 'signed_out'),
      [want],
    );
  });

  it('an answer that fits is whole; a list too large keeps the rows that fit, the total, the columns and how to narrow it', () => {
    const small = answerOf(result([{ a: 1 }]));
    assert.equal(fitAnswer(small, 1000).text, JSON.stringify(small));
    const rows = Array.from({ length: 500 }, (_, i) => ({ user: `user${i}`, domain: `d${i}.example` }));
    const big = answerOf(result({ acct: rows }));
    const { text, cut } = fitAnswer(big, 2000, 'whm');
    assert.ok(text.length <= 2000);
    const parsed = JSON.parse(text) as { data: { acct: unknown[] }; truncated: { total: number; shown: number; columns: string[] } };
    assert.equal(cut!.total, 500);
    assert.equal(parsed.data.acct.length, cut!.shown);
    assert.deepEqual(parsed.truncated.columns, ['user', 'domain']);
    assert.match(cut!.narrow, /api\.filter\.a\.field/);
    assert.match(cut!.narrow, /api\.columns/);
    // One more row would not have fitted.
    assert.ok(JSON.stringify({ ...big, data: { acct: rows.slice(0, cut!.shown + 1) }, truncated: cut }).length > 2000);
    // Two lists: the larger one is cut, whatever its place.
    const two = fitAnswer(answerOf(result({ warnings: ['a', 'b'], acct: rows })), 2000, 'whm');
    assert.equal(two.cut?.list, 'data.acct');
    assert.ok(two.text.length <= 2000 && two.cut!.shown > 0);
    const withOneMore = { ...answerOf(result({ warnings: ['a', 'b'], acct: rows.slice(0, two.cut!.shown + 1) })), truncated: two.cut };
    assert.ok(JSON.stringify(withOneMore).length > 2000, 'one more row would not have fitted');
    // No list: the start of the data, as text, within the budget.
    const blob = fitAnswer(answerOf(result({ text: 'x'.repeat(10_000) })), 1000);
    assert.ok(blob.text.length <= 1000);
    assert.equal((JSON.parse(blob.text) as Answer).ok, true);
  });

  it('query picks from the normalized answer of a success; a failure keeps its hint', async () => {
    const r = await answerText(result([{ email: 'a@x' }, { email: 'b@x' }]), { api: 'uapi', query: 'data[].email' }, 10_000);
    assert.deepEqual((JSON.parse(r.text) as Answer).data, ['a@x', 'b@x']);
    assert.equal(r.isError, false);
    const refused = result(null, { ok: false, kind: 'auth_error', status: 401, hint: 'The token was refused.' });
    const failed = await answerText(refused, { api: 'whm', query: 'data' }, 10_000);
    assert.equal(failed.isError, true);
    assert.equal((JSON.parse(failed.text) as Answer).hint, 'The token was refused.');
    assert.equal(notSent('refused', 'no').notSent, true);
  });

  it('package.json declares the same four tools, with the same input schemas', () => {
    type Contributed = { name: string; inputSchema: object; toolReferenceName: string };
    const pkg = JSON.parse(readFileSync(resolve(__dirname, '../../../package.json'), 'utf8')) as {
      contributes: { languageModelTools: Contributed[] };
    };
    const tools = pkg.contributes.languageModelTools;
    assert.deepEqual(
      tools.map((t) => t.name),
      [...TOOL_NAMES],
    );
    for (const t of tools) assert.deepEqual(t.inputSchema, TOOL_SCHEMAS[t.name as keyof typeof TOOL_SCHEMAS], t.name);
  });
});
