import * as vscode from 'vscode';
import { Catalog, groupOf, groupTitle, type CatalogFunction } from '../../core/catalog';
import { FAMILIES } from '../../shared/families';
import type { ServerProfile } from '../../core/servers';
import { Commands } from '../constants';
import type { Services } from '../services';
import { pickServer } from '../servers/pickServer';
import type { TreeNode } from '../servers/serversTree';
import { planRequest, type SendStart } from './requestFlow';
import type { Origin, Sent } from './requestRunner';

/** Functions and requests from the palette and the tree: Find Function, Send Request…, Rerun, the raw answer, the log. */
export class RequestCommands {
  constructor(private readonly s: Services) {}

  register(): vscode.Disposable[] {
    const r = (id: string, fn: (...args: never[]) => unknown): vscode.Disposable =>
      vscode.commands.registerCommand(id, fn as (...args: unknown[]) => unknown);
    return [
      r(Commands.functionFind, () => this.findFunction()),
      r(Commands.functionSend, (n?: TreeNode) => this.sendFromNode(n)),
      r(Commands.functionCopyName, (n?: TreeNode) => this.copyName(n?.kind === 'function' ? n.fn : undefined)),
      r(Commands.functionOpenDocs, (n?: TreeNode) => this.openDocs(n?.kind === 'function' ? n.fn : undefined)),
      r(Commands.requestSend, (start?: SendStart) => this.sendRequest(start)),
      r(Commands.requestRerun, () => this.s.runner.rerun()),
      r(Commands.resultShowRaw, (uri?: vscode.Uri) =>
        this.s.results.showRaw(this.s.results.byUri(uri ?? vscode.window.activeTextEditor?.document.uri) ?? this.s.panels.active()?.stored),
      ),
      r(Commands.logShow, () => this.s.log.channel.show()),
    ];
  }

  async findFunction(): Promise<void> {
    const catalog = Catalog.load();
    const chosen = await vscode.window.showQuickPick(
      catalog.functions.map((f) => ({
        label: f.name,
        description: f.title,
        detail: `${FAMILIES[f.family].name} · ${groupTitle(f.family, groupOf(f))}`,
        f,
      })),
      {
        title: 'Find Function',
        placeHolder: 'Type a name or words of its title (1,282 functions)',
        matchOnDescription: true,
        matchOnDetail: true,
        ignoreFocusOut: true,
      },
    );
    if (!chosen) return;
    const action = await vscode.window.showQuickPick(['Send…', 'Open Docs', 'Copy Name'], { title: chosen.f.name, ignoreFocusOut: true });
    if (action === 'Open Docs') return this.openDocs(chosen.f);
    if (action === 'Copy Name') return this.copyName(chosen.f);
    if (action === 'Send…') {
      const f = chosen.f;
      const fits = (p: ServerProfile): boolean => (f.family === 'whm' ? p.service === 'whm' : true);
      const p = await pickServer(this.s.profiles, undefined, `send ${f.name} to`, fits);
      if (!p) return;
      let asUser: string | undefined;
      if (f.family === 'uapi' && p.service === 'whm') {
        asUser = await vscode.window.showInputBox({ title: `${f.name} on ${p.label}: on behalf of which account?`, ignoreFocusOut: true });
        if (!asUser) return;
      }
      await this.sendRequest({ profileId: p.id, family: f.family, functionName: f.name, asUser }, 'palette');
    }
  }

  private async sendFromNode(n?: TreeNode): Promise<Sent | undefined> {
    if (n?.kind !== 'function') return this.sendRequest();
    return this.sendRequest({ profileId: n.profile.id, family: n.fn.family, functionName: n.fn.name, asUser: n.asUser }, 'tree');
  }

  private async copyName(f: CatalogFunction | undefined): Promise<void> {
    if (!f) return;
    await vscode.env.clipboard.writeText(f.name);
    vscode.window.setStatusBarMessage(`Copied ${f.name}`, 3000);
  }

  private async openDocs(f: CatalogFunction | undefined): Promise<void> {
    if (f?.docs) await vscode.env.openExternal(vscode.Uri.parse(f.docs));
  }

  /** From the palette (asks everything) or the tree (a server, family, account or function already chosen). */
  async sendRequest(start?: SendStart, origin: Origin = start ? 'tree' : 'palette'): Promise<Sent | undefined> {
    const preferredId = this.s.activeServerId?.();
    const planned = await planRequest({ ...(preferredId ? { preferredId } : {}), ...start }, this.s.profiles, this.s.accounts, (p) =>
      this.s.tree.allowed(p),
    );
    if (!planned) return undefined;
    return this.s.runner.run({ ...planned, origin });
  }
}
