import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { TOOL_NAMES } from '../../src/core/agent/tools';
import type { Services } from '../../src/extension/services';
import { SANDBOX_CREDENTIALS as CREDS } from '../../src/sandbox/accounts';
import { Sandbox } from '../../src/sandbox/server';

const EXT_ID = 'cpanel-api-explorer.cpanel-api-explorer';
const TYPED = 'Typed-In-Box-Pass-55';
const none = new vscode.CancellationTokenSource().token;

type Json = Record<string, unknown> & { ok: boolean; kind: string; errors: string[]; data: unknown };

function textOf(r: vscode.LanguageModelToolResult): string {
  return r.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('');
}

/** The language model tools in a real extension host, against the sandbox. */
describe('agent tools (vscode.lm)', () => {
  let sb: Sandbox;
  let s: Services;
  const outputs: string[] = [];
  const whm = (): Record<string, unknown> => ({
    id: 'agent-whm',
    label: 'agent-whm',
    host: '127.0.0.1',
    service: 'whm',
    secure: true,
    port: sb.port('whm'),
    username: 'root',
    auth: 'password',
    twoFactor: 'none',
    tls: { mode: 'pinned', fingerprint256: sb.fingerprint256 },
    groups: ['agents'],
  });
  const tools = (): NonNullable<Services['agentTools']>['tools'] => s.agentTools!.tools;
  const invokeDirect = async (name: keyof ReturnType<typeof tools>, input: object, token = none, tokenBudget?: number): Promise<Json> => {
    const tokenizationOptions = tokenBudget ? { tokenBudget, countTokens: async (t: string) => Math.ceil(t.length / 4) } : undefined;
    const r = (await tools()[name].invoke(
      { input, toolInvocationToken: undefined, ...(tokenizationOptions ? { tokenizationOptions } : {}) },
      token,
    ))!;
    const text = textOf(r);
    outputs.push(text);
    return JSON.parse(text) as Json;
  };
  const invoke = async (name: string, input: object): Promise<Json> => {
    const text = textOf(await vscode.lm.invokeTool(name, { input, toolInvocationToken: undefined }));
    outputs.push(text);
    return JSON.parse(text) as Json;
  };
  const setting = (key: string, value: unknown): Thenable<void> =>
    vscode.workspace.getConfiguration('cpanel').update(key, value, vscode.ConfigurationTarget.Global);

  before(async () => {
    sb = await Sandbox.start({ rejectReusedLoginCodes: false, extraAccounts: 300 });
    s = await vscode.extensions.getExtension<Services>(EXT_ID)!.activate();
    await s.secrets.set('agent-whm', { password: CREDS.root.password });
    await vscode.workspace.getConfiguration('cpanel').update('servers', [whm()], vscode.ConfigurationTarget.Global);
  });
  after(async () => {
    await setting('agent.allowDestructive', undefined);
    await vscode.workspace.getConfiguration('cpanel').update('servers', [], vscode.ConfigurationTarget.Global);
    await s.secrets.delete('agent-whm');
    // No answer a model got held a secret value.
    for (const secret of [CREDS.root.password, TYPED]) assert.ok(!outputs.join('\n').includes(secret), 'a secret reached the model');
    await sb.stop();
  });

  it('registers the four tools with vscode.lm, with their input schemas', () => {
    for (const name of TOOL_NAMES) {
      const info = vscode.lm.tools.find((t) => t.name === name);
      assert.ok(info, `${name} is not in vscode.lm.tools`);
      assert.equal(typeof info.inputSchema, 'object');
    }
  });

  it('cpanel_list_servers through vscode.lm.invokeTool: the servers, no secret', async () => {
    const r = await invoke('cpanel_list_servers', {});
    const servers = (r as unknown as { servers: Record<string, unknown>[] }).servers;
    assert.deepEqual(servers, [
      {
        label: 'agent-whm',
        service: 'whm',
        host: '127.0.0.1',
        port: sb.port('whm'),
        user: 'root',
        groups: ['agents'],
        state: s.clients.state('agent-whm'),
      },
    ]);
  });

  it('cpanel_search_functions and cpanel_describe_function through vscode.lm.invokeTool', async () => {
    const found = await invoke('cpanel_search_functions', { query: 'listaccts', api: 'whm', limit: 1 });
    assert.equal((found.data as { functions: { function: string; effect: string }[] }).functions[0]!.function, 'listaccts');
    const facts = await invoke('cpanel_describe_function', { api: 'uapi', function: 'Email/add_pop' });
    assert.equal((facts.data as { effect: string }).effect, 'change');
  });

  it('a read through vscode.lm.invokeTool is sent, with query applied, and History records it with origin "agent"', async () => {
    const r = await invoke('cpanel_call', { server: 'agent-whm', api: 'whm', function: 'listaccts', query: 'length(data.acct)' });
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.ok((r.data as number) > 290);
    await s.history.flushed();
    const entry = (await s.history.list())[0]!;
    assert.equal(entry.origin, 'agent');
    assert.equal(entry.function, 'listaccts');
  });

  it('a change: prepareInvocation asks with the exact request (method, URL, body, secrets redacted, server)', async () => {
    const prepared = (await tools().cpanel_call.prepareInvocation!(
      {
        input: {
          server: 'agent-whm',
          api: 'uapi',
          function: 'Email/add_pop',
          account: 'cptest',
          params: { email: 'agentbox', password: '', domain: 'cptest.example' },
        },
      },
      none,
    ))!;
    const c = prepared.confirmationMessages!;
    assert.equal(c.title, 'Send a change to agent-whm?');
    // As the confirmation renders it: MarkdownString.appendText escapes spaces and markdown characters.
    const body = (typeof c.message === 'string' ? c.message : c.message.value).replace(/&nbsp;/g, ' ').replace(/\\(.)/g, '$1');
    assert.match(body, /UAPI Email\/add_pop as cptest on agent-whm changes something/);
    assert.match(body, new RegExp(`POST https://127\\.0\\.0\\.1:${sb.port('whm')}/json-api/uapi_cpanel`));
    assert.match(body, /password=\[redacted\]|password=%5Bredacted%5D/);
    assert.match(body, /Server: agent-whm\. You will be asked for password/);
    // A read asks nothing beyond VS Code's own approval.
    const read = (await tools().cpanel_call.prepareInvocation!({ input: { server: 'agent-whm', api: 'whm', function: 'version' } }, none))!;
    assert.equal(read.confirmationMessages, undefined);
  });

  it('a secret parameter is typed by the person in a password box: sent, never used from the model, never shown, never in History', async () => {
    const asked: vscode.InputBoxOptions[] = [];
    const w = vscode.window as unknown as Record<string, unknown>;
    const original = w.showInputBox;
    w.showInputBox = async (o: vscode.InputBoxOptions) => (asked.push(o), TYPED);
    sb.clearLog();
    let r: Json;
    try {
      const input = {
        server: 'agent-whm',
        api: 'uapi',
        function: 'Email/add_pop',
        account: 'cptest',
        params: { email: 'agentbox', password: 'from-the-model', domain: 'cptest.example' },
      };
      r = await invokeDirect('cpanel_call', input);
    } finally {
      w.showInputBox = original;
    }
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.equal(asked.length, 1);
    assert.equal(asked[0]!.password, true);
    const sent = sb.requests().at(-1)!;
    assert.equal(sent.method, 'POST');
    assert.ok(sent.body.includes(TYPED), 'the typed value was sent');
    assert.ok(!sent.body.includes('from-the-model'), 'the model’s value was not used');
    await s.history.flushed();
    const entries = await s.history.list();
    assert.equal(entries[0]!.origin, 'agent');
    assert.doesNotMatch(JSON.stringify(entries), new RegExp(TYPED));
  });

  it('a destructive call is refused unless cpanel.agent.allowDestructive is on; then confirmed, and sent', async () => {
    sb.clearLog();
    const refused = await invoke('cpanel_call', {
      server: 'agent-whm',
      api: 'whm',
      function: 'removeacct',
      params: { username: 'acct0002' },
    });
    assert.equal(refused.kind, 'refused');
    assert.match(refused.errors[0]!, /cpanel\.agent\.allowDestructive/);
    assert.equal(sb.requests().length, 0);
    await setting('agent.allowDestructive', true);
    const prepared = (await tools().cpanel_call.prepareInvocation!(
      { input: { server: 'agent-whm', api: 'whm', function: 'removeacct', params: { username: 'acct0002' } } },
      none,
    ))!;
    assert.equal(prepared.confirmationMessages?.title, 'Send a destructive call to agent-whm?');
    // And the runner's modal asks again, every time (VS Code may auto-approve a tool; that modal cannot be).
    const questions: string[] = [];
    const confirm = s.runner.confirm;
    s.runner.confirm = async (message) => (questions.push(message), true);
    try {
      const r = await invokeDirect('cpanel_call', {
        server: 'agent-whm',
        api: 'whm',
        function: 'removeacct',
        params: { username: 'acct0002' },
      });
      assert.equal(r.ok, true, JSON.stringify(r));
    } finally {
      s.runner.confirm = confirm;
      await setting('agent.allowDestructive', undefined);
    }
    assert.equal(questions.length, 1);
    assert.match(questions[0]!, /removeacct/);
    assert.equal(sb.requests('removeacct').length, 1);
  });

  it('a list larger than the token budget is cut, with the total; a cancelled token aborts the call', async () => {
    const r = await invokeDirect('cpanel_call', { server: 'agent-whm', api: 'whm', function: 'listaccts' }, none, 1000);
    const cut = r.truncated as { total: number; shown: number; narrow: string };
    assert.ok(cut.total > 290 && cut.shown < cut.total);
    assert.match(cut.narrow, /query/);
    const cts = new vscode.CancellationTokenSource();
    cts.cancel();
    const cancelled = await invokeDirect('cpanel_call', { server: 'agent-whm', api: 'whm', function: 'version' }, cts.token);
    assert.equal(cancelled.ok, false);
    assert.equal(cancelled.kind, 'cancelled');
  });
});
