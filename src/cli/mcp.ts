import type { Readable, Writable } from 'node:stream';
import { Catalog } from '../core/catalog';
import { ClientPool } from '../core/clientFactory';
import { proxyFromEnv } from '../core/http';
import { RequestPipeline } from '../core/pipeline';
import type { ServerProfile } from '../core/servers';
import { ALLOWED_ENV_PATTERN } from '../core/snippetSandbox';
import { DEFAULT_MAX_ANSWER_KB, fitAnswer, notSent } from '../core/agent/answer';
import { answerText, planCall, refusalText, secretsFromEnvRefs, serverList } from '../core/agent/call';
import { describeFunction, searchFunctions } from '../core/agent/catalogTools';
import { mcpPolicy } from '../core/agent/guard';
import { checkDescribe, checkSearch } from '../core/agent/input';
import { toolDescription, TOOL_TITLES } from '../core/agent/tools';
import { parseOptions, secretsFromEnv, UsageError } from './args';
import type { Io } from './io';
import type * as Sdk from './mcpSdk';
import { chooseServers, readServersFile } from './servers';

/**
 * `cpapi mcp --servers SERVERS.json [--group G]… [--allow-changes] [--allow-destructive]
 * [--max-answer-kb N] [--allow-env NAME]…`: the four agent tools as an MCP server over stdio. stdout
 * is the protocol: everything else goes to stderr. Every call goes through the RequestPipeline.
 */

interface ToolResult {
  [key: string]: unknown;
  content: { type: 'text'; text: string }[];
  isError?: boolean;
}

const result = (text: string, isError = false): ToolResult => ({
  content: [{ type: 'text', text }],
  ...(isError ? { isError: true } : {}),
});

export interface McpIo extends Io {
  stdin?: Readable;
  stdout?: Writable;
}

