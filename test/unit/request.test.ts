import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalize } from '../../src/core/api/normalize';
import { buildRequest, splitFunction } from '../../src/core/api/request';
import { CallFailure } from '../../src/core/result';

const cpanel = { service: 'cpanel' as const };
const whm = { service: 'whm' as const };

describe('building requests', () => {
  it('UAPI: /execute/Module/function, repeated keys kept, booleans as 1/0', () => {
    const b = buildRequest(
      {
        family: 'uapi',
        module: 'Email',
        function: 'add_pop',
        params: [
          ['email', 'a'],
          ['skip_update_db', true],
          ['domain', 'x'],
          ['domain', 'y'],
          ['send_welcome_email', false],
        ],
      },
      cpanel,
    );
    assert.equal(b.path, '/execute/Email/add_pop?email=a&skip_update_db=1&domain=x&domain=y&send_welcome_email=0');
    assert.equal(b.method, 'GET');
  });

  it('POST puts the parameters in a form body', () => {
    const b = buildRequest({ family: 'uapi', module: 'Email', function: 'add_pop', params: [['email', 'a b&c']], method: 'POST' }, cpanel);
    assert.equal(b.path, '/execute/Email/add_pop');
    assert.equal(b.body, 'email=a+b%26c');
  });

  it('WHM API 1 always sends api.version=1, and refuses a parameter that would replace it', () => {
    const b = buildRequest({ family: 'whm', function: 'listaccts', params: [['search', 'bob']] }, whm);
    assert.equal(b.path, '/json-api/listaccts?api.version=1&search=bob');
    assert.throws(
      () => buildRequest({ family: 'whm', function: 'listaccts', params: [['api.version', '0']] }, whm),
      (e: unknown) =>
        e instanceof CallFailure && e.kind === 'config_error' && /"api\.version" is set by the request itself/.test(e.message),
    );
  });

  it('UAPI through WHM is uapi_cpanel (as cPanel documents it); API 2 through WHM names the API version', () => {
    const u = buildRequest({ family: 'uapi', module: 'Email', function: 'list_pops', params: [['regex', 'a']], asUser: 'bob' }, whm);
    assert.equal(u.path, '/json-api/uapi_cpanel?api.version=1&cpanel.user=bob&cpanel.module=Email&cpanel.function=list_pops&regex=a');
    assert.equal(u.shape, 'whm-uapi');
    const a = buildRequest({ family: 'api2', module: 'Email', function: 'listpops', params: [['x', 1]], asUser: 'bob' }, whm);
    assert.match(a.path, /cpanel_jsonapi_apiversion=2&.*&x=1$/);
  });

  it('refuses calls that cannot work on the service, before sending', () => {
    const cases: [Parameters<typeof buildRequest>[0], { service: 'cpanel' | 'whm' | 'webmail' }, RegExp][] = [
      [{ family: 'whm', function: 'listaccts', params: [] }, cpanel, /port 2087/],
      [{ family: 'uapi', module: 'Email', function: 'list_pops', params: [] }, whm, /on behalf of/],
      [{ family: 'api2', module: 'Email', function: 'listpops', params: [] }, cpanel, /through WHM/],
      [{ family: 'uapi', module: 'Email', function: 'list_pops', params: [], asUser: 'root' }, whm, /root is not a cPanel account/],
      [{ family: 'uapi', module: 'Email', function: 'list_pops', params: [], asUser: 'Bob' }, whm, /not a cPanel username/],
      [{ family: 'whm', function: 'list accts', params: [] }, whm, /not a WHM API 1 function name/],
    ];
    for (const [req, svc, re] of cases) {
      assert.throws(
        () => buildRequest(req, svc),
        (e: unknown) => e instanceof CallFailure && e.kind === 'config_error' && re.test(e.message),
      );
    }
  });

  it('splits Module/function', () => {
    assert.deepEqual(splitFunction('uapi', 'Email/list_pops'), { module: 'Email', function: 'list_pops' });
    assert.throws(() => splitFunction('uapi', 'list_pops'), /Module\/function/);
  });
});

describe('normalizing answers', () => {
  it('reads WHM results given as the string "1" and the failure reason', () => {
    assert.equal(normalize('whm', { metadata: { result: '1', reason: 'OK' }, data: { a: 1 } })?.ok, true);
    const v = normalize('whm', { metadata: { result: 0, reason: 'Nope', output: { warnings: 'w' } } });
    assert.deepEqual([v?.ok, v?.errors, v?.warnings], [false, ['Nope'], ['w']]);
  });

  it('reads UAPI errors whether null, a string or a list', () => {
    assert.deepEqual(normalize('uapi', { status: 0, errors: 'bad', data: null })?.errors, ['bad']);
    assert.deepEqual(normalize('uapi', { status: 0, errors: null, data: null })?.errors.length, 1);
    assert.equal(normalize('uapi', { status: 1, errors: null, data: [], messages: ['m'] })?.messages[0], 'm');
  });

  it('takes the UAPI verdict inside uapi_cpanel and through /json-api/cpanel', () => {
    const inner = { status: 0, errors: ['inner failure'], data: null, metadata: {} };
    const v = normalize('whm', { metadata: { result: 1, reason: 'OK' }, data: { uapi: inner } });
    assert.deepEqual([v?.ok, v?.errors], [false, ['inner failure']]);
    assert.equal(normalize('whm-uapi', { apiversion: 3, result: { ...inner, status: 1, errors: null } })?.ok, true);
  });

  it('reads API 2 events and errors, and says when a shape is foreign', () => {
    assert.equal(normalize('whm-api2', { cpanelresult: { data: [1], event: { result: 1 } } })?.ok, true);
    assert.deepEqual(normalize('whm-api2', { cpanelresult: { error: 'x', data: [], event: { result: 0 } } })?.errors, ['x']);
    assert.equal(normalize('uapi', { metadata: { result: 1 } }), undefined);
    assert.equal(normalize('whm', [1, 2]), undefined);
  });
});
