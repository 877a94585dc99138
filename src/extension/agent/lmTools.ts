import * as vscode from 'vscode';
import { DEFAULT_MAX_ANSWER_KB, fitAnswer, notSent, type Answer } from '../../core/agent/answer';
import { answerText, fillSecrets, planCall, refusalText, serverList, type Plan } from '../../core/agent/call';
import { describeFunction, searchFunctions } from '../../core/agent/catalogTools';
import { vscodePolicy } from '../../core/agent/guard';
import { checkDescribe, checkSearch } from '../../core/agent/input';
import { TOOL_NAMES, type ToolName } from '../../core/agent/tools';
import { Catalog } from '../../core/catalog';
import { CONFIG } from '../constants';
import { describePreview } from '../requests/requestRunner';
import type { Services } from '../services';

/**
 * The agent tools in VS Code (Copilot's agent mode, #cpanelCall in chat): thin adapters over
 * src/core/agent. A read runs with VS Code's own tool approval; a change is confirmed in
 * prepareInvocation with the exact request; a destructive call is refused unless the user setting
 * cpanel.agent.allowDestructive is on, and then confirmed there and again, every time, by the request
 * runner's modal (VS Code lets a person auto-approve a tool; that modal cannot be). A secret parameter
 * is typed by the person in a password box. Every call goes through the RequestRunner's pipeline with
 * origin "agent", so History records it and refused credentials and cPHulk rules hold.
 */

/** User (application) settings only: a workspace cannot turn destructive calls on, nor widen the budget. */
function userSetting<T>(key: string): T | undefined {
  return vscode.workspace.getConfiguration(CONFIG).inspect<T>(key)?.globalValue;
}

export function allowDestructive(): boolean {
  return userSetting<boolean>('agent.allowDestructive') === true;
}

/** The answer budget in characters: the chat's token budget when it gives one (about 3 characters a token), else the setting. */
export function budgetChars(tokenization?: vscode.LanguageModelToolTokenizationOptions): number {
  const kb = userSetting<number>('agent.maxAnswerKB');
  const setting = (typeof kb === 'number' && Number.isFinite(kb) ? Math.min(1024, Math.max(1, kb)) : DEFAULT_MAX_ANSWER_KB) * 1024;
  const budget = tokenization?.tokenBudget;
  return typeof budget === 'number' && budget > 0 ? Math.max(1024, Math.min(setting, Math.floor(budget * 3))) : setting;
}

const text = (t: string): vscode.LanguageModelToolResult => new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(t)]);

/** Asks the person for a secret parameter's value; replaced only by tests. */
export type SecretAsker = (name: string, what: string) => Thenable<string | undefined>;

const passwordBox: SecretAsker = (name, what) =>
  vscode.window.showInputBox({
    title: `${name} for ${what}`,
    prompt: `An agent asked to send ${what}. Type the value of "${name}": it goes to the server only, never to the model, the log or History.`,
    password: true,
    ignoreFocusOut: true,
  });

export class AgentTools {
  askSecret: SecretAsker = passwordBox;
  private catalog: Catalog | undefined;

  constructor(private readonly services: Pick<Services, 'profiles' | 'clients' | 'runner'>) {}

  private cat(): Catalog {
    return (this.catalog ??= Catalog.load());
  }

  private plan(input: unknown): Plan {
    return planCall(input, this.services.profiles.profiles(), this.cat(), vscodePolicy(allowDestructive()));
  }

