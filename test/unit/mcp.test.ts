import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Sandbox } from '../../src/sandbox/server';
import { CLI } from '../helpers/cli';
import { CREDS, startSandbox } from '../helpers/sandbox';

/**
 * `cpapi mcp` as an agent's host runs it: the built dist/cli.js spawned by the SDK's own client over
 * stdio, against the sandbox (a token WHM server with 300 extra accounts, a session + 2FA cPanel one).
 */

const MAIL_PASS = 'Agent-Mail-Pass-913';
const addPop = { server: 'prod-whm', api: 'uapi', function: 'Email/add_pop', account: 'cptest' };
const SECRETS = [CREDS.root.whmToken, CREDS.cptest.password, CREDS.cptest.tfaSecret, MAIL_PASS];

interface Text {
  text: string;
  isError: boolean;
  json: Record<string, unknown> & { ok: boolean; kind: string; errors: string[]; data: unknown };
}

describe('cpapi mcp', () => {
  let sb: Sandbox;
  let dir: string;
  const open: { client: Client; stderr: string[] }[] = [];
  const everything: string[] = [];

  before(async () => {
    sb = await startSandbox({ extraAccounts: 300 });
    dir = mkdtempSync(join(tmpdir(), 'cpapi-mcp-'));
    const tls = { mode: 'pinned', fingerprint256: sb.fingerprint256 };
    writeFileSync(
      join(dir, 'servers.json'),
      JSON.stringify({
        servers: [
          {
            label: 'prod-whm',
            host: '127.0.0.1',
            service: 'whm',
            port: sb.port('whm'),
            username: 'root',
            auth: 'token',
            tls,
            groups: ['prod'],
          },
          {
            label: 'cptest-2fa',
            host: '127.0.0.1',
            service: 'cpanel',
            port: sb.port('cpanel'),
            username: 'cptest',
            auth: 'session',
            twoFactor: 'session',
            tls,
            groups: ['mail'],
          },
        ],
      }),
    );
  });

  after(async () => {
    await Promise.all(open.map((o) => o.client.close()));
    // No tool output, and nothing cpapi wrote to stderr, ever held a secret value.
    const all = everything.join('\n') + open.map((o) => o.stderr.join('')).join('\n');
    for (const s of SECRETS) assert.ok(!all.includes(s), `a secret value appeared in the output`);
    await sb.stop();
  });

  async function connect(flags: string[] = [], extraEnv: Record<string, string> = {}): Promise<Client> {
    const env = {
      PATH: process.env.PATH ?? '',
      CPANEL_PROD_WHM_TOKEN: CREDS.root.whmToken,
      CPANEL_CPTEST_2FA_PASSWORD: CREDS.cptest.password,
      CPANEL_CPTEST_2FA_TOTP_SECRET: CREDS.cptest.tfaSecret,
      ...extraEnv,
    };
    const args = [CLI, 'mcp', '--servers', 'servers.json', ...flags];
    const transport = new StdioClientTransport({ command: process.execPath, args, env, cwd: dir, stderr: 'pipe' });
    const stderr: string[] = [];
    transport.stderr?.on('data', (b: Buffer) => stderr.push(b.toString()));
    const client = new Client({ name: 'mcp-test', version: '1.0.0' });
    await client.connect(transport);
    open.push({ client, stderr });
    return client;
  }

  async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<Text> {
    const r = (await client.callTool({ name, arguments: args })) as { content: { type: string; text: string }[]; isError?: boolean };
    assert.equal(r.content.length, 1);
    assert.equal(r.content[0]!.type, 'text');
    const text = r.content[0]!.text;
    everything.push(text);
    return { text, isError: r.isError === true, json: JSON.parse(text) as Text['json'] };
  }

  it('the SDK is a bundle of its own: cpapi --help and the other commands do not load it', () => {
    const main = readFileSync(join(dirname(CLI), 'cpapi.js'), 'utf8');
    assert.ok(!main.includes('LATEST_PROTOCOL_VERSION'), 'dist/cpapi.js holds the MCP SDK');
    assert.ok(readFileSync(join(dirname(CLI), 'mcpsdk.js'), 'utf8').includes('LATEST_PROTOCOL_VERSION'));
  });

  it('lists the four tools with their input schemas', async () => {
    const c = await connect();
    const { tools } = await c.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), [
      'cpanel_call',
      'cpanel_describe_function',
      'cpanel_list_servers',
      'cpanel_search_functions',
    ]);
    const callTool = tools.find((t) => t.name === 'cpanel_call')!;
    assert.deepEqual([...(callTool.inputSchema.required ?? [])].sort(), ['api', 'function', 'server']);
    assert.match(callTool.description ?? '', /\$\{env:NAME\}/);
  });

  it('cpanel_list_servers: label, service, host, port, user, groups, state; no secret', async () => {
    const c = await connect();
    const r = await call(c, 'cpanel_list_servers');
    assert.equal(r.isError, false);
    const servers = (r.json as unknown as { servers: Record<string, unknown>[] }).servers;
    assert.deepEqual(
      servers.map((s) => s.label),
      ['prod-whm', 'cptest-2fa'],
    );
    assert.deepEqual(Object.keys(servers[0]!).sort(), ['groups', 'host', 'label', 'port', 'service', 'state', 'user']);
    assert.deepEqual(servers[0]!.groups, ['prod']);
    assert.equal(servers[0]!.state, 'signed_out');
  });

  it('cpanel_search_functions and cpanel_describe_function answer from the catalog', async () => {
    const c = await connect();
    const s = await call(c, 'cpanel_search_functions', { query: 'add_pop', api: 'uapi', limit: 3 });
    const hits = (s.json.data as { functions: Record<string, unknown>[] }).functions;
    assert.equal(hits[0]!.function, 'Email/add_pop');
    assert.equal(hits[0]!.effect, 'change');
    assert.ok((hits[0]!.required as string[]).includes('email'));
    assert.match(String(hits[0]!.docs), /^https:\/\//);
    const d = await call(c, 'cpanel_describe_function', { api: 'whm', function: 'removeacct' });
    const facts = d.json.data as { effect: string; method: string; params: { name: string; required: boolean; type: string }[] };
    assert.equal(facts.effect, 'destructive');
    assert.ok(facts.params.some((p) => p.name === 'username' && p.required));
    const missing = await call(c, 'cpanel_describe_function', { api: 'uapi', function: 'Email/no_such_thing' });
    assert.equal(missing.isError, true);
    assert.match(missing.json.errors[0]!, /no UAPI function named Email\/no_such_thing/);
  });

  it('a read runs through the pipeline, on a session + 2FA server, with query applied', async () => {
    const c = await connect();
    const r = await call(c, 'cpanel_call', { server: 'cptest-2fa', api: 'uapi', function: 'Email/list_pops', query: 'data[].email' });
    assert.equal(r.isError, false, r.text);
    assert.equal(r.json.ok, true);
    assert.deepEqual(r.json.data, ['info@cptest.example', 'sales@cptest.example']);
    assert.equal(r.json.query, 'data[].email');
    const whm = await call(c, 'cpanel_call', { server: 'prod-whm', api: 'whm', function: 'version' });
    assert.equal(whm.json.ok, true, whm.text);
  });

  it('a change is refused without --allow-changes, naming it, and nothing is sent', async () => {
    const c = await connect();
    sb.clearLog();
    const r = await call(c, 'cpanel_call', { ...addPop, params: { email: 'nope', password: '${env:CPANEL_MAILBOX_PASSWORD}' } });
    assert.equal(r.isError, true);
    assert.equal(r.json.kind, 'refused');
    assert.match(r.json.errors[0]!, /--allow-changes/);
    assert.equal(sb.requests().length, 0);
  });

  it('with --allow-changes a change is sent; a literal secret is refused, ${env:…} is sent and never echoed', async () => {
    const c = await connect(['--allow-changes'], { CPANEL_MAILBOX_PASSWORD: MAIL_PASS });
    sb.clearLog();
    const literal = await call(c, 'cpanel_call', { ...addPop, params: { email: 'lit', password: 'Literal-Pass-1' } });
    assert.equal(literal.isError, true);
    assert.match(literal.json.errors[0]!, /\$\{env:NAME\}/);
    assert.equal(sb.requests().length, 0);
    const notAllowed = await call(c, 'cpanel_call', { ...addPop, params: { email: 'env', password: '${env:HOME}' } });
    assert.match(notAllowed.json.errors[0]!, /--allow-env HOME/);
    assert.equal(sb.requests().length, 0);
    const r = await call(c, 'cpanel_call', {
      ...addPop,
      params: { email: 'agentbox', password: '${env:CPANEL_MAILBOX_PASSWORD}', domain: 'cptest.example' },
    });
    assert.equal(r.isError, false, r.text);
    assert.equal(r.json.ok, true);
    const sent = sb.requests().at(-1)!;
    assert.equal(sent.method, 'POST');
    assert.ok(
      sent.body.includes(encodeURIComponent(MAIL_PASS)) || sent.body.includes(MAIL_PASS),
      'the value from the environment was sent',
    );
    assert.ok(!r.text.includes(MAIL_PASS));
  });

  it('a destructive call is refused without --allow-destructive, and sent with it', async () => {
    const c = await connect(['--allow-changes']);
    sb.clearLog();
    const r = await call(c, 'cpanel_call', { server: 'prod-whm', api: 'whm', function: 'removeacct', params: { user: 'acct0001' } });
    assert.equal(r.isError, true);
    assert.match(r.json.errors[0]!, /--allow-destructive/);
    assert.equal(sb.requests().length, 0);
    const d = await connect(['--allow-changes', '--allow-destructive']);
    const ok = await call(d, 'cpanel_call', { server: 'prod-whm', api: 'whm', function: 'removeacct', params: { user: 'acct0001' } });
    assert.equal(ok.json.ok, true, ok.text);
    assert.equal(sb.requests('removeacct').length, 1);
  });

  it('a list larger than the budget is cut to the rows that fit, with the total, the columns and how to narrow it', async () => {
    const c = await connect(['--max-answer-kb', '4']);
    const count = await call(c, 'cpanel_call', { server: 'prod-whm', api: 'whm', function: 'listaccts', query: 'length(data.acct)' });
    const total = count.json.data as number;
    assert.ok(total > 290, `${total} accounts`);
    const r = await call(c, 'cpanel_call', { server: 'prod-whm', api: 'whm', function: 'listaccts' });
    assert.ok(r.text.length <= 4 * 1024, `${r.text.length} characters`);
    const cut = r.json.truncated as { list: string; shown: number; total: number; columns: string[]; narrow: string };
    assert.equal(cut.list, 'data.acct');
    assert.equal(cut.total, total);
    assert.ok(cut.shown > 0 && cut.shown < total);
    assert.equal((r.json.data as { acct: unknown[] }).acct.length, cut.shown);
    assert.ok(cut.columns.includes('user'));
    assert.match(cut.narrow, /query/);
    assert.match(cut.narrow, /api\.filter/);
  });

  it('an unknown server is an error listing the known labels; bad input says what to send', async () => {
    const c = await connect();
    const r = await call(c, 'cpanel_call', { server: 'nowhere', api: 'whm', function: 'version' });
    assert.equal(r.isError, true);
    assert.match(r.json.errors[0]!, /No server is labelled "nowhere"\. The servers are: prod-whm, cptest-2fa\./);
    const bad = await call(c, 'cpanel_call', { server: 'prod-whm', api: 'whm', function: 'list accts' });
    assert.equal(bad.isError, true);
    assert.match(bad.json.errors[0]!, /not a WHM API 1 function name/);
    const onCpanel = await call(c, 'cpanel_call', { server: 'cptest-2fa', api: 'whm', function: 'listaccts' });
    assert.match(onCpanel.json.errors[0]!, /cptest-2fa is a cPanel server, which does not answer WHM API 1/);
  });

  it('--group narrows the servers; a missing secret is named, not sent', async () => {
    const c = await connect(['--group', 'mail'], { CPANEL_CPTEST_2FA_PASSWORD: '' });
    const list = await call(c, 'cpanel_list_servers');
    const servers = (list.json as unknown as { servers: { label: string; state: string }[] }).servers;
    assert.deepEqual(
      servers.map((s) => s.label),
      ['cptest-2fa'],
    );
    assert.match(servers[0]!.state, /CPANEL_CPTEST_2FA_PASSWORD/);
    const r = await call(c, 'cpanel_call', { server: 'cptest-2fa', api: 'uapi', function: 'Email/list_pops' });
    assert.equal(r.isError, true);
    assert.match(r.json.errors[0]!, /CPANEL_CPTEST_2FA_PASSWORD/);
  });
});
