import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import type { ApiRequest } from '../../src/core/api/request';
import { historyEntry } from '../../src/core/history';
import type { ApiResult } from '../../src/core/result';
import { client, CREDS, profile } from '../helpers/sandbox';
import { useSandbox } from '../helpers/useSandbox';
import { okResult } from '../helpers/results';

const ROOT = resolve(__dirname, '../../..');

interface PackageJson {
  version: string;
  icon?: string;
  categories?: string[];
  keywords?: string[];
  repository?: { type?: string; url?: string } | string;
  bugs?: { url?: string } | string;
  contributes: { walkthroughs: { id: string; title: string; steps: { id: string; title: string }[] }[] };
}
const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as PackageJson;

/** Issue 23, "what a new user met": the fixes whose logic is plain data or the core, checked without VS Code. */
describe('rough edges a new user met (package.json, History)', () => {
  // VS Code's walkthrough shows a step's title on one line beside its checkbox: "Build a call in the Request
  // Builder" (35 characters) was cut. 28 leaves room for the narrowest walkthrough column.
  it('the walkthrough step titles are short enough not to be cut (the builder step reads "Use the Request Builder")', () => {
    const steps = pkg.contributes.walkthroughs.flatMap((w) => w.steps);
    assert.ok(steps.length >= 4, `${steps.length} steps`);
    for (const s of steps) assert.ok(s.title.length <= 28, `"${s.title}" is ${s.title.length} characters`);
    assert.equal(steps.find((s) => s.id === 'openBuilder')?.title, 'Use the Request Builder');
  });

  it('the Marketplace listing: a 128×128 PNG icon, categories beyond "Other", keywords a cPanel user searches, repository and bugs links, a CHANGELOG', () => {
    assert.equal(pkg.icon, 'media/icon.png');
    const png = readFileSync(resolve(ROOT, pkg.icon));
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG signature');
    assert.equal(png.subarray(12, 16).toString('latin1'), 'IHDR', 'the header chunk first');
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128], 'width × height');

    const categories = pkg.categories ?? [];
    assert.ok(
      categories.some((c) => c !== 'Other'),
      `categories: ${categories.join(', ')}`,
    );
    const keywords = (pkg.keywords ?? []).map((k) => k.toLowerCase());
    for (const k of ['cpanel', 'whm', 'uapi', 'whmapi1']) assert.ok(keywords.includes(k), `the keyword ${k}`);
    // The Marketplace takes at most 30 keywords.
    assert.ok(keywords.length <= 30, `${keywords.length} keywords`);

    const repo = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
    const bugs = typeof pkg.bugs === 'string' ? pkg.bugs : pkg.bugs?.url;
    assert.match(repo ?? '', /^https:\/\/github\.com\/[^/]+\/[^/]+?(\.git)?$/);
    assert.match(bugs ?? '', /^https:\/\/github\.com\/[^/]+\/[^/]+\/issues$/);

    const changelog = resolve(ROOT, 'CHANGELOG.md');
    assert.ok(existsSync(changelog), 'CHANGELOG.md');
    assert.match(
      readFileSync(changelog, 'utf8'),
      new RegExp(`^## ${pkg.version.replace(/\./g, '\\.')}$`, 'm'),
      'the current version has its notes',
    );
  });

  describe('History keeps the request headers, redacted', () => {
    const sandbox = useSandbox();
    const listPops: ApiRequest = { family: 'uapi', module: 'Email', function: 'list_pops', params: [] };
    const entryOf = (p: Parameters<typeof historyEntry>[0], r: ApiResult): ReturnType<typeof historyEntry> =>
      historyEntry(p, listPops, r, 'palette', Date.now(), 1e6);

    it('an API token, a password (HTTP Basic) and a session cookie are sent, and stored as [redacted], never the credential', async () => {
      const cases = [
        { over: { auth: 'token' as const }, secrets: { token: CREDS.bob.cpanelToken }, header: 'authorization' },
        { over: { auth: 'password' as const }, secrets: { password: CREDS.bob.password }, header: 'authorization' },
        { over: { auth: 'session' as const }, secrets: { password: CREDS.bob.password }, header: 'cookie' },
      ];
      const basic = Buffer.from(`bob:${CREDS.bob.password}`).toString('base64');
      for (const c of cases) {
        const p = profile(sandbox.sb, 'cpanel', { ...c.over, id: `rough-${c.over.auth}` });
        const r = await client(p, c.secrets).call(listPops);
        assert.equal(r.kind, 'ok', r.hint);
        // What went over the wire had the credential: the entry has the header, without it.
        const sent = sandbox.sb.requests('/execute/Email/list_pops').at(-1)!;
        assert.ok(sent.headers[c.header], `${c.over.auth}: the server got a ${c.header} header`);
        const e = entryOf(p, r);
        const stored = e.headers?.find(([k]) => k.toLowerCase() === c.header);
        assert.ok(stored, `${c.over.auth}: the entry keeps the ${c.header} header (${JSON.stringify(e.headers)})`);
        assert.match(stored[1], /\[redacted\]$/, `${c.over.auth}: ${stored[1]}`);
        const text = JSON.stringify(e);
        for (const secret of [CREDS.bob.cpanelToken, CREDS.bob.password, basic, String(sent.headers.cookie ?? '').split('=')[1] || '∅'])
          assert.ok(!text.includes(secret), `${c.over.auth}: the entry holds ${secret.slice(0, 4)}…`);
        assert.ok(
          e.headers!.some(([k]) => k.toLowerCase() !== c.header),
          'the other headers are kept as they were',
        );
      }
    });

    it('a credential header that reached the result unredacted is still stored as [redacted]', () => {
      const p = profile(sandbox.sb, 'whm', { auth: 'token' });
      const r = okResult({
        timings: { headersMs: 1, totalMs: 2 },
        request: {
          method: 'GET',
          url: 'https://h:2087/json-api/listaccts?api.version=1',
          family: 'whm',
          function: 'listaccts',
          headers: [
            ['Authorization', `whm root:${CREDS.root.whmToken}`],
            ['X-CPANEL-OTP', '123456'],
            ['Cookie', 'whostmgrsession=abc'],
            ['user-agent', 'cpanel-api-explorer'],
          ],
        },
      });
      const e = historyEntry(p, { family: 'whm', function: 'listaccts', params: [] }, r, 'palette', Date.now(), 1e6);
      assert.deepEqual(e.headers, [
        ['Authorization', '[redacted]'],
        ['X-CPANEL-OTP', '[redacted]'],
        ['Cookie', '[redacted]'],
        ['user-agent', 'cpanel-api-explorer'],
      ]);
      assert.ok(!JSON.stringify(e).includes(CREDS.root.whmToken));
    });
  });
});
