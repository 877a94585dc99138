import * as vscode from 'vscode';
import { effectOf } from '../core/api/effects';
import { functionName, type ApiRequest } from '../core/api/request';
import type { ApiResult } from '../core/result';
import type { ServerProfile } from '../core/servers';
import { AccountsModel } from './servers/accountsModel';
import { AgentTools } from './agent/lmTools';
import { BUILDER_VIEW_TYPE, BuilderPanel } from './builder/builderPanel';
import { ClientRegistry } from './servers/clients';
import { RequestCommands } from './requests/requestCommands';
import { ServerCommands } from './servers/serverCommands';
import type { Services } from './services';
import { CONTEXT_SERVER_COUNT } from './constants';
import { Log } from './log';
import { ProfileStore } from './servers/profileStore';
import { RequestRunner } from './requests/requestRunner';
import { ResultDocuments } from './results/results';
import { HistoryStore, HistoryTree } from './history/history';
import { ActiveServer } from './servers/activeServer';
import { FleetCommands } from './fleet/fleet';
import { ResultCommands } from './results/resultActions';
import { ResultPanels } from './results/resultPanels';
import { SecretStore } from './servers/secretStore';
import { ServersTree } from './servers/serversTree';
import { parseSnippet, SNIPPET_SUFFIX } from '../core/snippets';
import { EnvironmentStore } from './environments/environmentStore';
import { SnippetCommands } from './snippets/snippetCommands';
import { DataRuns } from './snippets/dataRuns';
import { ImportCommands } from './snippets/importCommands';
import { SnippetRuns } from './snippets/snippetRuns';
import { SnippetTests } from './snippets/snippetTests';
import { SnippetStore } from './snippets/snippetStore';
import { SnippetCodeLens, SnippetDiagnostics, SnippetsTree } from './snippets/snippetViews';
import { TokenCommands } from './tokens/tokenCommands';

/**
 * What other extensions get from getExtension(…).exports. Outside the test harness it is nothing:
 * the services hold the secret store, and handing them out would give every installed extension the
 * passwords, tokens and TOTP secrets that SecretStorage keeps per extension.
 */
export function exportsFor<T extends Services>(mode: vscode.ExtensionMode, services: T): T | undefined {
  return mode === vscode.ExtensionMode.Test ? services : undefined;
}

/** What the test harness gets: the services, and the snippet machinery built beside them. */
export interface TestExports extends Services {
  environments: EnvironmentStore;
  snippetRuns: SnippetRuns;
  tokens: TokenCommands;
  active: ActiveServer;
  dataRuns: DataRuns;
  imports: ImportCommands;
}

