import * as vscode from 'vscode';
import { closeExpressions, type CheckResult } from '../../core/checks';
import type { RunVariables } from '../../core/environments';
import { judgeSnippet, resolveSnippet, withConfinedUploads, type Judgement } from '../../core/requestRun';
import type { ApiResult } from '../../core/result';
import type { ApiRequest } from '../../core/api/request';
import { envRefs, resolvePlaceholders, snippetRequest, type Snippet } from '../../core/snippets';
import { envRefusal, redactorFor } from '../../core/snippetSandbox';
import type { Services } from '../services';
import type { EnvironmentStore } from '../environments/environmentStore';
import { Disposable } from '../lifecycle';
import { Settings } from '../settings';

/** How one snippet's last run went, for its CodeLens and the Testing view. */
export interface SnippetOutcome {
  uri: vscode.Uri;
  /** Passed its checks (or, without expect, the call succeeded). */
  pass: boolean;
  checks: readonly CheckResult[];
  /** When it was not sent: why (a variable is missing, no such server, declined). */
  notSent?: string;
  /** Not sent because the person said no (Restricted Mode, a destructive call): nothing to report as an error. */
  declined?: boolean;
  result?: ApiResult;
  /** The stored result's id, when a view was opened. */
  resultId?: number;
  /** The result document, when one was opened. */
  resultUri?: vscode.Uri;
  captured: string[];
  ms: number;
}

export type Lookup = (name: string) => Promise<string | undefined> | string | undefined;

/**
 * Sends snippets with the active environment's variables and what earlier snippets captured,
 * judges their `expect` and keeps their `capture`: one snippet from its CodeLens or the Snippets
 * view (captures kept for the window), or a sequence (a folder, a test run: captures carried from
 * one to the next, in file-name order).
 */
export class SnippetRuns extends Disposable {
  private readonly outcomes = new Map<string, SnippetOutcome>();
  private readonly _onDidRun = this._register(new vscode.EventEmitter<SnippetOutcome>());
  readonly onDidRun = this._onDidRun.event;

  constructor(
    private readonly s: Services,
    private readonly envs: EnvironmentStore,
    /** Asks for an ${env:NAME} that VS Code's environment lacks (used once, never stored). */
    private readonly askEnv: (name: string) => Thenable<string | undefined>,
  ) {
    super();
    // The expression worker (started by the first expect or capture) ends with the extension.
    this._register({ dispose: () => void closeExpressions() });
  }

  last(uri: vscode.Uri): SnippetOutcome | undefined {
    return this.outcomes.get(uri.toString());
  }

  /** Sends one snippet and opens its result, checks included. Captures are kept for later sends in this window. */
  async sendOne(uri: vscode.Uri, snippet: Snippet): Promise<SnippetOutcome | undefined> {
    const vars = await this.envs.variables();
    return this.run(uri, snippet, vars, { open: true, keepCaptures: true });
  }

  /**
   * A snippet's request with its placeholders filled (environment values asked for once), for
   * sending it to a group: its own "server" is not used. Undefined when a value was not given.
   */
  async requestFor(uri: vscode.Uri, snippet: Snippet): Promise<{ request: ApiRequest } | { error: string } | undefined> {
    const vars = await this.envs.variables();
    const refused = envRefusal(snippet, vars.environment, { allowed: Settings.allowedEnv(), from: 'vscode' });
    if (refused) return { error: `${vscode.workspace.asRelativePath(uri)}: ${refused}` };
    const values = await this.envValues(snippet);
    if (!values) return undefined;
    try {
      const filled = resolvePlaceholders({ ...snippet, server: 'group' }, (n) => values.get(n), vars);
      const base = workspaceRoot(uri);
      return {
        request: withConfinedUploads(
          filled,
          snippetRequest(filled, (n) => values.get(n), undefined, base),
          base,
        ),
      };
    } catch (e) {
      return {
        error: `${vscode.workspace.asRelativePath(uri)}: ${redactorFor(values.values()).scrubKnown(e instanceof Error ? e.message : String(e))}`,
      };
    }
  }

  /**
   * The ${env:NAME} values of a snippet (checked against the allowed names first): from VS Code's
   * environment, or typed by the person when it lacks one. Undefined when one was not given.
   */
  private async envValues(snippet: Snippet): Promise<Map<string, string> | undefined> {
    const values = new Map<string, string>();
    for (const name of envRefs(snippet)) {
      const v = process.env[name] ?? (await this.askEnv(name));
      if (v === undefined) return undefined;
      values.set(name, v);
    }
    return values;
  }