export async function runMcp(argv: string[], io: McpIo): Promise<number> {
  const { values, positionals } = parseOptions(argv, {
    servers: { type: 'string' },
    group: { type: 'string', multiple: true },
    'allow-changes': { type: 'boolean' },
    'allow-destructive': { type: 'boolean' },
    'max-answer-kb': { type: 'string' },
    'allow-env': { type: 'string', multiple: true },
  });
  const v = values as {
    servers?: string;
    group?: string[];
    'allow-changes'?: boolean;
    'allow-destructive'?: boolean;
    'max-answer-kb'?: string;
    'allow-env'?: string[];
  };
  if (positionals.length) throw new UsageError(`cpapi mcp takes no arguments besides its options, not "${positionals[0]}".`);
  if (!v.servers) throw new UsageError('--servers SERVERS.json is required: it names each server (host, service, auth) by its label.');
  if (v['allow-destructive'] && !v['allow-changes'])
    throw new UsageError('--allow-destructive goes with --allow-changes: a destructive call is a change too.');
  const kb = v['max-answer-kb'] === undefined ? DEFAULT_MAX_ANSWER_KB : Number(v['max-answer-kb']);
  if (!/^\d+$/.test(v['max-answer-kb'] ?? '16') || kb < 1 || kb > 1024) {
    throw new UsageError(`--max-answer-kb must be a number of KB from 1 to 1024, not "${v['max-answer-kb']}".`);
  }
  const allowed = v['allow-env'] ?? [];
  for (const n of allowed) {
    if (!ALLOWED_ENV_PATTERN.test(n)) {
      throw new UsageError(
        `--allow-env ${n}: give an environment variable name (letters, digits, _), or a prefix ending in * such as MYAPP_*.`,
      );
    }
  }
  const profiles = chooseServers(readServersFile(v.servers), v.group ?? [], [], v.servers);
  const maxChars = kb * 1024;
  const policy = mcpPolicy(v['allow-changes'] === true, v['allow-destructive'] === true);

  const missing = (p: ServerProfile): string | undefined => {
    try {
      secretsFromEnv(p, io.env, p.label);
      return undefined;
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  };
  const pool = new ClientPool(
    (p) => secretsFromEnv(p, io.env, p.label),
    (p) => {
      const proxy = proxyFromEnv(io.env, p.secure);
      return proxy ? { proxy } : {};
    },
  );
  // Destructive calls were allowed when the server was started (or refused before this is asked).
  const pipeline = new RequestPipeline({
    client: (p) => pool.get(p),
    confirm: async (q) => q.reason === 'destructive' && policy.destructive === 'run',
  });
  let catalog: Catalog | undefined;
  const cat = (): Catalog => (catalog ??= Catalog.load());

  /* eslint-disable-next-line @typescript-eslint/no-require-imports */
  const { McpServer, StdioServerTransport, z } = require('./mcpSdk') as typeof Sdk;
  const instructions = 'cPanel & WHM APIs: list the servers, find a function in the catalog, read its facts, call it.';
  const server = new McpServer({ name: 'cpapi', version: '0.1.0' }, { instructions });
  const api = z
    .enum(['uapi', 'whm', 'api2'])
    .describe('uapi (UAPI, Module/function), whm (WHM API 1) or api2 (cPanel API 2, Module/function).');
  const fn = z.string().describe('Module/function for uapi and api2 (Email/list_pops), the name for whm (listaccts).');
  const scalar = z.union([z.string(), z.number(), z.boolean()]);
  const guarded = async (what: string, f: () => Promise<ToolResult>): Promise<ToolResult> => {
    try {
      return await f();
    } catch (e) {
      // Never a stack trace: the sentence, for the model and the log.
      const message = e instanceof Error ? e.message : String(e);
      io.err(`cpapi mcp: ${what}: ${message}\n`);
      return result(JSON.stringify(notSent('config_error', message)), true);
    }
  };

  server.registerTool(
    'cpanel_list_servers',
    {
      title: TOOL_TITLES.cpanel_list_servers,
      description: toolDescription('cpanel_list_servers', 'mcp'),
      annotations: { readOnlyHint: true },
    },
    async () =>
      guarded('cpanel_list_servers', async () => {
        const list = serverList(profiles, (p) => {
          const m = missing(p);
          return m ? `missing credentials: ${m}` : pool.get(p).state;
        });
        return result(JSON.stringify({ servers: list, changes: policy.changes === 'run', destructive: policy.destructive === 'run' }));
      }),
  );
  server.registerTool(
    'cpanel_search_functions',
    {
      title: TOOL_TITLES.cpanel_search_functions,
      description: toolDescription('cpanel_search_functions', 'mcp'),
      inputSchema: {
        query: z.string().describe('Words of the function name or title.'),
        api: api.optional(),
        limit: z.number().int().min(1).max(50).optional(),
      },
      annotations: { readOnlyHint: true },
    },
    async (args) =>
      guarded('cpanel_search_functions', async () => {
        const input = checkSearch(args);
        if (!input.ok) return result(JSON.stringify(notSent('invalid_input', input.message)), true);
        return result(fitAnswer({ ok: true, kind: 'ok', errors: [], data: searchFunctions(cat(), input.value) }, maxChars).text);
      }),
  );
  server.registerTool(
    'cpanel_describe_function',
    {
      title: TOOL_TITLES.cpanel_describe_function,
      description: toolDescription('cpanel_describe_function', 'mcp'),
      inputSchema: { api, function: fn },
      annotations: { readOnlyHint: true },
    },
    async (args) =>
      guarded('cpanel_describe_function', async () => {
        const input = checkDescribe(args);
        if (!input.ok) return result(JSON.stringify(notSent('invalid_input', input.message)), true);
        const facts = describeFunction(cat(), input.value);
        if (!facts.ok) return result(JSON.stringify(notSent('invalid_input', facts.message)), true);
        return result(fitAnswer({ ok: true, kind: 'ok', errors: [], data: facts.value }, maxChars).text);
      }),
  );
  server.registerTool(
    'cpanel_call',
    {
      title: TOOL_TITLES.cpanel_call,
      description: toolDescription('cpanel_call', 'mcp'),
      inputSchema: {
        server: z.string().describe('The label of a server, as cpanel_list_servers gives it.'),
        api,
        function: fn,
        params: z
          .record(z.string(), z.union([scalar, z.array(scalar)]))
          .optional()
          .describe('Parameters by name: a string, number, boolean (1/0) or a list (the name repeated).'),
        account: z.string().optional().describe('On a WHM server: the cPanel account to call uapi or api2 on behalf of.'),
        query: z.string().optional().describe('A JMESPath expression applied to the answer before you get it, e.g. "data[].email".'),
      },
      annotations: { readOnlyHint: false, destructiveHint: policy.destructive === 'run', openWorldHint: true },
    },
    async (args, extra) =>
      guarded('cpanel_call', async () => {
        const plan = planCall(args, profiles, cat(), policy);
        if (!plan.ok) return result(refusalText(plan.answer, maxChars).text, true);
        if (plan.decision.action === 'refuse') return result(refusalText(notSent('refused', plan.decision.message), maxChars).text, true);
        const need = missing(plan.profile);
        if (need)
          return result(refusalText(notSent('config_error', `${plan.profile.label}: ${need} Nothing was sent.`), maxChars).text, true);
        const filled = secretsFromEnvRefs(plan.request, plan.secretNames, io.env, allowed);
        if (!filled.ok) return result(refusalText(notSent('refused', filled.message), maxChars).text, true);
        const secretValues = filled.values.length ? { secretValues: filled.values } : {};
        const o = await pipeline.send({
          profile: plan.profile,
          request: filled.request,
          origin: 'agent',
          signal: extra.signal,
          ...secretValues,
        });
        if (!o.sent)
          return result(refusalText(notSent(o.reason === 'declined' ? 'refused' : 'invalid_input', o.message), maxChars).text, true);
        const log = o.result.ok ? '' : ` ${o.result.kind}`;
        io.err(`cpapi mcp: ${o.preview.what}: HTTP ${o.result.status}${log} (${o.result.timings.totalMs} ms)\n`);
        const out = await answerText(o.result, plan.input, maxChars);
        return result(out.text, out.isError);
      }),
  );

  const transport = new StdioServerTransport(io.stdin, io.stdout);
  const closed = new Promise<void>((done) => {
    transport.onclose = () => done();
    (io.stdin ?? process.stdin).once('end', () => done());
    io.signal?.addEventListener('abort', () => done(), { once: true });
  });
  await server.connect(transport);
  const mode = policy.changes === 'run' ? `changes allowed${policy.destructive === 'run' ? ', destructive calls too' : ''}` : 'read-only';
  io.err(`cpapi mcp: serving ${profiles.length} server${profiles.length === 1 ? '' : 's'} (${mode})\n`);
  await closed;
  await server.close().catch(() => undefined);
  await pool.close();
  return 0;
}