/** The composition root: builds the stores and providers, registers everything, does nothing else. */
export function activate(context: vscode.ExtensionContext): TestExports | undefined {
  const log = new Log();
  const profiles = new ProfileStore();
  const secrets = new SecretStore(context.secrets);
  const clients = new ClientRegistry(profiles, secrets, log);
  const results = new ResultDocuments();
  const panels = new ResultPanels(context.extensionUri, results, log);
  const runner = new RequestRunner(profiles, clients, panels, log);
  // The tree's own reads go through the same pipeline (refused credentials are not sent again), unrecorded.
  const background = (p: ServerProfile, req: ApiRequest, signal?: AbortSignal): Promise<ApiResult> => runner.background(p, req, signal);
  const accounts = new AccountsModel(clients, background);
  const history = new HistoryStore(context.globalStorageUri, log);
  const historyTree = new HistoryTree(history);
  const tree = new ServersTree(profiles, clients, accounts, background);
  runner.applist = (p) => tree.allowed(p);
  // Every call from every path is recorded, with where it came from.
  runner.onDidSend(({ spec, result }) => void history.record(spec, result, spec.origin));
  // A WHM call that changes something may have changed the accounts: the list is read again when next needed.
  runner.onDidSend(({ spec, result }) => {
    if (spec.request.family === 'whm' && result.status > 0 && effectOf('whm', functionName(spec.request)) !== 'read')
      accounts.invalidate(spec.profile.id);
  });
  const services: Services = { profiles, secrets, clients, results, panels, history, tree, log, accounts, runner };

  const updateContext = (): void => {
    void vscode.commands.executeCommand('setContext', CONTEXT_SERVER_COUNT, profiles.entries().length);
    for (const e of profiles.entries()) {
      if (e.problems.length) log.write('warn', 'settings', `${e.profile.label}: ${e.problems.join(' ')}`);
    }
  };
  updateContext();

  const snippets = new SnippetStore();
  const snippetsTree = new SnippetsTree(snippets);
  const environments = new EnvironmentStore(context.workspaceState, context.secrets, log);
  // Values typed for ${env:NAME}: kept in this window's memory only when the person says so, never written anywhere.
  const remembered = new Map<string, string>();
  const askEnv = async (name: string): Promise<string | undefined> => {
    const known = remembered.get(name);
    if (known !== undefined) return known;
    const value = await vscode.window.showInputBox({
      title: `Value for \${env:${name}}`,
      prompt: `${name} is not set in VS Code's environment: type its value (used for this run, not stored).`,
      password: true,
      ignoreFocusOut: true,
    });
    if (value) {
      // Asked beside the run, not before it: the run goes on whatever the answer.
      void vscode.window
        .showInformationMessage(`Remember the value of \${env:${name}} for this window (in memory only, until it closes)?`, 'Remember')
        .then((c) => {
          if (c === 'Remember') remembered.set(name, value);
        });
    }
    return value;
  };
  const snippetRuns = new SnippetRuns(services, environments, askEnv);
  const codeLens = new SnippetCodeLens(parseSnippet, snippetRuns);
  const active = new ActiveServer(context.workspaceState, profiles, clients, runner);
  services.activeServerId = () => active.id;
  const fleet = new FleetCommands(services, context.globalState);
  services.sendToGroup = (request, untrustedSource) => fleet.sendPlannedToGroup(request, untrustedSource);
  // Agent tools (Copilot's agent mode, #cpanelCall): every call through the runner's pipeline, origin "agent".
  services.agentTools = new AgentTools(services);
  const tokens = new TokenCommands(services, context.globalState, context.secrets, snippets, active);
  const dataRuns = new DataRuns(services, snippets, environments, askEnv);
  services.runForEachRow = (snippet) => dataRuns.runFormForEachRow(snippet);
  const imports = new ImportCommands(services, snippets, context.extensionUri);
  const resultCommands = new ResultCommands(services, panels, history, historyTree, snippets, context.extensionUri);
  panels.connect(resultCommands);
  context.subscriptions.push(
    log,
    profiles,
    secrets,
    clients,
    accounts,
    results,
    panels,
    history,
    historyTree,
    tree,
    runner,
    snippets,
    snippetsTree,
    environments,
    snippetRuns,
    codeLens,
    new SnippetTests(snippets, snippetRuns),
    new SnippetDiagnostics(parseSnippet),
    vscode.languages.registerCodeLensProvider({ pattern: `**/*${SNIPPET_SUFFIX}` }, codeLens),
    vscode.window.registerWebviewPanelSerializer(BUILDER_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel) => BuilderPanel.revive(panel, context.extensionUri, services, snippets),
    }),
    profiles.onDidChange(updateContext),
    ...new ServerCommands(services).register(),
    ...new RequestCommands(services).register(),
    ...new SnippetCommands(services, snippets, snippetsTree, context.extensionUri, environments, snippetRuns).register(),
    ...resultCommands.register(),
    ...fleet.register(),
    ...services.agentTools.register(),
    ...tokens.register(),
    ...dataRuns.register(),
    ...imports.register(),
    active,
  );
  log.write('info', 'extension', `activated with ${profiles.entries().length} server(s)`);
  return exportsFor(context.extensionMode, { ...services, environments, snippetRuns, tokens, active, dataRuns, imports });
}

export function deactivate(): void {
  /* everything is in context.subscriptions */
}
