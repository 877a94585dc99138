/** Every id the extension contributes, in one place. */
export const VIEW_SERVERS = 'cpanel.servers';
export const VIEW_SNIPPETS = 'cpanel.snippets';
export const RESULT_SCHEME = 'cpanel-result';
export const CONFIG = 'cpanel';
export const SETTING_SERVERS = 'servers';
export const CONTEXT_SERVER_COUNT = 'cpanel.serverCount';

export const Commands = {
  serverAdd: 'cpanel.server.add',
  serverEdit: 'cpanel.server.edit',
  serverRemove: 'cpanel.server.remove',
  serverSetSecrets: 'cpanel.server.setSecrets',
  serverTest: 'cpanel.server.test',
  serverSignOut: 'cpanel.server.signOut',
  serverShowTotp: 'cpanel.server.showTotp',
  serverOpenInBrowser: 'cpanel.server.openInBrowser',
  accountOpenWebmail: 'cpanel.account.openWebmail',
  serversRefresh: 'cpanel.servers.refresh',
  functionFind: 'cpanel.function.find',
  functionSend: 'cpanel.function.send',
  functionCopyName: 'cpanel.function.copyName',
  functionOpenDocs: 'cpanel.function.openDocs',
  requestSend: 'cpanel.request.send',
  requestRerun: 'cpanel.request.rerun',
  resultShowRaw: 'cpanel.result.showRaw',
  resultCopyCell: 'cpanel.result.copyCell',
  resultCopyRow: 'cpanel.result.copyRow',
  resultCopyColumn: 'cpanel.result.copyColumn',
  resultCompare: 'cpanel.result.compare',
  historyOpen: 'cpanel.history.open',
  historyResend: 'cpanel.history.resend',
  historyOpenInBuilder: 'cpanel.history.openInBuilder',
  historySaveSnippet: 'cpanel.history.saveSnippet',
  historyCompare: 'cpanel.history.compare',
  historyDelete: 'cpanel.history.delete',
  historyClear: 'cpanel.history.clear',
  logShow: 'cpanel.log.show',
  builderOpen: 'cpanel.builder.open',
  functionOpenInBuilder: 'cpanel.function.openInBuilder',
  snippetSend: 'cpanel.snippet.send',
  snippetOpenInBuilder: 'cpanel.snippet.openInBuilder',
  snippetRename: 'cpanel.snippet.rename',
  snippetDelete: 'cpanel.snippet.delete',
  snippetsRefresh: 'cpanel.snippets.refresh',
  snippetsRunFolder: 'cpanel.snippets.runFolder',
  environmentSelect: 'cpanel.environment.select',
  environmentSetSecret: 'cpanel.environment.setSecret',
  environmentClearCaptured: 'cpanel.environment.clearCaptured',
} as const;
