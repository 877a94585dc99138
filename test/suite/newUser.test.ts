import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { AUTH_METHODS, AUTH_SCHEMES } from '../../src/core/auth/schemes';
import { SERVICES, type TwoFactorMode } from '../../src/core/servers';
import type { Services } from '../../src/extension/services';
import { editField, pickEditField, serverWizard, type WizardUi } from '../../src/extension/servers/serverWizard';

const EXT_ID = 'cpanel-api-explorer.cpanel-api-explorer';

/** Replaces a function of vscode.window while `body` runs, recording what it was asked. */
async function stubbing<T>(
  name: 'showInformationMessage' | 'showWarningMessage',
  answer: string | undefined,
  body: () => Thenable<T> | Promise<T>,
): Promise<{ value: T; asked: string[] }> {
  const w = vscode.window as unknown as Record<string, unknown>;
  const original = w[name];
  const asked: string[] = [];
  w[name] = async (message: string) => {
    asked.push(message);
    return answer;
  };
  try {
    return { value: await body(), asked };
  } finally {
    w[name] = original;
  }
}

/** Dead ends a new user met: each now says what happened and offers the way on. */
describe('what a new user meets', () => {
  let s: Services;
  before(async () => {
    s = await vscode.extensions.getExtension<Services>(EXT_ID)!.activate();
  });

  it('Send to Every Account with no WHM server says why, instead of ending silently', async () => {
    const config = vscode.workspace.getConfiguration('cpanel');
    const saved = config.get<unknown[]>('servers') ?? [];
    await config.update('servers', [], vscode.ConfigurationTarget.Global);
    try {
      assert.equal(s.profiles.profiles().length, 0);
      const { asked } = await stubbing('showInformationMessage', undefined, () =>
        vscode.commands.executeCommand('cpanel.server.sendToAccounts'),
      );
      assert.equal(asked.length, 1);
      assert.match(asked[0]!, /needs a WHM server, and none is set up yet/);
    } finally {
      await config.update('servers', saved, vscode.ConfigurationTarget.Global);
    }
  });

  it('Select Environment without an environments file offers to create one, and Create writes and opens it', async () => {
    const folder = vscode.workspace.workspaceFolders![0]!.uri;
    const file = vscode.Uri.joinPath(folder, '.vscode', 'cpanel', 'environments.json');
    await vscode.workspace.fs.delete(file).then(
      () => undefined,
      () => undefined,
    );
    const { asked } = await stubbing('showInformationMessage', 'Create', () => vscode.commands.executeCommand('cpanel.environment.select'));
    assert.match(asked[0] ?? '', /No environments file in this workspace yet/);
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(file));
    assert.deepEqual(Object.keys((JSON.parse(text) as { environments: object }).environments), ['staging', 'production']);
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), file.toString());
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    await vscode.workspace.fs.delete(file);
  });

  it('the palette ranks the plain Send Request… first: the fan-out commands are named apart', async () => {
    const commands = (vscode.extensions.getExtension(EXT_ID)!.packageJSON as { contributes: { commands: { title: string }[] } }).contributes
      .commands;
    const starting = commands.filter((c) => c.title.startsWith('Send Request'));
    assert.deepEqual(
      starting.map((c) => c.title),
      ['Send Request…'],
      'only the plain command starts with "Send Request"',
    );
  });

  it('Add Server counts its steps so that the total never grows: every service, method and two-factor mode ends at n = total', async () => {
    const answers: Record<string, string> = {
      Label: 'count-test',
      Host: 'server.example.com',
      Username: 'root',
      'API token': 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345',
      Password: 'a password',
      'Access hash': 'an access hash',
      'Two-factor secret': 'JBSWY3DPEHPK3PXP',
      Groups: '',
    };
    let paths = 0;
    for (const service of SERVICES) {
      for (const auth of AUTH_METHODS.filter((m) => !AUTH_SCHEMES[m].serviceProblem(service))) {
        for (const twoFactor of ['none', ...AUTH_SCHEMES[auth].twoFactor] as TwoFactorMode[]) {
          const titles: string[] = [];
          const what = (title: string): string => title.replace(/^Add Server \(\d+\/\d+\): /, '');
          const ui: WizardUi = {
            input: async (title, spec) => {
              titles.push(title);
              const v = what(title) === 'Port' ? (spec.value ?? '') : answers[what(title)];
              assert.ok(v !== undefined, `an answer for ${title}`);
              assert.equal(spec.validate?.(v), undefined, `${v} is accepted for ${title}`);
              return v;
            },
            pick: async (title, items) => {
              titles.push(title);
              const want = { Service: service, Connection: true, Authentication: auth, 'Two-factor authentication': twoFactor }[
                what(title)
              ];
              const item = items.find((i) => i.value === want);
              assert.ok(item, `${String(want)} is offered at ${title}`);
              return item.value;
            },
          };
          const r = await serverWizard(undefined, undefined, ui);
          assert.deepEqual([r?.profile.service, r?.profile.auth, r?.profile.twoFactor], [service, auth, twoFactor]);
          const steps = titles.map((t) => {
            const m = /^Add Server \((\d+)\/(\d+)\): /.exec(t);
            assert.ok(m, `"${t}" shows its place`);
            return { n: Number(m[1]), total: Number(m[2]) };
          });
          const path = `${service} ${auth} ${twoFactor}: ${titles.join(' | ')}`;
          steps.forEach((x, i) => assert.equal(x.n, i + 1, `numbered in order (${path})`));
          for (let i = 1; i < steps.length; i++) assert.ok(steps[i]!.total <= steps[i - 1]!.total, `the total never grows (${path})`);
          assert.equal(steps.at(-1)!.n, steps.at(-1)!.total, `the last step is n = total (${path})`);
          paths++;
        }
      }
    }
    assert.ok(paths >= 12, `${paths} paths walked`);
  });

  it('Add Server and Edit Server put a server in groups: the step names the groups in use, refuses a bad name, and empty is none', async () => {
    const asked: { title: string; prompt: string; value?: string; bad?: string }[] = [];
    let groupsAnswer = 'eu, shared eu';
    const ui: WizardUi = {
      input: async (title, spec) => {
        const what = title.replace(/^.*: /, '');
        if (what === 'Groups') {
          asked.push({ title, prompt: spec.prompt, value: spec.value, bad: spec.validate?.('eu, not/a-group') });
          assert.equal(spec.validate?.(''), undefined, 'no group is an answer');
          return groupsAnswer;
        }
        const answers: Record<string, string> = { Label: 'grouped', Host: 'h.example.net', Username: 'root', 'API token': 'T'.repeat(32) };
        return what === 'Port' ? (spec.value ?? '') : answers[what]!;
      },
      pick: async (title, items) => {
        const what = title.replace(/^.*: /, '');
        const want = { Service: 'whm', Connection: true, Authentication: 'token', 'Two-factor authentication': 'none' }[what];
        return items.find((i) => i.value === want)!.value;
      },
    };
    const added = await serverWizard(undefined, undefined, ui, ['staging', 'eu', 'staging']);
    assert.deepEqual(added?.profile.groups, ['eu', 'shared'], 'each name once, in the order typed');
    assert.match(asked[0]!.title, /^Add Server \(9\/10\): Groups$/);
    assert.match(asked[0]!.prompt, /Groups in use: eu, staging\./);
    assert.match(asked[0]!.bad ?? '', /"not\/a-group" is not a group name/);

    // Edit Server offers the groups as a field of their own, and shows them.
    let offered: string[] = [];
    const field = await pickEditField(added!.profile, {
      ...ui,
      pick: async (_title, items) => {
        offered = items.map((i) => `${i.label} ${i.description ?? ''}`.trim());
        return items.find((i) => i.value === 'groups')!.value;
      },
    });
    assert.equal(field, 'groups');
    assert.ok(offered.includes('Groups eu, shared'), offered.join(' | '));
    groupsAnswer = 'shared';
    const one = await editField(added!.profile, 'groups', {}, ui, ['eu', 'shared']);
    assert.deepEqual(one?.profile.groups, ['shared']);
    assert.equal(asked[1]!.value, 'eu, shared', 'the step starts from the groups the server is in');
    groupsAnswer = '';
    const none = await editField(one!.profile, 'groups', {}, ui);
    assert.ok(none && !('groups' in none.profile), 'an empty answer takes the server out of every group');
    // Every step again keeps the groups unless they are changed.
    groupsAnswer = 'shared';
    const again = await serverWizard(one!.profile, { token: 'T'.repeat(32) }, ui);
    assert.deepEqual(again?.profile.groups, ['shared']);
    assert.equal(asked.at(-1)!.title, 'Edit Server (9/10): Groups');
  });

  it('the quick picks of a flow with more steps stay open when the focus moves (a result view taking it back a moment later)', async () => {
    const w = vscode.window as unknown as Record<string, unknown>;
    const original = w.showQuickPick;
    const picks: { title: string; ignoreFocusOut: boolean }[] = [];
    w.showQuickPick = async (_items: unknown, o?: vscode.QuickPickOptions) => {
      picks.push({ title: o?.title ?? '', ignoreFocusOut: o?.ignoreFocusOut === true });
      return undefined;
    };
    const config = vscode.workspace.getConfiguration('cpanel');
    const saved = config.get<unknown[]>('servers') ?? [];
    // Two WHM servers of one group (HTTPS, the default port and no 2FA, as a settings entry may leave out).
    const server = (id: string): Record<string, unknown> => ({
      id,
      label: id,
      host: 'h.example',
      service: 'whm',
      username: 'root',
      auth: 'token',
      groups: ['eu'],
    });
    const clip = await vscode.env.clipboard.readText();
    try {
      await config.update('servers', [server('pick-1'), server('pick-2')], vscode.ConfigurationTarget.Global);
      await vscode.env.clipboard.writeText(
        "curl -H'Authorization: whm root:X' 'https://server.example.com:2087/json-api/listaccts?api.version=1'",
      );
      await vscode.commands.executeCommand('cpanel.function.find');
      await vscode.commands.executeCommand('cpanel.request.import');
      await vscode.commands.executeCommand('cpanel.group.send');
      await vscode.commands.executeCommand('cpanel.server.sendToAccounts');
      assert.deepEqual(
        picks.map((p) => p.title),
        ['Find Function', 'Import Request', 'Group to send a request to', 'WHM server whose accounts to call'],
      );
      for (const p of picks) assert.ok(p.ignoreFocusOut, `${p.title} keeps its place`);
    } finally {
      w.showQuickPick = original;
      await vscode.env.clipboard.writeText(clip);
      await config.update('servers', saved, vscode.ConfigurationTarget.Global);
    }
  });
});
