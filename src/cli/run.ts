import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ENVIRONMENTS_FILE, parseEnvironments, RunVariables, secretVariableEnvName, type Environment } from '../core/environments';
import { judgeSnippet, resolveSnippet } from '../core/requestRun';
import { parseSnippet, SNIPPET_SUFFIX, type Snippet } from '../core/snippets';
import { ALLOWED_ENV_PATTERN, EnvReader, envRefusal, redactorFor, type EnvPolicy } from '../core/snippetSandbox';
import { neutralize } from '../core/terminalText';
import { parseOptions, parseTimeout, UsageError } from './args';
import { runDataRows } from './dataRun';
import { cliSending } from './pipeline';
import { chooseServers, readServersFile } from './servers';
import { reasons, report, REPORTERS, type Reporter, type RunOutcome } from './reporters';

export type { RunOutcome } from './reporters';

/** Snippet files named directly, and every *.cpanel.json below named folders, in a stable order. */
export function collectSnippetFiles(paths: string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.name === 'node_modules' || e.name.startsWith('.git')) continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(SNIPPET_SUFFIX)) out.push(p);
    }
  };
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new UsageError(`"${p}" does not exist.`);
    }
    if (st.isDirectory()) walk(p);
    else out.push(p);
  }
  return out;
}

export async function runSnippets(
  argv: string[],
  io: { out: (s: string) => void; err: (s: string) => void; env: NodeJS.ProcessEnv; signal?: AbortSignal; cwd?: string },
): Promise<number> {
  // One snippet for each row of a data file: its own options (see dataRun.ts).
  if (argv.some((a) => a === '--data' || a.startsWith('--data='))) return runDataRows(argv, io);
  const { values, positionals } = parseOptions(argv, {
    servers: { type: 'string' },
    json: { type: 'boolean' },
    timeout: { type: 'string' },
    'allow-destructive': { type: 'boolean' },
    env: { type: 'string' },
    environments: { type: 'string' },
    reporter: { type: 'string' },
    output: { type: 'string' },
    group: { type: 'string', multiple: true },
    'allow-env': { type: 'string', multiple: true },
    workspace: { type: 'string' },
  });
  const v = values as {
    servers?: string;
    json?: boolean;
    timeout?: string;
    'allow-destructive'?: boolean;
    env?: string;
    environments?: string;
    reporter?: string;
    output?: string;
    group?: string[];
    'allow-env'?: string[];
    workspace?: string;
  };
  if (!positionals.length)
    throw new UsageError('Name at least one snippet file or folder: cpapi run FILE|FOLDER... --servers SERVERS.json');
  if (!v.servers) throw new UsageError('--servers SERVERS.json is required: it names each server (host, service, auth) by its label.');
  if (v.json && v.reporter) throw new UsageError('Use either --json or --reporter, not both (--json is --reporter json).');
  if (v.reporter !== undefined && !(REPORTERS as readonly string[]).includes(v.reporter))
    throw new UsageError(`--reporter must be one of ${REPORTERS.join(', ')}, not "${v.reporter}".`);
  const reporter: Reporter | undefined = v.json ? 'json' : (v.reporter as Reporter | undefined);
  if (v.output !== undefined && !reporter)
    throw new UsageError('--output names the file for a report: give --reporter junit, tap or json too.');
  const timeoutMs = parseTimeout(v.timeout);
  const policy: EnvPolicy = { allowed: allowedEnv(v['allow-env'] ?? []), from: 'cli' };
  if (v.workspace !== undefined && !isFolder(v.workspace)) throw new UsageError(`--workspace ${v.workspace} is not a folder.`);
  const profiles = readServersFile(v.servers);
  const cwd = io.cwd ?? process.cwd();
  const environment = chooseEnvironment(v.env, v.environments, cwd);
  const files = collectSnippetFiles(positionals);
  if (!files.length) throw new UsageError(`No *${SNIPPET_SUFFIX} files in ${positionals.join(', ')}.`);
  // With --group, every snippet runs on every server of those groups, in place of its own server.
  const groupServers = v.group?.length ? chooseServers(profiles, v.group, [], v.servers) : undefined;
  // A snippet (or the environment) that would read a variable the user did not allow stops the run before anything is sent.
  for (const file of files) {
    let parsed;
    try {
      parsed = parseSnippet(readFileSync(file, 'utf8'));
    } catch {
      continue;
    }
    const refusal = parsed.ok ? envRefusal(parsed.snippet, environment, policy) : undefined;
    if (refusal) throw new UsageError(`${relative(cwd, file) || file}: ${refusal}`);
  }

  // Every snippet of the run through one pipeline; a destructive one only with --allow-destructive.
  // One pool for the run: a credential the server refused is not sent again by the snippets after it (cPHulk counts every failed login).
  const sending = cliSending({ env: io.env, timeoutMs, allow: (q) => q.reason !== 'destructive' || v['allow-destructive'] === true });
  const outcomes: RunOutcome[] = [];
  // Values captured by a snippet are seen by the ones after it, in this run only.
  // Every value read from the environment is kept, taught to the clients' redactors and scrubbed from what is printed.
  const envReader = new EnvReader((n) => io.env[n], policy);
  const vars = new RunVariables(environment, envReader.get, (e, name) => envReader.keep(io.env[secretVariableEnvName(e, name)]));
  // The human lines go to stdout unless the report does.
  const lines = !reporter || v.output !== undefined;
  const startedAt = new Date();
  try {
    const runs: { file: string; server?: string }[] = files.flatMap((file) =>
      groupServers ? groupServers.map((p) => ({ file, server: p.label })) : [{ file }],
    );
    for (const { file, server } of runs) {
      const shown = relative(cwd, file) || file;
      const done = await runOne(file, shown, server);
      // After the run: it may have read more values than there were before it.
      const outcome = redactorFor(envReader.values).scrubValue(done);
      outcomes.push(outcome);
      if (lines) {
        const what = outcome.function ? `${outcome.function}${outcome.server ? ` on ${outcome.server}` : ''}` : '';
        const checks = outcome.checks.length ? `  ${outcome.checks.filter((c) => c.pass).length}/${outcome.checks.length} checks` : '';
        io.out(
          `${outcome.ok ? 'ok  ' : 'FAIL'}  ${outcome.kind.padEnd(13)} ${String(outcome.ms).padStart(6)} ms  ${shown}${what ? `  (${what})` : ''}${checks}${reasons(
            outcome,
          )
            .map((r) => `\n      ${r}`)
            .join('')}\n`,
        );
      }
    }
  } finally {
    await sending.close();
  }
  const failed = outcomes.filter((o) => !o.ok).length;
  if (reporter) {
    const text = report(reporter, outcomes, startedAt);
    if (v.output !== undefined) {
      try {
        // A report file is read in terminals and CI logs too: neutralized as stdout is (JSON stays equal in value).
        writeFileSync(v.output, neutralize(text));
      } catch (e) {
        throw new UsageError(
          `The report cannot be written to "${v.output}" (${e instanceof Error ? e.message.split('\n')[0] : String(e)}).`,
        );
      }
    } else io.out(text);
  }
  if (lines) io.out(`${outcomes.length - failed} passed, ${failed} failed\n`);
  return failed ? 1 : 0;

  async function runOne(file: string, shown: string, server?: string): Promise<RunOutcome> {
    const fail = (kind: string, hint: string, extra: Partial<RunOutcome> = {}): RunOutcome => ({
      file: shown,
      ok: false,
      kind,
      status: 0,
      ms: 0,
      errors: [hint],
      hint,
      checks: [],
      captured: [],
      notSent: true,
      ...extra,
    });
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return fail('config_error', `${shown} cannot be read.`);
    }
    const parsed = parseSnippet(text);
    if (!parsed.ok)
      return fail(
        'malformed_snippet',
        `${shown}: ${parsed.problems
          .filter((p) => p.severity === 'error')
          .map((p) => p.message)
          .join(' ')}`,
      );
    const s: Snippet = server ? { ...parsed.snippet, server } : parsed.snippet;
    let base = { server: s.server, function: `${s.family} ${s.function}${s.account ? ` as ${s.account}` : ''}` };
    // Upload paths are relative to the snippet's workspace, not to the current folder.
    const resolved = resolveSnippet(s, profiles, envReader.get, vars, snippetRoot(file, v.workspace));
    if (!resolved.ok)
      return fail(
        'config_error',
        `${shown}: ${resolved.message}${resolved.message.startsWith('No server') ? ' Add it to the servers file.' : ''}`,
        base,
      );
    base = {
      server: resolved.target.profile.label,
      function: `${s.family} ${resolved.target.request.family === 'whm' ? resolved.target.request.function : `${resolved.target.request.module}/${resolved.target.request.function}`}${resolved.target.request.asUser ? ` as ${resolved.target.request.asUser}` : ''}`,
    };
    const { profile } = resolved.target;
    try {
      sending.secrets(profile);
    } catch (e) {
      return fail('config_error', e instanceof Error ? e.message : String(e), base);
    }
    const secretValues = [...resolved.secrets, ...envReader.values];
    const run = await sending.pipeline.send({
      ...resolved.target,
      origin: 'cli',
      ...(secretValues.length ? { secretValues } : {}),
      ...(io.signal ? { signal: io.signal } : {}),
    });
    if (!run.sent) {
      const why =
        run.reason === 'declined'
          ? `${s.function} removes, suspends, revokes or resets something: run it only with --allow-destructive.`
          : run.message;
      return fail('config_error', why, base);
    }
    const r = run.result;
    // Checks and captures as filled in: ${name} may appear in their expressions too.
    const judged = await judgeSnippet(resolved.snippet, r, vars, shown);
    const errors = [...r.errors, ...judged.captureProblems];
    return {
      file: shown,
      ...base,
      ok: judged.pass,
      kind: r.kind,
      status: r.status,
      ms: r.timings.totalMs,
      errors,
      ...(r.hint ? { hint: r.hint } : {}),
      checks: judged.checks,
      captured: judged.captured,
      ...(r.refused ? { notSent: true } : {}),
    };
  }
}

