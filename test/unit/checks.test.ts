import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { closeExpressions, comparisonSides, evaluate, expressionPool, runCaptures, runChecks, truthy } from '../../src/core/checks';
import { parseEnvironments, RunVariables, secretVariableEnvName } from '../../src/core/environments';
import type { ApiResult } from '../../src/core/result';
import { parseSnippet, resolvePlaceholders, serializeSnippet, variableRefs, type Snippet } from '../../src/core/snippets';

function result(over: Partial<ApiResult> = {}): ApiResult {
  return {
    ok: true,
    kind: 'ok',
    status: 200,
    data: {
      acct: [
        { user: 'bob', domain: 'bob.example' },
        { user: 'cptest', domain: 'cptest.example' },
      ],
    },
    errors: [],
    warnings: [],
    messages: [],
    metadata: { version: 1 },
    raw: '',
    contentType: 'application/json',
    timings: { headersMs: 3, totalMs: 40 },
    request: { method: 'GET', url: 'https://127.0.0.1:2087/json-api/listaccts', family: 'whm', function: 'listaccts' },
    ...over,
  };
}

const base = { version: 1, server: 'prod', family: 'whm', function: 'listaccts', method: 'GET', params: [] };
const parse = (extra: object): ReturnType<typeof parseSnippet> => parseSnippet(JSON.stringify({ ...base, ...extra }));
const errorsOf = (p: ReturnType<typeof parseSnippet>): string[] =>
  p.ok ? [] : p.problems.filter((x) => x.severity === 'error').map((x) => x.message);