  /**
   * Runs snippets one after another in file-name order, each seeing what the ones before it
   * captured (starting from the environment alone). Stops early when `token` is cancelled.
   */
  async runSequence(
    files: readonly { uri: vscode.Uri; snippet: Snippet }[],
    hooks: { token?: vscode.CancellationToken; started?: (uri: vscode.Uri) => void; finished?: (o: SnippetOutcome) => void } = {},
  ): Promise<SnippetOutcome[]> {
    const vars = await this.envs.variables(true);
    const out: SnippetOutcome[] = [];
    const sorted = [...files].sort((a, b) => a.uri.path.localeCompare(b.uri.path));
    for (const f of sorted) {
      if (hooks.token?.isCancellationRequested) break;
      hooks.started?.(f.uri);
      const o = await this.run(f.uri, f.snippet, vars, { open: false, keepCaptures: false });
      if (!o) break;
      out.push(o);
      hooks.finished?.(o);
    }
    return out;
  }

  private async run(
    uri: vscode.Uri,
    snippet: Snippet,
    vars: RunVariables,
    opts: { open: boolean; keepCaptures: boolean },
  ): Promise<SnippetOutcome | undefined> {
    const shown = vscode.workspace.asRelativePath(uri);
    // A name the user did not allow is refused before anything is asked for: a prompt for GITHUB_TOKEN invites pasting it.
    const refused = envRefusal(snippet, vars.environment, { allowed: Settings.allowedEnv(), from: 'vscode' });
    if (refused) return this.record({ uri, pass: false, checks: [], notSent: `${shown}: ${refused}`, captured: [], ms: 0 });
    const values = await this.envValues(snippet);
    if (!values) return undefined;
    // Upload paths are relative to the snippet's workspace folder, and must stay in it.
    const resolved = resolveSnippet(snippet, this.s.profiles.profiles(), (n) => values.get(n), vars, workspaceRoot(uri));
    if (!resolved.ok) {
      const why = `${shown}: ${resolved.message}${resolved.message.startsWith('No server') ? ' Add a server with that label, or change "server".' : ''}`;
      return this.record({ uri, pass: false, checks: [], notSent: why, captured: [], ms: 0 });
    }
    let judged: Judgement | undefined;
    const judge = async (r: ApiResult): Promise<readonly CheckResult[] | undefined> => {
      judged = await judgeSnippet(resolved.snippet, r, vars, shown);
      if (opts.keepCaptures) this.envs.remember(judged.values, shown);
      for (const p of judged.captureProblems) this.s.log.write('warn', 'snippets', `${shown}: ${p}`);
      return resolved.snippet.expect ? judged.checks : undefined;
    };
    const spec = { ...resolved.target, secretValues: resolved.secrets, origin: 'snippet' as const, untrustedSource: shown, judge };
    let result: ApiResult | undefined;
    let resultUri: vscode.Uri | undefined;
    let resultId: number | undefined;
    if (opts.open) {
      const sent = await this.s.runner.run(spec);
      result = sent?.result;
      resultUri = sent?.uri;
      resultId = sent?.id;
    } else {
      const called = await this.s.runner.send(spec);
      if (called) {
        result = called.result;
        await judge(result);
      }
    }
    if (!result || !judged)
      return this.record({ uri, pass: false, checks: [], notSent: `${shown} was not sent.`, declined: true, captured: [], ms: 0 });
    // A filled expression may show a value from the environment: the checks are kept scrubbed of them.
    const checks = redactorFor(resolved.secrets).scrubValue(judged.checks);
    const opened = { ...(resultUri ? { resultUri } : {}), ...(resultId !== undefined ? { resultId } : {}) };
    return this.record({ uri, pass: judged.pass, checks, result, ...opened, captured: judged.captured, ms: result.timings.totalMs });
  }

  private record(o: SnippetOutcome): SnippetOutcome {
    this.outcomes.set(o.uri.toString(), o);
    this._onDidRun.fire(o);
    return o;
  }
}

/** The folder a snippet's upload paths are relative to: its workspace folder, or (outside any) its own folder. */
function workspaceRoot(uri: vscode.Uri): string {
  return vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath ?? vscode.Uri.joinPath(uri, '..').fsPath;
}
