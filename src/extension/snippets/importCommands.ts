import * as vscode from 'vscode';
import {
  ImportError,
  importedSnippet,
  importRequest,
  matchServer,
  UNDERSTOOD,
  type ImportedSnippet,
} from '../../core/import/importRequest';
import { SECRET_SPECS } from '../../core/auth/schemes';
import { describeServer, requiredSecrets, type Secrets, type ServerProfile } from '../../core/servers';
import { snippetRequest, type Snippet } from '../../core/snippets';
import { BuilderPanel } from '../builder/builderPanel';
import { requestToState } from '../builder/builderModel';
import { Commands } from '../constants';
import type { BuilderState } from '../../shared/protocol';
import type { Services } from '../services';
import type { SnippetStore } from './snippetStore';

export const IMPORT_COMMAND = 'cpanel.request.import';

export type ImportAction = 'builder' | 'snippet';

/**
 * Import Request…: a curl line (cPanel's docs, a browser's Copy as cURL, our Copy as curl), a cPanel or
 * WHM URL, or a uapi/whmapi1/cpapi2 command line, opened in the builder or saved as a snippet. The
 * server is matched by host and port among the configured ones (or chosen). Secrets in the text are
 * left out and said so, with an offer to store a credential for the server in SecretStorage when it has none.
 */
export class ImportCommands {
  /** The text to import; replaced only by tests. */
  readText: () => Promise<string | undefined> = () => askForText();
  chooseServer: (why: string, profiles: readonly ServerProfile[]) => Promise<ServerProfile | undefined> = async (why, profiles) =>
    (
      await vscode.window.showQuickPick(
        profiles.map((p) => ({ label: p.label, description: describeServer(p), p })),
        { title: 'Import Request: which server?', placeHolder: why, ignoreFocusOut: true },
      )
    )?.p;
  chooseAction: (what: string) => Promise<ImportAction | undefined> = async (what) => {
    const c = await vscode.window.showQuickPick(
      [
        { label: '$(edit) Open in Builder', action: 'builder' as const },
        { label: '$(save) Save as Snippet…', action: 'snippet' as const },
      ],
      { title: `Import Request: ${what}`, ignoreFocusOut: true },
    );
    return c?.action;
  };
  saveSnippet: (s: Snippet) => Promise<vscode.Uri | undefined> = (s) => this.store.saveNew(s);
  /** Tells what was left out; answers the action chosen (Store Credential…), if any. */
  tell: (message: string, actions: string[]) => Thenable<string | undefined> = (message, actions) =>
    vscode.window.showInformationMessage(message, ...actions);

  constructor(
    private readonly s: Services,
    private readonly store: SnippetStore,
    private readonly extensionUri: vscode.Uri,
  ) {}

  register(): vscode.Disposable[] {
    return [vscode.commands.registerCommand(IMPORT_COMMAND, (text?: string) => this.run(typeof text === 'string' ? text : undefined))];
  }

  async run(
    given?: string,
  ): Promise<{ imported: ImportedSnippet; action: ImportAction; uri?: vscode.Uri; state?: BuilderState } | undefined> {
    const text = given ?? (await this.readText());
    if (!text?.trim()) return undefined;
    let imported: ImportedSnippet;
    try {
      const imp = importRequest(text);
      const profiles = this.s.profiles.profiles();
      let server = matchServer(imp, profiles);
      if (!server && profiles.length) {
        const why = imp.endpoint
          ? `No configured server is ${imp.endpoint.host}:${imp.endpoint.port}: choose the one to use`
          : 'The text names no server: choose one';
        server = await this.chooseServer(why, profiles);
      }
      imported = importedSnippet(imp, server);
      const what = `${imported.snippet.family} ${imported.snippet.function}${imported.snippet.account ? ` as ${imported.snippet.account}` : ''} on ${imported.snippet.server}`;
      const action = await this.chooseAction(what);
      if (!action) return undefined;
      let uri: vscode.Uri | undefined;
      let state: BuilderState | undefined;
      if (action === 'builder') state = this.openInBuilder(imported);
      else {
        uri = await this.saveSnippet(imported.snippet);
        if (!uri) return undefined;
      }
      await this.explain(imported, imp.auth !== undefined);
      return { imported, action, ...(uri ? { uri } : {}), ...(state ? { state } : {}) };
    } catch (e) {
      void vscode.window.showErrorMessage(e instanceof ImportError ? e.message : `The text cannot be imported. ${UNDERSTOOD}`);
      return undefined;
    }
  }

