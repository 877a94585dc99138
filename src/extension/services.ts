import type { ApiRequest } from '../core/api/request';
import type { Snippet } from '../core/snippets';
import type { AgentTools } from './agent/lmTools';
import type { HistoryStore } from './history/history';
import type { Log } from './log';
import type { RequestRunner } from './requests/requestRunner';
import type { ResultPanels } from './results/resultPanels';
import type { ResultDocuments } from './results/results';
import type { AccountsModel } from './servers/accountsModel';
import type { ClientRegistry } from './servers/clients';
import type { ProfileStore } from './servers/profileStore';
import type { SecretStore } from './servers/secretStore';
import type { ServersTree } from './servers/serversTree';

export type { Sent } from './requests/requestRunner';

/** What activate() builds; handed to tests (only) through the extension's exports in test mode. */
export interface Services {
  profiles: ProfileStore;
  secrets: SecretStore;
  clients: ClientRegistry;
  results: ResultDocuments;
  panels: ResultPanels;
  history: HistoryStore;
  tree: ServersTree;
  log: Log;
  accounts: AccountsModel;
  runner: RequestRunner;
  /** The server in the status bar, offered first by Send Request…. */
  activeServerId?: () => string | undefined;
  /** Sends a request to a group the person picks (the builder's and a snippet's Send to Group…). */
  sendToGroup?: (request: ApiRequest, untrustedSource?: string) => Promise<unknown>;
  /** Runs a request (the builder's form, as a snippet) once for each row of a file the person picks. */
  runForEachRow?: (snippet: Snippet) => Promise<unknown>;
  /** The language model tools (cpanel_list_servers, cpanel_call…), registered with vscode.lm. */
  agentTools?: AgentTools;
}