describe('snippet checks and captures', () => {
  it('reads expect in exactly the documented shape and keeps it through a round trip', () => {
    const expect = [{ ok: true }, { kind: 'api_error' }, { status: 200 }, { maxMs: 500 }, { jmespath: 'length(data.acct) >= `1`' }];
    const p = parse({ expect, capture: { first: 'data.acct[0].user' } });
    assert.ok(p.ok, errorsOf(p).join());
    assert.deepEqual(p.snippet.expect, expect);
    const again = parseSnippet(serializeSnippet(p.snippet));
    assert.ok(again.ok);
    assert.deepEqual(again.snippet, p.snippet);
  });

  it('a malformed expression or item names the field and says what is wrong', () => {
    assert.match(
      errorsOf(parse({ expect: [{ ok: true }, { jmespath: "data.acct[?user=='bob'" }] }))[0]!,
      /^expect\[1\]\.jmespath: it is not a valid JMESPath expression \(/,
    );
    assert.match(errorsOf(parse({ capture: { who: 'data.[' } }))[0]!, /^capture "who": it is not a valid JMESPath expression/);
    assert.match(errorsOf(parse({ expect: [{ ok: true, status: 200 }] }))[0]!, /^expect\[0\] must be exactly one of \{"ok": true\}/);
    assert.match(errorsOf(parse({ expect: [{ kind: 'fine' }] }))[0]!, /^expect\[0\]\.kind must be one of ok, api_error/);
    assert.match(errorsOf(parse({ expect: [{ status: '200' }] }))[0]!, /^expect\[0\]\.status must be an HTTP status code/);
    assert.match(errorsOf(parse({ expect: { ok: true } }))[0]!, /^"expect" must be a list/);
    assert.match(errorsOf(parse({ capture: { '1st': 'data' } }))[0]!, /^capture "1st": a variable name/);
  });

  it('evaluates each item on the normalized answer, with a message for each failure', async () => {
    const r = result();
    const checks = await runChecks(
      [
        { ok: true },
        { status: 200 },
        { maxMs: 10 },
        { jmespath: "data.acct[?user=='bob'] | length(@) == `1`" },
        { jmespath: "data.acct[?user=='alice'] | length(@) == `1`" },
        { kind: 'api_error' },
      ],
      r,
    );
    assert.deepEqual(
      checks.map((c) => c.pass),
      [true, true, false, true, false, false],
    );
    assert.equal(checks[2]!.message, 'expected the call to take at most 10 ms, it took 40 ms');
    assert.match(checks[4]!.message!, /to be true, it gave false/);
    assert.equal(checks[5]!.message, 'expected kind api_error, got ok');
    // An expression that compiles but fails at run time (an unknown function) fails its item, in words.
    const [bad] = await runChecks([{ jmespath: 'nosuch(data)' }], r);
    assert.equal(bad!.pass, false);
    assert.match(bad!.message!, /could not be evaluated: Unknown function: nosuch/);
  });

  it('uses JMESPath truthiness: 0 is true, empty things are false', () => {
    assert.deepEqual([0, 1, 'x', [1], { a: 1 }, true].map(truthy), [true, true, true, true, true, true]);
    assert.deepEqual([null, undefined, false, '', [], {}].map(truthy), [false, false, false, false, false, false]);
  });

  it('captures text as it is and other values as JSON; an expression that finds nothing is reported', async () => {
    const { values, problems } = await runCaptures(
      { user: 'data.acct[0].user', count: 'length(data.acct)', users: 'data.acct[].user', none: 'data.nothing' },
      result(),
    );
    assert.deepEqual(values, { user: 'bob', count: '2', users: '["bob","cptest"]' });
    assert.deepEqual(problems, ['capture "none": data.nothing found nothing in the answer']);
  });
});

/** `[@,@]` piped into itself n times: 2^n leaves, built in microseconds from shared parts. */
const doubled = (n: number): string => Array(n).fill('[@,@]').join(' | ');

describe('bounded JMESPath evaluation (in a worker thread)', () => {
  after(() => closeExpressions());

  it('an expression that runs too long is stopped at the time bound, in words, without blocking this thread', async () => {
    let ticks = 0;
    const tick = setInterval(() => ticks++, 20);
    const started = Date.now();
    try {
      await assert.rejects(evaluate(`${doubled(30)} | to_string(@) | length(@)`, result(), { timeoutMs: 400 }), (e: Error) => {
        assert.match(e.message, /^JMESPath "\[@,@\] \| .*…" did not finish within 0\.4 s: narrow the expression$/);
        return true;
      });
    } finally {
      clearInterval(tick);
    }
    assert.ok(Date.now() - started < 3000, `stopped after ${Date.now() - started} ms`);
    assert.ok(ticks >= 5, `this thread kept running (${ticks} ticks)`);
  });

  it('the default bound is 2 s', async () => {
    const started = Date.now();
    await assert.rejects(evaluate(`${doubled(32)} | to_string(@)`, result()), /did not finish within 2 s: narrow the expression/);
    assert.ok(Date.now() - started < 6000);
  });

  it('a result whose JSON is too large is refused before it is written, however it was made', async () => {
    const started = Date.now();
    // 2^40 leaves: instant to evaluate, minutes (then a crash) to write as JSON.
    await assert.rejects(evaluate(doubled(40), result()), /^Error: JMESPath ".*" gave more than 8 MiB of JSON: narrow the expression$/);
    assert.ok(Date.now() - started < 3000, `refused after ${Date.now() - started} ms`);
    await assert.rejects(evaluate('data', result(), { maxBytes: 20 }), /gave more than 20 bytes of JSON: narrow the expression/);
    assert.deepEqual(await evaluate('data.acct[0].user', result(), { maxBytes: 20 }), 'bob');
  });

  it('an expression that fills the memory ends its worker, in words', async () => {
    // A flatten of 2^26 leaves is 512 MiB of arrays.
    const flatten = `${doubled(26)} | ${'[]'.repeat(26)} | length(@)`;
    await assert.rejects(
      evaluate(flatten, result(), { memoryMb: 48, timeoutMs: 20_000 }),
      /needed more than 48 MiB of memory: narrow the expression/,
    );
  });

  it('a check that blows up fails clearly and the other checks still run; a capture that does is a problem', async () => {
    const items = [{ ok: true }, { jmespath: `${doubled(30)} | to_string(@)` }, { jmespath: doubled(40) }, { status: 200 }];
    const checks = await runChecks(items, result(), { timeoutMs: 300 });
    assert.deepEqual(
      checks.map((c) => c.pass),
      [true, false, true, true],
      'a true check needs only its truthiness, not its JSON',
    );
    assert.match(checks[1]!.message!, /did not finish within 0\.3 s: narrow the expression/);
    const { values, problems } = await runCaptures({ big: doubled(40), user: 'data.acct[0].user' }, result());
    assert.deepEqual(values, { user: 'bob' });
    assert.match(problems[0]!, /^capture "big": JMESPath ".*" gave more than 8 MiB of JSON: narrow the expression$/);
  });

  it('one worker serves many evaluations; a breach replaces it and the next evaluation works', async () => {
    await evaluate('ok', result());
    const before = expressionPool().workersStarted;
    const values = await Promise.all(Array.from({ length: 200 }, (_, i) => evaluate(`data.acct[${i % 2}].user`, result())));
    assert.deepEqual(values.slice(0, 4), ['bob', 'cptest', 'bob', 'cptest']);
    assert.equal(expressionPool().workersStarted, before, 'no new worker for 200 evaluations');
    await assert.rejects(evaluate(`${doubled(30)} | to_string(@)`, result(), { timeoutMs: 200 }), /did not finish/);
    assert.equal(await evaluate('length(data.acct)', result()), 2);
    assert.equal(expressionPool().workersStarted, before + 1, 'one fresh worker after the breach');
    // Null, nothing, and errors come back as before.
    assert.equal(await evaluate('data.nothing', result()), null);
    await assert.rejects(
      evaluate('nosuch(data)', result()),
      /^Error: JMESPath "nosuch\(data\)" could not be evaluated: Unknown function: nosuch/,
    );
  });
});

describe('variables and environments', () => {
  const envText = JSON.stringify({
    environments: { staging: { server: 'prod', who: 'bob', pw: { secret: true }, fromEnv: '${env:STAGING_DOMAIN}' }, empty: {} },
  });

  it('reads environments, and refuses malformed ones with the place', () => {
    const p = parseEnvironments(envText);
    assert.ok(p.ok);
    assert.deepEqual(
      p.environments.map((e) => e.name),
      ['staging', 'empty'],
    );
    const bad = parseEnvironments('{"environments": {"a b": {}, "x": {"1y": "v", "z": [1]}}}');
    assert.ok(!bad.ok);
    assert.equal(bad.problems.length, 3);
    assert.match(
      parseEnvironments('{"environments": {"x": {"password": "hunter2"}}}').ok
        ? (parseEnvironments('{"environments": {"x": {"password": "hunter2"}}}') as { warnings: string[] }).warnings[0]!
        : '',
      /looks like a secret written into the file/,
    );
    assert.match((parseEnvironments('{"environments": ') as { problems: string[] }).problems[0]!, /not valid JSON \(line 1, column \d+\)/);
  });

  it('fills ${name} in server, function, account and values; captures win over the environment; a missing one is named with why', () => {
    const p = parseEnvironments(envText);
    assert.ok(p.ok);
    const vars = new RunVariables(
      p.environments[0],
      (n) => (n === 'STAGING_DOMAIN' ? 'staging.example' : undefined),
      (e, n) => (e === 'staging' && n === 'pw' ? 'Secret-1' : undefined),
    );
    const s: Snippet = {
      version: 1,
      server: '${server}',
      family: 'uapi',
      function: 'Email/add_pop',
      account: '${who}',
      method: 'POST',
      params: [
        { name: 'email', value: 'box@${fromEnv}' },
        { name: 'password', value: '${pw}' },
      ],
    };
    assert.deepEqual(variableRefs(s).sort(), ['fromEnv', 'pw', 'server', 'who']);
    const filled = resolvePlaceholders(s, () => undefined, vars);
    assert.equal(filled.server, 'prod');
    assert.equal(filled.account, 'bob');
    assert.deepEqual(
      filled.params.map((x) => x.value),
      ['box@staging.example', 'Secret-1'],
    );
    vars.capture({ who: 'cptest' }, 'a.cpanel.json');
    assert.equal(resolvePlaceholders(s, () => undefined, vars).account, 'cptest');
    assert.throws(
      () => resolvePlaceholders({ ...s, server: '${nowhere}' }, () => undefined, vars),
      /uses \$\{nowhere\} \(in server\), which is not defined: the environment "staging" does not define it and no snippet before it captured it/,
    );
    const noSecret = new RunVariables(
      p.environments[0],
      () => undefined,
      () => undefined,
    );
    assert.throws(
      () => resolvePlaceholders(s, () => undefined, noSecret),
      (e: Error) => e.message.includes('STAGING_DOMAIN') || e.message.includes(secretVariableEnvName('staging', 'pw')),
    );
    assert.equal(secretVariableEnvName('staging-eu', 'mailPassword'), 'CPANEL_ENV_STAGING_EU_MAILPASSWORD');
  });

  it('a secret parameter given as a ${name} variable is not a secret written into the file', () => {
    const p = parseSnippet(
      JSON.stringify({ ...base, family: 'uapi', function: 'Email/add_pop', params: [{ name: 'password', value: '${mailPassword}' }] }),
    );
    assert.ok(p.ok);
    assert.deepEqual(p.warnings, []);
    const literal = parseSnippet(
      JSON.stringify({ ...base, family: 'uapi', function: 'Email/add_pop', params: [{ name: 'password', value: 'hunter2' }] }),
    );
    assert.ok(literal.ok && literal.warnings.length === 1);
  });

  it('a variable cannot smuggle a bad function or account name in', () => {
    const vars = new RunVariables(
      { name: 'x', variables: { fn: 'Email/list_pops?x=1', acct: 'Root User' } },
      () => undefined,
      () => undefined,
    );
    assert.throws(
      () => resolvePlaceholders({ ...base, family: 'uapi', function: '${fn}', params: [] } as Snippet, () => undefined, vars),
      /With its variables filled in/,
    );
    assert.throws(
      () =>
        resolvePlaceholders(
          { ...base, family: 'uapi', function: 'Email/list_pops', account: '${acct}', server: 'prod', params: [] } as Snippet,
          () => undefined,
          vars,
        ),
      /not a cPanel username/,
    );
  });
});

describe('a failed comparison shows what it looked at', () => {
  const answer = {
    ok: true,
    kind: 'ok',
    status: 200,
    data: { acct: [{ user: 'bob' }] },
    errors: [],
    warnings: [],
    messages: [],
    metadata: {},
    raw: '',
    contentType: '',
    timings: { headersMs: 1, totalMs: 2 },
    request: { method: 'GET', url: '', family: 'whm', function: 'listaccts' },
  } as ApiResult;

  it('names the value of the side that reads the answer', async () => {
    const [c] = await runChecks([{ jmespath: "data.acct[0].user == 'cptest'" }], answer);
    assert.equal(c!.pass, false);
    assert.match(c!.message ?? '', /it gave false \(data\.acct\[0\]\.user is "bob"\)/);
  });

  it('finds the one top-level comparison, outside quotes and brackets', () => {
    assert.deepEqual(comparisonSides("a == 'x == y'"), ['a ', " 'x == y'"]);
    assert.deepEqual(comparisonSides('length(data[?a > `1`]) >= `2`'), ['length(data[?a > `1`]) ', ' `2`']);
    assert.equal(comparisonSides('a == b && c == d'), undefined);
    assert.equal(comparisonSides('data.acct'), undefined);
  });
});
