import * as vscode from 'vscode';
import { AccountsModel } from './accountsModel';
import { BUILDER_VIEW_TYPE, BuilderPanel } from './builderPanel';
import { ClientRegistry } from './clients';
import { CommandHandlers, type Services } from './commands';
import { CONTEXT_SERVER_COUNT } from './constants';
import { Log } from './log';
import { ProfileStore } from './profileStore';
import { RequestRunner } from './requestRunner';
import { ResultDocuments } from './results';
import { SecretStore } from './secretStore';
import { ServersTree } from './serversTree';
import { parseSnippet, SNIPPET_SUFFIX } from '../core/snippets';
import { SnippetCommands } from './snippetCommands';
import { SnippetStore } from './snippetStore';
import { SnippetCodeLens, SnippetDiagnostics, SnippetsTree } from './snippetViews';

/**
 * What other extensions get from getExtension(…).exports. Outside the test harness it is nothing:
 * the services hold the secret store, and handing them out would give every installed extension the
 * passwords, tokens and TOTP secrets that SecretStorage keeps per extension.
 */
export function exportsFor(mode: vscode.ExtensionMode, services: Services): Services | undefined {
  return mode === vscode.ExtensionMode.Test ? services : undefined;
}

/** The composition root: builds the stores and providers, registers everything, does nothing else. */
export function activate(context: vscode.ExtensionContext): Services | undefined {
  const log = new Log();
  const profiles = new ProfileStore();
  const secrets = new SecretStore(context.secrets);
  const clients = new ClientRegistry(profiles, secrets, log);
  const accounts = new AccountsModel(clients);
  const results = new ResultDocuments();
  const tree = new ServersTree(profiles, clients, accounts);
  const runner = new RequestRunner(profiles, clients, results, accounts, log);
  const services: Services = { profiles, secrets, clients, results, tree, log, accounts, runner };

  const updateContext = (): void => {
    void vscode.commands.executeCommand('setContext', CONTEXT_SERVER_COUNT, profiles.entries().length);
    for (const e of profiles.entries()) {
      if (e.problems.length) log.write('warn', 'settings', `${e.profile.label}: ${e.problems.join(' ')}`);
    }
  };
  updateContext();

  const snippets = new SnippetStore();
  const snippetsTree = new SnippetsTree(snippets);
  context.subscriptions.push(
    log,
    profiles,
    secrets,
    clients,
    accounts,
    results,
    tree,
    runner,
    snippets,
    snippetsTree,
    new SnippetDiagnostics(parseSnippet),
    vscode.languages.registerCodeLensProvider({ pattern: `**/*${SNIPPET_SUFFIX}` }, new SnippetCodeLens(parseSnippet)),
    vscode.window.registerWebviewPanelSerializer(BUILDER_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel) => BuilderPanel.revive(panel, context.extensionUri, services, snippets),
    }),
    profiles.onDidChange(updateContext),
    ...new CommandHandlers(services).register(),
    ...new SnippetCommands(services, snippets, snippetsTree, context.extensionUri).register(),
  );
  log.write('info', 'extension', `activated with ${profiles.entries().length} server(s)`);
  return exportsFor(context.extensionMode, services);
}

export function deactivate(): void {
  /* everything is in context.subscriptions */
}
