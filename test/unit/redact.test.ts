import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSecretParam, REDACTED, redactHeaders, redactParams, Redactor, redactUrl } from '../../src/core/redact';

describe('redaction', () => {
  it('knows secret parameter names', () => {
    for (const n of ['pass', 'password', 'tfa_token', 'newpass', 'api_token', 'session', 'cp_security_token', 'key', 'db_password'])
      assert.ok(isSecretParam(n), n);
    for (const n of ['user', 'domain', 'email', 'token_name', 'passive', 'api.version', 'keyword']) assert.ok(!isSecretParam(n), n);
  });

  it('removes cpsess tokens and secret query values from URLs', () => {
    const u = redactUrl('https://h:2083/cpsess0123456789/execute/Email/add_pop?email=a&password=hunter2&domain=x.example');
    assert.equal(u, `https://h:2083/cpsess${REDACTED}/execute/Email/add_pop?email=a&password=${REDACTED}&domain=x.example`);
    assert.ok(!redactUrl('/cpsess9999999999/login/?session=root%3aabc').includes('abc'));
  });

  it('keeps the auth scheme but not the credential', () => {
    const h = redactHeaders({
      Authorization: 'whm root:SECRET',
      cookie: 'cpsession=xyz',
      'x-cpanel-otp': '123456',
      accept: 'application/json',
    });
    assert.deepEqual(h, { Authorization: `whm ${REDACTED}`, cookie: REDACTED, 'x-cpanel-otp': REDACTED, accept: 'application/json' });
    assert.deepEqual(
      redactParams([
        ['user', 'bob'],
        ['pass', 'x'],
      ]),
      [
        ['user', 'bob'],
        ['pass', REDACTED],
      ],
    );
  });

  it('scrubs known values in every form they take', () => {
    const r = new Redactor();
    r.add('p@ss word&1');
    r.addCode('123456', Math.floor(Date.now() / 30_000));
    const text =
      'sent p@ss word&1 and p%40ss%20word%261 and p%40ss+word%261, code 123456, cookie cpsession=abc; Authorization: Basic Ym9iOnBhc3M=';
    const out = r.redact(text);
    assert.ok(
      !out.includes('p@ss') && !out.includes('p%40ss') && !out.includes('123456') && !out.includes('abc') && !out.includes('Ym9iOnBhc3M'),
      out,
    );
    // scrubKnown leaves everything else as the server wrote it.
    assert.equal(r.scrubKnown('cpsession=abc /cpsess0000000001'), 'cpsession=abc /cpsess0000000001');
  });
});

describe('OTP codes in the redactor', () => {
  const STEP = 30_000;

  it('are redacted only where they stand alone, so numbers that contain them stay whole', () => {
    let now = 1_700_000_000_000;
    const r = new Redactor(() => now);
    r.addCode('631504', Math.floor(now / STEP));
    const json = '{"diskused_bytes":96315041,"code":"631504","note":"x631504","id":"a-631504-b"}';
    const out = r.scrubKnown(json);
    assert.equal(out, '{"diskused_bytes":96315041,"code":"[redacted]","note":"x631504","id":"a-[redacted]-b"}');
    assert.doesNotThrow(() => JSON.parse(out), 'still JSON');
    now += STEP;
    assert.match(r.scrubKnown('631504'), /redacted/, 'still redacted one step later');
    now += 2 * STEP;
    assert.equal(r.scrubKnown('631504'), '631504', 'forgotten once it can no longer be valid');
  });

  it('keeps at most eight codes', () => {
    const now = 1_700_000_000_000;
    const r = new Redactor(() => now);
    const step = Math.floor(now / STEP);
    const codes = Array.from({ length: 20 }, (_, i) => String(100000 + i));
    for (const c of codes) r.addCode(c, step);
    const out = r.scrubKnown(codes.join(' '));
    assert.equal(out.split(REDACTED).length - 1, 8);
    assert.ok(out.startsWith('100000 '), 'the oldest went first');
  });

  it('scrubs a secret in its JSON-escaped form, and inside parsed values', () => {
    const r = new Redactor();
    r.add('pa"ss\\word');
    const parsed = JSON.parse(JSON.stringify({ echo: 'x pa"ss\\word y', ['pa"ss\\word']: 1 })) as unknown;
    assert.notEqual(r.scrubKnown(JSON.stringify(parsed)), JSON.stringify(parsed));
    assert.deepEqual(r.scrubValue(parsed), { echo: `x ${REDACTED} y`, [REDACTED]: 1 });
  });
});
