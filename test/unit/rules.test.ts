import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { jsonErrorOffset } from '../../src/core/jsonPosition';
import {
  callsOnBehalf,
  familiesOn,
  FAMILY_IDS,
  FAMILIES,
  functionNameProblem,
  isControlParam,
  paramNameProblem,
} from '../../src/shared/families';
import { stateProblems } from '../../src/shared/requestRules';
import { emptyState } from '../../src/shared/protocol';

describe('the family table and the request rules', () => {
  it('control parameters of every family are refused, in any case', () => {
    for (const f of FAMILY_IDS) for (const n of FAMILIES[f].control) assert.ok(isControlParam(n) && isControlParam(n.toUpperCase()), n);
    for (const n of ['cpanel_jsonapi_anything', 'api.version', 'cpanel.user'])
      assert.match(paramNameProblem(n) ?? '', /set by the request itself/);
    for (const n of ['user', 'api.sort.a.field', 'domain-0', 'MXCHECK-example.com', 'api.paginate_size'])
      assert.equal(paramNameProblem(n), undefined, n);
    for (const n of ['x$(id)', 'a b', 'a"b', "it's", 'x\ny', '', 'ä']) assert.ok(paramNameProblem(n), JSON.stringify(n));
  });

  it('the snippet schema says the same about parameter names as the code', () => {
    const schema = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'resources', 'snippet.schema.json'), 'utf8')) as {
      properties: { params: { items: { properties: { name: { pattern: string; not: { pattern: string } } } } } };
    };
    const spec = schema.properties.params.items.properties.name;
    const allowed = (n: string): boolean => new RegExp(spec.pattern).test(n) && !new RegExp(spec.not.pattern).test(n);
    for (const n of [
      'user',
      'api.sort.a.field',
      'domain-0',
      'cpanel_jsonapi_func',
      'CPANEL_JSONAPI_USER',
      'cpanel.function',
      'Cpanel.User',
      'api.version',
      'API.VERSION',
      'x$(id)',
      'a b',
      'cpanel.users',
    ]) {
      assert.equal(allowed(n), paramNameProblem(n) === undefined, n);
    }
  });

  it('which family runs where', () => {
    assert.deepEqual(familiesOn('whm'), [
      { family: 'whm', onBehalf: false },
      { family: 'uapi', onBehalf: true },
      { family: 'api2', onBehalf: true },
    ]);
    assert.deepEqual(familiesOn('cpanel'), [{ family: 'uapi', onBehalf: false }]);
    assert.deepEqual(familiesOn('webmail'), [{ family: 'uapi', onBehalf: false }]);
    assert.ok(
      callsOnBehalf('uapi', 'whm') && callsOnBehalf('api2', 'whm') && !callsOnBehalf('whm', 'whm') && !callsOnBehalf('uapi', 'cpanel'),
    );
    assert.equal(functionNameProblem('uapi', 'Email/list_pops'), undefined);
    assert.match(functionNameProblem('uapi', 'list_pops') ?? '', /not Module\/function/);
    assert.match(functionNameProblem('whm', 'a/b') ?? '', /not a WHM API 1 function name/);
  });

  it('the builder marks a control parameter on its row and keeps Send disabled', () => {
    const state = {
      ...emptyState(),
      serverId: 's',
      family: 'uapi' as const,
      account: 'bob',
      functionName: 'Email/list_pops',
      params: [
        { name: 'cpanel_jsonapi_func', value: 'add_pop' },
        { name: 'ok', value: '1' },
      ],
    };
    const problems = stateProblems(state, 'whm', undefined);
    assert.deepEqual(
      problems.map((p) => p.row),
      [0],
    );
    assert.match(problems[0]!.message, /set by the request itself/);
  });

  it('finds where JSON stops being valid, exactly when JSON.parse refuses it', () => {
    const texts = [
      '{}',
      '[]',
      '1',
      '"x"',
      ' {"a":[1,2,{"b":null}]} ',
      '{"a":1,}',
      '[1,]',
      '{"a" 1}',
      '{',
      '[',
      '"\\u12"',
      '"\\x"',
      'tru',
      '01',
      '-',
      '{"a":1}x',
      'ssh-rsa AAAA',
      '{"a":"b\nc"}',
      '[1e5,-0.5,2E-3]',
      '\u00a0{}',
      '["\\ud800"]',
      '['.repeat(10000) + ']'.repeat(10000),
    ];
    for (const t of texts) {
      let valid = true;
      try {
        JSON.parse(t);
      } catch {
        valid = false;
      }
      const at = jsonErrorOffset(t);
      assert.equal(at === undefined, valid, JSON.stringify(t.slice(0, 40)));
      if (at !== undefined) assert.ok(at >= 0 && at <= t.length);
    }
    assert.equal(jsonErrorOffset('{"version": 1,\n  oops\n}'), 17);
  });
});