  /** The tool objects, by name: what registerTool gets (and tests call directly). */
  readonly tools: { [N in ToolName]: vscode.LanguageModelTool<unknown> } = {
    cpanel_list_servers: {
      invoke: () => {
        const servers = serverList(this.services.profiles.profiles(), (p) => this.services.clients.state(p.id));
        return text(JSON.stringify({ servers, destructive: allowDestructive() }));
      },
    },
    cpanel_search_functions: {
      invoke: (options) => {
        const input = checkSearch(options.input);
        if (!input.ok) return text(JSON.stringify(notSent('invalid_input', input.message)));
        const data = searchFunctions(this.cat(), input.value);
        return text(fitAnswer({ ok: true, kind: 'ok', errors: [], data }, budgetChars(options.tokenizationOptions)).text);
      },
    },
    cpanel_describe_function: {
      invoke: (options) => {
        const input = checkDescribe(options.input);
        const facts = input.ok ? describeFunction(this.cat(), input.value) : input;
        if (!facts.ok) return text(JSON.stringify(notSent('invalid_input', facts.message)));
        return text(fitAnswer({ ok: true, kind: 'ok', errors: [], data: facts.value }, budgetChars(options.tokenizationOptions)).text);
      },
    },
    cpanel_call: {
      prepareInvocation: (options) => this.prepareCall(options.input),
      invoke: (options, token) => this.invokeCall(options, token),
    },
  };

  /** What VS Code shows before the call: its progress line, and for a change the exact request to confirm. */
  prepareCall(input: unknown): vscode.PreparedToolInvocation {
    const plan = this.plan(input);
    if (!plan.ok) return { invocationMessage: 'Checking a cPanel call' };
    const { preview, decision } = plan;
    if (decision.action === 'refuse') return { invocationMessage: `Not sending ${preview.what}` };
    if (decision.action === 'run') return { invocationMessage: `Calling ${preview.what}` };
    const destructive = preview.effect === 'destructive';
    const md = new vscode.MarkdownString();
    const label = plan.profile.label;
    md.appendText(
      destructive
        ? `${preview.what} removes, suspends, revokes, resets or changes a password.\n\n`
        : `${preview.what} changes something on the server.\n\n`,
    );
    md.appendCodeblock(describePreview(preview), 'http');
    const asked = plan.secretNames.length ? `. You will be asked for ${plan.secretNames.join(', ')}: the agent never sees it.` : '';
    md.appendText(`Server: ${label}${asked}`);
    const title = destructive ? `Send a destructive call to ${label}?` : `Send a change to ${label}?`;
    return { invocationMessage: `Calling ${preview.what}`, confirmationMessages: { title, message: md } };
  }

  private async invokeCall(
    options: vscode.LanguageModelToolInvocationOptions<unknown>,
    token: vscode.CancellationToken,
  ): Promise<vscode.LanguageModelToolResult> {
    const budget = budgetChars(options.tokenizationOptions);
    const refuse = (a: Answer): vscode.LanguageModelToolResult => text(refusalText(a, budget).text);
    const plan = this.plan(options.input);
    if (!plan.ok) return refuse(plan.answer);
    if (plan.decision.action === 'refuse') return refuse(notSent('refused', plan.decision.message));
    // Secret parameters: typed by the person, whatever the model wrote (never used, never echoed).
    const values = new Map<string, string>();
    for (const name of plan.secretNames) {
      if (token.isCancellationRequested) return refuse(notSent('declined', 'Cancelled: nothing was sent.'));
      const v = await this.askSecret(name, plan.preview.what);
      if (!v) return refuse(notSent('declined', `The user did not give the value of "${name}": nothing was sent.`));
      values.set(name, v);
    }
    const request = fillSecrets(plan.request, plan.secretNames, (name) => values.get(name)!);
    const ac = new AbortController();
    const sub = token.onCancellationRequested(() => ac.abort());
    try {
      if (token.isCancellationRequested) ac.abort();
      const sent = await this.services.runner.send(
        { profile: plan.profile, request, origin: 'agent', ...(values.size ? { secretValues: [...values.values()] } : {}) },
        `${plan.preview.what}…`,
        { progress: false, signal: ac.signal },
      );
      if (!sent) return refuse(notSent('declined', `${plan.preview.what} was not sent: the user declined it.`));
      return text((await answerText(sent.result, plan.input, budget)).text);
    } finally {
      sub.dispose();
    }
  }

  /** Registers the tools where the editor has the language model API (code-server and VS Code do; some hosts do not). */
  register(): vscode.Disposable[] {
    if (typeof vscode.lm?.registerTool !== 'function') return [];
    return TOOL_NAMES.map((name) => vscode.lm.registerTool(name, this.tools[name]));
  }
}