/** --allow-env NAME (repeatable): a name, or a prefix ending in "*"; a bare "*" would let a snippet read every variable. */
export function allowedEnv(names: string[]): string[] {
  for (const n of names) {
    if (!ALLOWED_ENV_PATTERN.test(n)) {
      throw new UsageError(
        `--allow-env ${n}: give an environment variable name (letters, digits, _), or a prefix ending in * such as MYAPP_*.`,
      );
    }
  }
  return names;
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The workspace of a snippet file, which its upload paths are relative to and must stay in:
 * --workspace DIR if given, else the nearest folder above the file that has .vscode or .git, else the
 * file's own folder.
 */
export function snippetRoot(file: string, workspace?: string): string {
  if (workspace !== undefined) return resolve(workspace);
  const own = dirname(resolve(file));
  for (let dir = own; ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.vscode')) || existsSync(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) return own;
  }
}

/** The environment named by --env, from --environments FILE or .vscode/cpanel/environments.json under the current folder. */
export function chooseEnvironment(name: string | undefined, file: string | undefined, cwd: string): Environment | undefined {
  if (name === undefined) {
    if (file !== undefined) throw new UsageError('--environments names the file; choose one of its environments with --env NAME.');
    return undefined;
  }
  const path = resolve(cwd, file ?? ENVIRONMENTS_FILE);
  if (!existsSync(path))
    throw new UsageError(
      `--env ${name}: there is no environments file at ${file ?? ENVIRONMENTS_FILE}; name one with --environments FILE.`,
    );
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`The environments file ${file ?? ENVIRONMENTS_FILE} cannot be read.`);
  }
  const parsed = parseEnvironments(text);
  if (!parsed.ok) throw new UsageError(`${file ?? ENVIRONMENTS_FILE}: ${parsed.problems.join(' ')}`);
  const env = parsed.environments.find((e) => e.name === name);
  if (!env)
    throw new UsageError(
      `--env ${name}: ${file ?? ENVIRONMENTS_FILE} has ${parsed.environments.length ? `the environments ${parsed.environments.map((e) => e.name).join(', ')}` : 'no environment'}.`,
    );
  return env;
}
