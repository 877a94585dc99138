import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ApiRequest } from '../../src/core/api/request';
import { ClientPool } from '../../src/core/clientFactory';
import { RequestPipeline, type Question, type SendSpec } from '../../src/core/pipeline';
import type { ApiResult } from '../../src/core/result';
import type { Sandbox } from '../../src/sandbox/server';
import { CREDS, profile, startSandbox } from '../helpers/sandbox';

const SRC = resolve(__dirname, '../../../src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('the one request pipeline', () => {
  it('clients are made only by the factory (src/core/clientFactory.ts), and the client itself for an account session', () => {
    const makers = sources(SRC)
      .filter((f) => /new\s+(\(\s*)?[\w.()]*CpanelClient\b/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(SRC, f).split('\\').join('/'))
      .sort();
    assert.deepEqual(makers, ['core/client.ts', 'core/clientFactory.ts']);
  });

  describe('against the sandbox', () => {
    let sb: Sandbox;
    let pool: ClientPool;
    const questions: Question[] = [];
    const recorded: { origin: string; kind: string }[] = [];
    let answer = true;
    let pipeline: RequestPipeline;
    before(async () => {
      sb = await startSandbox();
      pool = new ClientPool(
        () => ({ token: CREDS.root.whmToken }),
        () => ({}),
      );
      pipeline = new RequestPipeline({
        client: (p) => pool.get(p),
        confirm: async (q) => {
          questions.push(q);
          return answer;
        },
        record: (spec, r) => recorded.push({ origin: spec.origin, kind: r.kind }),
      });
    });
    after(async () => {
      await pool.close();
      await sb.stop();
    });
    const whm = (): SendSpec['profile'] => profile(sb, 'whm', { auth: 'token' });
    const send = (request: ApiRequest, over: Partial<SendSpec> = {}): ReturnType<RequestPipeline['send']> =>
      pipeline.send({ profile: whm(), request, origin: 'test', ...over });

    it('a read is sent without a question, and recorded with its origin', async () => {
      questions.length = 0;
      recorded.length = 0;
      const o = await send({ family: 'whm', function: 'listaccts', params: [] });
      assert.ok(o.sent && o.result.ok);
      assert.equal(questions.length, 0);
      assert.deepEqual(recorded, [{ origin: 'test', kind: 'ok' }]);
    });

    it('a destructive call asks, showing the exact request; declined, nothing is sent', async () => {
      questions.length = 0;
      answer = false;
      const before = sb.log.length;
      const o = await send({ family: 'whm', function: 'removeacct', params: [['user', 'bob']] });
      assert.equal(o.sent, false);
      assert.equal(questions.length, 1);
      const q = questions[0]!;
      assert.equal(q.reason, 'destructive');
      assert.match(q.preview.url, /\/json-api\/removeacct\?api\.version=1&user=bob$/);
      assert.equal(q.preview.method, 'GET');
      assert.equal(sb.log.length, before);
      answer = true;
    });

    it('a change sent again asks; a change sent the first time does not', async () => {
      questions.length = 0;
      await send({ family: 'whm', function: 'setresolvers', params: [['nameserver1', '1.1.1.1']] });
      assert.equal(questions.length, 0);
      await send({ family: 'whm', function: 'setresolvers', params: [['nameserver1', '1.1.1.1']] }, { origin: 'rerun' });
      assert.deepEqual(
        questions.map((q) => q.reason),
        ['resend'],
      );
    });

    it('a request from an untrusted file asks first', async () => {
      questions.length = 0;
      await send({ family: 'whm', function: 'version', params: [] }, { untrustedSource: 'x.cpanel.json' });
      assert.deepEqual(
        questions.map((q) => q.reason),
        ['untrusted'],
      );
    });

    it('a request that cannot be built is not sent, and says why', async () => {
      const before = sb.log.length;
      const o = await send({ family: 'whm', function: 'bad name', params: [] });
      assert.ok(!o.sent && o.reason === 'invalid');
      assert.match(o.message, /not a WHM API 1 function name/);
      assert.equal(sb.log.length, before);
    });

    it("a fan-out asks once for a change, and returns every target's full result in order", async () => {
      questions.length = 0;
      const targets = [
        { profile: whm(), account: 'cptest' },
        { profile: whm(), account: 'bob' },
      ];
      const o = await pipeline.fanOut(
        {
          family: 'uapi',
          module: 'Email',
          function: 'add_pop',
          params: [
            ['email', 'fan'],
            ['password', 'Fan-Pass-1'],
            ['domain', 'x.example'],
          ],
        },
        targets,
        { concurrency: 2, origin: 'fanout', what: 'two accounts' },
      );
      assert.ok(o.sent);
      assert.equal(questions.length, 1);
      assert.equal(questions[0]!.reason, 'fanout');
      assert.deepEqual(
        o.parts.map((p) => p.target.account),
        ['cptest', 'bob'],
      );
      for (const p of o.parts) assert.equal(typeof (p.result as ApiResult).raw, 'string', 'a full result');
    });

    it('a fan-out cancelled before it starts sends nothing and returns each target as cancelled', async () => {
      const ac = new AbortController();
      ac.abort();
      const before = sb.log.length;
      const o = await pipeline.fanOut({ family: 'whm', function: 'version', params: [] }, [{ profile: whm() }, { profile: whm() }], {
        concurrency: 1,
        origin: 'fanout',
        what: 'x',
        signal: ac.signal,
      });
      assert.ok(o.sent);
      assert.deepEqual(
        o.parts.map((p) => p.result.kind),
        ['cancelled', 'cancelled'],
      );
      assert.equal(sb.log.length, before);
    });
  });
});
