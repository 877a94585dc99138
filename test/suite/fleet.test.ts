import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Services } from '../../src/extension/services';
import { runFanOut } from '../../src/extension/fleet/fleet';
import type { TreeNode } from '../../src/extension/servers/serversTree';
import { SANDBOX_CREDENTIALS as CREDS } from '../../src/sandbox/accounts';
import { Sandbox } from '../../src/sandbox/server';
import { deadPort } from '../helpers/ports';
import { stubbing } from './stubs';

const EXT_ID = 'cpanel-api-explorer.cpanel-api-explorer';

describe('fleets in a real extension host', () => {
  let sb: Sandbox;
  let s: Services;
  let saved: unknown;
  const ids = ['fleet-1', 'fleet-2', 'fleet-3'];

  let down: number;
  /** The three servers of these tests, each with its token, and nothing else. */
  const configure = async (): Promise<void> => {
    const tls = { mode: 'pinned', fingerprint256: sb.fingerprint256 };
    const whm = (id: string, label: string, port: number, groups: string[]): Record<string, unknown> => ({
      id,
      label,
      host: '127.0.0.1',
      service: 'whm',
      secure: true,
      port,
      username: 'root',
      auth: 'token',
      twoFactor: 'none',
      tls,
      groups,
    });
    await vscode.workspace
      .getConfiguration('cpanel')
      .update(
        'servers',
        [
          whm('fleet-1', 'eu-1', sb.port('whm'), ['eu']),
          whm('fleet-2', 'eu-2', sb.port('whm'), ['eu', 'shared']),
          whm('fleet-3', 'eu-3', down, ['eu']),
        ],
        vscode.ConfigurationTarget.Global,
      );
    for (const id of ids) await s.secrets.set(id, { token: CREDS.root.whmToken });
  };

  before(async () => {
    sb = await Sandbox.start({ rejectReusedLoginCodes: false });
    s = await vscode.extensions.getExtension<Services>(EXT_ID)!.activate();
    saved = vscode.workspace.getConfiguration('cpanel').inspect('servers')?.globalValue;
    down = await deadPort();
    await configure();
  });

  after(async () => {
    for (const id of ids) await s.secrets.delete(id);
    await vscode.workspace.getConfiguration('cpanel').update('servers', saved, vscode.ConfigurationTarget.Global);
    await sb.stop();
  });

  const targets = (): { profile: NonNullable<ReturnType<Services['profiles']['get']>> }[] =>
    ids.map((id) => ({ profile: s.profiles.get(id)! }));

  it('groups servers by tag in the tree: a server in two groups is under both, with ids that stay unique', async () => {
    const roots = await s.tree.getChildren();
    const groups = roots.filter((n): n is Extract<TreeNode, { kind: 'serverGroup' }> => n.kind === 'serverGroup');
    assert.deepEqual(
      groups.map((g) => [g.name, g.entries.map((e) => e.profile.label)]),
      [
        ['eu', ['eu-1', 'eu-2', 'eu-3']],
        ['shared', ['eu-2']],
      ],
    );
    const underEu = await s.tree.getChildren(groups[0]);
    const underShared = await s.tree.getChildren(groups[1]);
    const itemIds = [...underEu, ...underShared].map((n) => s.tree.getTreeItem(n).id);
    assert.equal(new Set(itemIds).size, itemIds.length, itemIds.join(' '));
    // Deeper nodes keep the group in their id too.
    const famEu = (await s.tree.getChildren(underEu[1]))[0]!;
    const famShared = (await s.tree.getChildren(underShared[0]))[0]!;
    assert.notEqual(s.tree.getTreeItem(famEu).id, s.tree.getTreeItem(famShared).id);
    assert.match(String(s.tree.getTreeItem(groups[0]!).description), /^3 servers/);
  });

  it('sends one call to the group: one table with a server column, the down server listed with its hint, every call in the history', async () => {
    const before = sb.requests('listaccts').length;
    const stored = await runFanOut(s, { family: 'whm', function: 'listaccts', params: [] }, targets(), 'group eu');
    assert.ok(stored?.fanout);
    assert.deepEqual([stored.fanout.ok, stored.fanout.failed], [2, 1]);
    assert.equal(sb.requests('listaccts').length, before + 2);
    const data = stored.result.data as {
      rows: { server: string; user: string }[];
      targets: { server: string; verdict: string; hint?: string }[];
    };
    assert.deepEqual(data.rows.map((r) => `${r.server}:${r.user}`).sort(), ['eu-1:bob', 'eu-1:cptest', 'eu-2:bob', 'eu-2:cptest']);
    assert.equal(data.targets.find((t) => t.server === 'eu-3')?.verdict, 'network_error');
    assert.match(stored.result.errors.join(' '), /^eu-3: .*nothing is listening/i);
    // The down server's node says so.
    const eu = (await s.tree.getChildren()).find((n) => n.kind === 'serverGroup' && n.name === 'eu')!;
    const down = (await s.tree.getChildren(eu)).find((n) => n.kind === 'server' && n.profile.label === 'eu-3')!;
    assert.match(String(s.tree.getTreeItem(down).description), /· unreachable$/);
    assert.equal(stored.fanout.parts.length, 3, 'each answer kept to compare');
    await s.history.flushed();
    const recent = (await s.history.list()).slice(0, 3);
    assert.deepEqual(
      recent.map((e) => e.origin),
      ['fanout', 'fanout', 'fanout'],
    );
  });

  it('on behalf of every account of a WHM server: one call per account', async () => {
    const profile = s.profiles.get('fleet-1')!;
    const stored = await runFanOut(
      s,
      { family: 'uapi', module: 'Email', function: 'list_pops', params: [] },
      [
        { profile, account: 'bob' },
        { profile, account: 'cptest' },
      ],
      'every account of eu-1',
    );
    const rows = (stored?.result.data as { rows: { server: string; account: string; email: string }[] }).rows;
    assert.deepEqual(rows.map((r) => `${r.account}:${r.email}`).sort(), [
      'bob:admin@bob.example',
      'cptest:info@cptest.example',
      'cptest:sales@cptest.example',
    ]);
  });

  it('a destructive fan-out is sent only when the number of targets is typed', async () => {
    const asked: string[] = [];
    const original = s.runner.confirmCount;
    try {
      s.runner.confirmCount = async (message, expected) => {
        asked.push(`${message} [${expected}]`);
        return false;
      };
      const none = await runFanOut(s, { family: 'whm', function: 'removeacct', params: [['username', 'nobody']] }, targets(), 'group eu');
      assert.equal(none, undefined);
      assert.equal(sb.requests('removeacct').length, 0, 'nothing sent');
      assert.match(asked[0]!, /removeacct removes, suspends, revokes, resets or changes a password, on 3 targets \(group eu\)\. \[3\]/);
      s.runner.confirmCount = async () => true;
      const sent = await runFanOut(
        s,
        { family: 'whm', function: 'removeacct', params: [['username', 'nobody']] },
        targets().slice(0, 2),
        'group eu',
      );
      assert.equal(sent?.fanout?.targets.length, 2);
      assert.equal(sb.requests('removeacct').length, 2);
    } finally {
      s.runner.confirmCount = original;
    }
  });

  it('Test Connection on a group: one summary naming the server that failed', async () => {
    const r = await vscode.commands.executeCommand<{ ok: number; failed: string[] }>('cpanel.group.test', {
      kind: 'serverGroup',
      name: 'eu',
      entries: [],
    });
    assert.deepEqual(r, { ok: 2, failed: ['eu-3'] });
  });

  it('exports the servers without secrets and imports a CSV of new ones', async () => {
    const ws = vscode.workspace.workspaceFolders![0]!.uri;
    const out = vscode.Uri.joinPath(ws, 'exported-servers.json');
    assert.equal(await vscode.commands.executeCommand('cpanel.servers.export', out), 3);
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(out));
    assert.ok(!text.includes(CREDS.root.whmToken));
    assert.deepEqual(
      (JSON.parse(text) as { servers: { label: string; groups: string[] }[] }).servers.map((x) => [x.label, x.groups]),
      [
        ['eu-1', ['eu']],
        ['eu-2', ['eu', 'shared']],
        ['eu-3', ['eu']],
      ],
    );
    const csv = vscode.Uri.joinPath(ws, 'more-servers.csv');
    await vscode.workspace.fs.writeFile(
      csv,
      new TextEncoder().encode(`label,host,service,username,auth,groups\nus-1,127.0.0.1,whm,root,token,us\n`),
    );
    assert.equal(await vscode.commands.executeCommand('cpanel.servers.import', csv), 1);
    assert.deepEqual(s.profiles.profiles().find((p) => p.label === 'us-1')?.groups, ['us']);
    const bad = vscode.Uri.joinPath(ws, 'bad-servers.csv');
    await vscode.workspace.fs.writeFile(
      bad,
      new TextEncoder().encode(`label,host,service,username,auth,token\nx,h,whm,root,token,SECRET\n`),
    );
    assert.equal(await vscode.commands.executeCommand('cpanel.servers.import', bad), 0, 'a file with a secret imports nothing');
    for (const u of [out, csv, bad]) await vscode.workspace.fs.delete(u);
  });
  const file = async (name: string, text: string): Promise<vscode.Uri> => {
    const u = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, name);
    await vscode.workspace.fs.writeFile(u, new TextEncoder().encode(text));
    return u;
  };

  it('an imported id never takes over a configured server: a clash, or two entries with one id, become new servers without credentials', async () => {
    const entry = (id: string, label: string, host: string): Record<string, unknown> => ({
      id,
      label,
      host,
      service: 'whm',
      username: 'root',
      auth: 'token',
      groups: ['imported'],
    });
    const servers = [entry('fleet-1', 'evil', 'evil.example'), entry('dup', 'dup-a', 'a.example'), entry('dup', 'dup-b', 'b.example')];
    const u = await file('takeover.json', JSON.stringify({ servers }));
    try {
      assert.equal(await vscode.commands.executeCommand('cpanel.servers.import', u), 3);
      const eu1 = s.profiles.get('fleet-1')!;
      assert.deepEqual(
        [eu1.label, eu1.host, eu1.tls],
        ['eu-1', '127.0.0.1', { mode: 'pinned', fingerprint256: sb.fingerprint256 }],
        'eu-1 is untouched',
      );
      assert.deepEqual(await s.secrets.get('fleet-1'), { token: CREDS.root.whmToken }, 'and keeps its token');
      const imported = s.profiles.profiles().filter((p) => p.groups?.includes('imported'));
      assert.deepEqual(
        imported.map((p) => p.label),
        ['evil', 'dup-a', 'dup-b'],
        'two entries with one id are two servers',
      );
      assert.equal(new Set([...imported.map((p) => p.id), ...ids]).size, 6, 'each with an id of its own');
      assert.ok(!imported.some((p) => p.id === 'dup'));
      for (const p of imported) assert.deepEqual(await s.secrets.get(p.id), {}, `${p.label} has no credentials`);
    } finally {
      await vscode.workspace.fs.delete(u);
      await configure();
    }
  });

  it('a server replaced by label keeps its credentials only when they would go to the same place, and the summary says which did not', async () => {
    const fp = sb.fingerprint256;
    const u = await file(
      'replace.csv',
      [
        'label,host,service,secure,port,username,auth,groups,tls,fingerprint256',
        `eu-1,localhost,whm,true,${sb.port('whm')},root,token,eu,pinned,${fp}`,
        `eu-2,127.0.0.1,whm,true,${sb.port('whm')},root,token,eu;shared;extra,pinned,${fp}`,
      ].join('\n'),
    );
    const said: string[] = [];
    try {
      const fake = async (message: string, ...rest: unknown[]): Promise<string | undefined> => {
        said.push(message);
        return rest.includes('Replace Them') ? 'Replace Them' : undefined;
      };
      const importIt = (): Promise<number> => Promise.resolve(vscode.commands.executeCommand<number>('cpanel.servers.import', u));
      const n = await stubbing('showWarningMessage', fake as never, () => stubbing('showInformationMessage', fake as never, importIt));
      assert.equal(n, 2);
      const eu2 = s.profiles.profiles().find((p) => p.label === 'eu-2')!;
      assert.deepEqual([eu2.id, eu2.groups], ['fleet-2', ['eu', 'shared', 'extra']], 'same connection: same id');
      assert.deepEqual(await s.secrets.get('fleet-2'), { token: CREDS.root.whmToken }, 'and its token');
      const eu1 = s.profiles.profiles().find((p) => p.label === 'eu-1')!;
      assert.equal(eu1.host, 'localhost');
      assert.notEqual(eu1.id, 'fleet-1', 'another host: a new id');
      assert.deepEqual(await s.secrets.get(eu1.id), {}, 'with no credentials');
      assert.deepEqual(await s.secrets.get('fleet-1'), {}, 'the old entry went, and its credentials with it');
      assert.equal(s.profiles.get('fleet-1'), undefined);
      const note = 'eu-1: host changed, so its stored credentials were not carried over; set them with Set Credentials….';
      assert.match(said.at(-1)!, /^Imported 2 servers from .*replace\.csv\. /);
      assert.ok(said.at(-1)!.includes(note), said.at(-1));
      assert.doesNotMatch(said.at(-1)!, /eu-2:/);
    } finally {
      await vscode.workspace.fs.delete(u);
      await configure();
    }
  });

  // 1,000 rows, not more: the one write is VS Code's own settings edit, whose formatting grows with the square of the
  // value's size (its cost, not the extension's; measured in the report of this change). The count of writes is the point.
  it('imports 1,000 CSV rows in one settings write', async function () {
    this.timeout(180_000);
    const rows = Array.from({ length: 1000 }, (_, i) => `bulk-${i},h${i}.example.net,whm,root,token,bulk`);
    const u = await file('bulk.csv', `label,host,service,username,auth,groups\n${rows.join('\n')}\n`);
    const store = s.profiles as unknown as { write: (list: unknown[]) => Promise<void> };
    const write = store.write;
    let writes = 0;
    store.write = async (list: unknown[]): Promise<void> => {
      writes++;
      // Fails at once rather than after thousands of writes.
      if (writes > 1) throw new Error('Import Servers wrote the settings more than once');
      return write.call(s.profiles, list);
    };
    try {
      assert.equal(await vscode.commands.executeCommand('cpanel.servers.import', u), 1000);
      assert.equal(writes, 1);
      const bulk = s.profiles.profiles().filter((p) => p.groups?.includes('bulk'));
      assert.equal(bulk.length, 1000);
      assert.deepEqual([bulk[0]!.label, bulk[999]!.label], ['bulk-0', 'bulk-999']);
      assert.equal(new Set(bulk.map((p) => p.id)).size, 1000);
    } finally {
      store.write = write;
      await vscode.workspace.fs.delete(u);
      await configure();
    }
  });

  it('Add Server refuses a label with a control character or markup, saying why', async () => {
    const said: (string | undefined)[] = [];
    const fake = async (o: vscode.InputBoxOptions): Promise<string | undefined> => {
      for (const v of ['eu\u0007', 'eu\u009b', '<b>prod</b>', '$(zap) prod', '[prod](command:cpanel.server.remove)', '=prod, "one"']) {
        const r = await o.validateInput?.(v);
        said.push(typeof r === 'string' ? r : (r?.message ?? undefined));
      }
      return undefined;
    };
    assert.equal(
      await stubbing('showInputBox', fake as never, () => Promise.resolve(vscode.commands.executeCommand('cpanel.server.add'))),
      undefined,
    );
    assert.match(said[0] ?? '', /control character \(U\+0007\)/);
    assert.match(said[1] ?? '', /control character \(U\+009B\)/);
    assert.match(said[2] ?? '', /"<" or ">"/);
    assert.match(said[3] ?? '', /as an icon/);
    assert.match(said[4] ?? '', /Markdown link/);
    assert.equal(said[5], undefined);
  });
});