  private openInBuilder(imported: ImportedSnippet): BuilderState {
    // Placeholders stay as written: the builder shows ${env:CPANEL_PARAM_…}, and the person fills in the value there.
    const request = snippetRequest(imported.snippet, (n) => `\${env:${n}}`, { get: (n) => `\${${n}}` });
    const state = requestToState(imported.server?.id ?? '', request);
    BuilderPanel.createOrShow(this.extensionUri, this.s, this.store, state);
    return state;
  }

  /**
   * What was left out (never a value), and the server's credential: offered to be stored where secrets
   * belong when the server has none yet, or named as already stored (by kind, never by value).
   */
  private async explain(imported: ImportedSnippet, hadCredential: boolean): Promise<void> {
    const lines = [...imported.dropped.map((d) => `Left out ${d}.`), ...imported.notes];
    const server = imported.server;
    let store: string | undefined;
    if (server) {
      const stored = await this.s.secrets.get(server.id);
      const needed = requiredSecrets(server);
      const missing = needed.filter((k) => !stored[k]);
      if (missing.length) {
        lines.push(`${server.label} has no ${secretNames(missing)} stored yet.`);
        store = `Store Credential for ${server.label}…`;
      } else if (hadCredential) {
        lines.push(`${server.label} already has its ${secretNames(needed)} in VS Code's secret storage; calls use the stored one.`);
      }
    }
    if (!lines.length) return;
    void Promise.resolve(this.tell(`Imported. ${lines.join(' ')}`, store ? [store] : [])).then((c) => {
      if (c && c === store && server)
        return vscode.commands.executeCommand(Commands.serverSetSecrets, { kind: 'server', profile: server, problems: [] });
      return undefined;
    });
  }
}

/** "API token", "password and two-factor (TOTP) secret". */
function secretNames(kinds: (keyof Secrets)[]): string {
  const names = kinds.map((k) => SECRET_SPECS[k].name);
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)!}` : (names[0] ?? '');
}

/** The clipboard when it holds a request (a curl line has line breaks, which an input box cannot take), else an input box. */
async function askForText(): Promise<string | undefined> {
  const clip = (await vscode.env.clipboard.readText()).trim();
  if (clip) {
    try {
      const imp = importRequest(clip);
      // What the clipboard holds, as read: never its text, which may carry a token.
      const seen = `${imp.source}: ${imp.family} ${imp.function}${imp.account ? ` as ${imp.account}` : ''}${imp.endpoint ? ` at ${imp.endpoint.host}:${imp.endpoint.port}` : ''}`;
      const use = await vscode.window.showQuickPick(
        [
          { label: '$(clippy) From the Clipboard', detail: seen, clip: true },
          { label: '$(edit) Type or Paste…', detail: 'A curl line, a URL, or a uapi / whmapi1 / cpapi2 command', clip: false },
        ],
        { title: 'Import Request', ignoreFocusOut: true },
      );
      if (!use) return undefined;
      if (use.clip) return clip;
    } catch {
      /* not a request: ask */
    }
  }
  return vscode.window.showInputBox({
    title: 'Import Request',
    prompt:
      'A curl command line, a cPanel or WHM URL, or a uapi / whmapi1 / cpapi2 command (for a curl line with line breaks, copy it and choose From the Clipboard)',
    ignoreFocusOut: true,
  });
}
