import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Services } from '../../src/extension/services';

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
});
