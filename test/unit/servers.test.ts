import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  baseUrl,
  defaultPort,
  describeServer,
  hostFromUrl,
  hostProblem,
  labelProblem,
  normalizeFingerprint,
  parseGroups,
  profileProblems,
  readProfile,
  requiredSecrets,
  tlsAfterEdit,
  type ServerProfile,
} from '../../src/core/servers';
import { secretFromOtpauth } from '../../src/core/otp';

const good: ServerProfile = {
  id: 'p1',
  label: 'prod',
  host: 'server.example.com',
  service: 'whm',
  secure: true,
  port: 2087,
  username: 'root',
  auth: 'token',
  twoFactor: 'none',
  tls: { mode: 'system' },
};

describe('server profiles', () => {
  it('defaults ports by service and TLS', () => {
    assert.deepEqual(
      [
        defaultPort('cpanel', true),
        defaultPort('cpanel', false),
        defaultPort('whm', true),
        defaultPort('whm', false),
        defaultPort('webmail', true),
        defaultPort('webmail', false),
      ],
      [2083, 2082, 2087, 2086, 2096, 2095],
    );
  });

  it('accepts hostnames, IPv4 and IPv6, and rejects anything else with a reason', () => {
    for (const h of ['server.example.com', 'localhost', 'a-b.c', '203.0.113.9', '::1', '2001:db8::1', '[2001:db8::1]', 'host.example.']) {
      assert.equal(hostProblem(h), undefined, h);
    }
    const cases: [string, RegExp][] = [
      ['https://server.example.com', /URL/],
      ['server.example.com:2087', /port/],
      ['300.1.2.3', /IPv4/],
      ['bad host', /space/],
      ['-bad.example', /not a valid hostname/],
      ['', /empty/],
      ['user@host', /"@"/],
    ];
    for (const [h, re] of cases) assert.match(hostProblem(h) ?? '', re, h);
  });

  it('one rule for numeric hosts: only four decimal numbers are an IPv4 address, every shorthand is refused', () => {
    // What URL parsers and the resolver read as 127.0.0.1 (or another address than shown): hex, octal, short, one integer.
    const shorthands = ['0x7f.1', '127.1', '2130706433', '0x7f000001', '0177.0.0.1', '127.0.0.01', '0x7f.0.0.1'];
    for (const h of [...shorthands, '1.2.3.4.5', 'host.0x1', 'a.0x', 'example.123', '127.0.0.1.', '300.1.2.3']) {
      const problem = hostProblem(h) ?? '';
      assert.match(problem, /is not a valid IPv4 address: write an address as four decimal numbers from 0 to 255/, h);
    }
    assert.match(hostProblem('0x7f.1')!, /Short, hex and octal forms .* are refused/);
    for (const h of ['127.0.0.1', '0.0.0.0', '255.255.255.255', '0x7f.example.com', '1e100.net', '123.example', 'a1.b2', 'x0x.host']) {
      assert.equal(hostProblem(h), undefined, h);
    }
  });

  it('refuses labels with control characters or text VS Code would render as markup, saying why', () => {
    for (const [label, re] of [
      ['eu\n1', /control character \(U\+000A\)/],
      ['eu\u00001', /U\+0000/],
      ['eu\u007f', /U\+007F/],
      ['eu\u0085', /U\+0085/],
      ['eu\u009b1m', /U\+009B/],
      ['\u202eprod', /U\+202E/],
      ['<img src=x>', /"<" or ">": VS Code could render it as HTML/],
      ['a > b', /"<" or ">"/],
      ['$(zap) prod', /"\$\(": VS Code shows "\$\(name\)" as an icon/],
      ['[prod](command:cpanel.server.remove)', /Markdown link/],
    ] as const) {
      const problem = labelProblem(label) ?? '';
      assert.match(problem, re, JSON.stringify(label));
      const raw = [...problem].find(
        (ch) => ch.charCodeAt(0) < 0x20 || (ch.charCodeAt(0) >= 0x7f && ch.charCodeAt(0) <= 0x9f) || ch === '\u202e',
      );
      assert.equal(raw, undefined, `the message shows control characters escaped: ${JSON.stringify(problem)}`);
      assert.match(profileProblems({ ...good, label }).join(' '), re, 'profile validation (settings, import, cpapi) says the same');
      const read = readProfile({ ...good, label }, 0);
      assert.ok(
        read.problems.some((x) => re.test(x)),
        'a server in the settings with such a label is refused',
      );
    }
    for (const label of ['eu, "one"', "bob's prod", '=prod', '-eu', '@x', '+a', 'prod [old]', 'cost $5 (eu)', 'ünïcødé 東京', 'a_b*c`d`']) {
      assert.equal(labelProblem(label), undefined, label);
    }
    assert.equal(labelProblem('  '), 'The server needs a label.');
  });

  it('refuses a label with any of the control characters, and only those, wherever it is: every code point of the BMP and a few beyond', () => {
    const control = (c: number): boolean =>
      c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029 || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
    const points = [...Array.from({ length: 0x10000 }, (_, c) => c), 0x1f600, 0x10ffff, 0xe0001];
    for (const c of points) {
      // "<" and ">" have a sentence of their own; a lone surrogate (0xD800–0xDFFF here) is not a control character.
      if (c === 0x3c || c === 0x3e) continue;
      const ch = String.fromCodePoint(c);
      const problem = labelProblem(`eu ${ch} prod`);
      const code = `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
      if (control(c)) assert.match(problem ?? '', new RegExp(`control character \\(${code.replace('+', '\\+')}\\)`), code);
      else assert.equal(problem, undefined, code);
    }
    // Where there are several, the first is named; a control character after an astral character is found.
    assert.match(labelProblem('\u{1f600}a\u0085b\u0001') ?? '', /U\+0085/);
  });

  it('refuses groups with control characters or markup (group names are letters, digits, ".", "_" and "-")', () => {
    for (const g of ['eu\n', '<b>', '$(zap)', '[x](y)', 'a b']) {
      assert.match(readProfile({ ...good, groups: [g] }, 0).problems.join(' '), /"groups" must be a list of group names/, g);
    }
  });

  it('reads the groups typed on one line: commas or spaces, each name once, empty for none; a bad name is named', () => {
    assert.deepEqual(parseGroups(' eu, shared-hosting  eu,,'), { groups: ['eu', 'shared-hosting'] });
    assert.deepEqual(parseGroups(''), { groups: [] });
    for (const bad of ['eu, <b>', '$(zap)', 'a\u0007b', 'x'.repeat(65)]) {
      const r = parseGroups(bad);
      assert.ok('problem' in r && /is not a group name/.test(r.problem), bad);
      assert.ok('problem' in r && !r.problem.includes('\u0007'), 'a control character is shown escaped');
    }
  });

  it('puts IPv6 addresses in brackets in URLs', () => {
    assert.equal(baseUrl({ host: '::1', port: 2083, secure: true }), 'https://[::1]:2083');
    assert.equal(baseUrl({ host: '[::1]', port: 2082, secure: false }), 'http://[::1]:2082');
    assert.equal(describeServer({ username: 'bob', host: '10.0.0.1', port: 2083 }), 'bob@10.0.0.1:2083');
  });

  it('normalizes fingerprints in the forms OpenSSL and Node print', () => {
    const node = 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89';
    assert.equal(normalizeFingerprint(node.toLowerCase()), node);
    assert.equal(normalizeFingerprint(node.replace(/:/g, '')), node);
    assert.equal(normalizeFingerprint(`sha256 Fingerprint=${node}`), node);
    assert.equal(normalizeFingerprint('AB:CD'), undefined);
    assert.equal(normalizeFingerprint(node.replace('AB', 'ZZ')), undefined);
  });

  it('finds every problem in a profile', () => {
    assert.deepEqual(profileProblems(good), []);
    const bad = profileProblems({ ...good, host: 'https://x', port: 70000, service: 'cpanel', auth: 'accesshash', twoFactor: 'session' });
    assert.equal(bad.length, 4, bad.join('\n'));
    assert.match(profileProblems({ ...good, auth: 'session', twoFactor: 'header' }).join(), /at session login/);
    assert.match(profileProblems({ ...good, service: 'webmail', auth: 'token' }).join(), /Webmail does not accept API tokens/);
    assert.match(profileProblems({ ...good, tls: { mode: 'pinned', fingerprint256: 'nope' } }).join(), /SHA-256/);
  });

  it('knows which secrets each method needs', () => {
    assert.deepEqual(requiredSecrets({ auth: 'session', twoFactor: 'session' }), ['password', 'totpSecret']);
    assert.deepEqual(requiredSecrets({ auth: 'accesshash', twoFactor: 'none' }), ['accessHash']);
    assert.deepEqual(requiredSecrets({ auth: 'token', twoFactor: 'header' }), ['token', 'totpSecret']);
  });
});

describe('what a person pastes into the server wizard', () => {
  it('a URL as the host: its host, scheme, port and the service its port is', () => {
    assert.deepEqual(hostFromUrl('https://server.example.com:2087/'), {
      host: 'server.example.com',
      secure: true,
      port: 2087,
      service: 'whm',
    });
    assert.deepEqual(hostFromUrl(' http://[2001:db8::1]:2082/cpsess123/ '), {
      host: '[2001:db8::1]',
      secure: false,
      port: 2082,
      service: 'cpanel',
    });
    assert.deepEqual(hostFromUrl('https://mail.example.com'), { host: 'mail.example.com', secure: true });
    assert.equal(hostFromUrl('server.example.com'), undefined);
  });

  it('an otpauth:// link as the TOTP secret: its secret and account, or why not', () => {
    assert.deepEqual(secretFromOtpauth('otpauth://totp/host.example:cptest?secret=QSARBVKLZHYHLJ3M&issuer=host.example'), {
      secret: 'QSARBVKLZHYHLJ3M',
      account: 'cptest',
      issuer: 'host.example',
    });
    assert.deepEqual(secretFromOtpauth('otpauth://totp/cptest%40host.example?secret=ABC'), {
      secret: 'ABC',
      account: 'cptest@host.example',
    });
    assert.match((secretFromOtpauth('otpauth://hotp/x?secret=ABC') as { error: string }).error, /uses TOTP/);
    assert.match((secretFromOtpauth('otpauth://totp/x') as { error: string }).error, /no secret/);
    assert.equal(secretFromOtpauth('QSARBVKLZHYHLJ3M'), undefined);
  });
});

describe('editing a pinned server', () => {
  it('keeps the pin when the port changes, and drops it for another host', () => {
    const pinned = {
      id: 'x',
      label: 'x',
      host: 'h.example',
      service: 'whm',
      secure: true,
      port: 2087,
      username: 'root',
      auth: 'token',
      twoFactor: 'none',
      tls: { mode: 'pinned', fingerprint256: 'AB' },
    } as ServerProfile;
    assert.deepEqual(tlsAfterEdit(pinned, 'h.example'), { mode: 'pinned', fingerprint256: 'AB' });
    assert.deepEqual(tlsAfterEdit(pinned, 'other.example'), { mode: 'system' });
    assert.deepEqual(tlsAfterEdit(undefined, 'h.example'), { mode: 'system' });
  });
});
