import * as vscode from 'vscode';
import { describeServer, type ServerProfile } from '../../core/servers';
import type { ProfileStore } from './profileStore';
import type { TreeNode } from './serversTree';

/** The server a command acts on: the tree node it was run on, the only one there is, or one the person picks. */
export async function pickServer(
  profiles: ProfileStore,
  n: TreeNode | undefined,
  purpose: string,
  filter: (p: ServerProfile) => boolean = () => true,
): Promise<ServerProfile | undefined> {
  if (n && 'profile' in n) return profiles.get(n.profile.id) ?? n.profile;
  const all = profiles.profiles().filter(filter);
  if (!all.length) {
    void vscode.window.showInformationMessage(`No server to ${purpose}.`);
    return undefined;
  }
  if (all.length === 1) return all[0];
  const chosen = await vscode.window.showQuickPick(
    all.map((p) => ({ label: p.label, description: describeServer(p), p })),
    // Like every question of this extension: a focus that moves away (a webview taking it back late) must not dismiss it.
    { title: `Server to ${purpose}`, ignoreFocusOut: true },
  );
  return chosen?.p;
}
