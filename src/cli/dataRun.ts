import { closeSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { relative } from 'node:path';
import { secretVariableEnvName, RunVariables } from '../core/environments';
import {
  missingColumns,
  missingColumnsMessage,
  notSentOutcome,
  planRows,
  readResults,
  resultsLine,
  rowLabel,
  rowOutcome,
  rowsToResend,
  runBounded,
  runEffect,
  secretCells,
  withRow,
  DEFAULT_DATA_CONCURRENCY,
  MAX_DATA_CONCURRENCY,
  type PreviousResults,
  type RowOutcome,
  type RowPlan,
} from '../core/data/rows';
import { DataFileError, parseDataTable, type DataTable } from '../core/data/table';
import { resolveSnippet } from '../core/requestRun';
import { parseSnippet } from '../core/snippets';
import { EnvReader, envRefusal, redactorFor, type EnvPolicy } from '../core/snippetSandbox';
import { neutralize } from '../core/terminalText';
import { parseOptions, parseTimeout, UsageError } from './args';
import { cliSending } from './pipeline';
import { readServersFile } from './servers';
import { allowedEnv, chooseEnvironment, snippetRoot } from './run';
import { monotonicMs } from '../core/monotonic';

/** Largest data file read: 64 MiB. */
const MAX_DATA_BYTES = 64 * 1024 * 1024;

/**
 * `cpapi run SNIPPET --data FILE`: the snippet once per row of FILE, ${row.COLUMN} filled from the row,
 * through the one pipeline of the command (one pool: a refused credential is not sent again by the
 * rows after it). Everything that can be checked is checked before anything is sent: the columns the
 * snippet names, every row's request, the secrets, the number of rows of a destructive run.
 */
export async function runDataRows(
  argv: string[],
  io: { out: (s: string) => void; err: (s: string) => void; env: NodeJS.ProcessEnv; signal?: AbortSignal; cwd?: string },
): Promise<number> {
  const { values, positionals } = parseOptions(argv, {
    data: { type: 'string' },
    servers: { type: 'string' },
    concurrency: { type: 'string' },
    results: { type: 'string' },
    'results-data': { type: 'boolean' },
    resume: { type: 'string' },
    'dry-run': { type: 'boolean' },
    'allow-destructive': { type: 'string' },
    timeout: { type: 'string' },
    env: { type: 'string' },
    environments: { type: 'string' },
    'allow-env': { type: 'string', multiple: true },
    workspace: { type: 'string' },
  });
  const v = values as {
    data?: string;
    servers?: string;
    concurrency?: string;
    results?: string;
    'results-data'?: boolean;
    resume?: string;
    'dry-run'?: boolean;
    'allow-destructive'?: string;
    timeout?: string;
    env?: string;
    environments?: string;
    'allow-env'?: string[];
    workspace?: string;
  };
  const cwd = io.cwd ?? process.cwd();
  if (positionals.length !== 1)
    throw new UsageError('A data run takes one snippet file: cpapi run SNIPPET --data FILE --servers SERVERS.json.');
  if (!v.data) throw new UsageError('--data FILE names the CSV, JSON or JSON Lines file whose rows the snippet runs for.');
  if (!v.servers) throw new UsageError('--servers SERVERS.json is required: it names each server (host, service, auth) by its label.');
  const concurrency =
    v.concurrency === undefined ? DEFAULT_DATA_CONCURRENCY : /^\d+$/.test(v.concurrency) ? Number(v.concurrency) : Number.NaN;
  if (!(concurrency >= 1 && concurrency <= MAX_DATA_CONCURRENCY))
    throw new UsageError(`--concurrency must be a number from 1 to ${MAX_DATA_CONCURRENCY}, not "${v.concurrency}".`);
  if (v['results-data'] && v.results === undefined)
    throw new UsageError("--results-data adds each answer's data to the results file: give --results OUT.jsonl too.");
  if (v['dry-run'] && v.results !== undefined) throw new UsageError('--dry-run sends nothing and writes no results: leave out --results.');
  const allowCount =
    v['allow-destructive'] === undefined ? undefined : /^\d+$/.test(v['allow-destructive']) ? Number(v['allow-destructive']) : Number.NaN;
  if (Number.isNaN(allowCount))
    throw new UsageError(
      `--allow-destructive takes the number of rows the run sends (e.g. --allow-destructive 200), not "${v['allow-destructive']}".`,
    );
  const timeoutMs = parseTimeout(v.timeout);
  const policy: EnvPolicy = { allowed: allowedEnv(v['allow-env'] ?? []), from: 'cli' };
  const profiles = readServersFile(v.servers);
  const environment = chooseEnvironment(v.env, v.environments, cwd);

  const file = positionals[0]!;
  const shown = relative(cwd, file) || file;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`The snippet ${shown} cannot be read.`);
  }
  const parsed = parseSnippet(text);
  if (!parsed.ok)
    throw new UsageError(
      `${shown}: ${parsed.problems
        .filter((p) => p.severity === 'error')
        .map((p) => p.message)
        .join(' ')}`,
    );
  const snippet = parsed.snippet;
  const refusal = envRefusal(snippet, environment, policy);
  if (refusal) throw new UsageError(`${shown}: ${refusal}`);

  const table = readTable(v.data, cwd);
  const missing = missingColumns(snippet, table);
  if (missing.length) throw new UsageError(missingColumnsMessage(missing, table, relative(cwd, v.data) || v.data));
  const previous = v.resume !== undefined ? readPrevious(v.resume) : undefined;
  const rows = previous ? rowsToResend(table.rows.length, previous) : table.rows.map((_, i) => i + 1);

  const envReader = new EnvReader((n) => io.env[n], policy);
  const vars = new RunVariables(environment, envReader.get, (e, name) => envReader.keep(io.env[secretVariableEnvName(e, name)]));
  const root = snippetRoot(file, v.workspace);
  // Every row is resolved and built before anything is sent: a row that cannot be is reported as such, never half-sent.
  const plans = planRows(table, rows, (values) => resolveSnippet(snippet, profiles, envReader.get, withRow(vars, values), root));
  // What is printed about a row is scrubbed of the values read from the environment and of its secret-named cells.
  const scrubFor = (p: RowPlan): ((s: string) => string) => {
    const r = redactorFor([...envReader.values, ...(p.resolved.ok ? p.resolved.secrets : []), ...secretCells(p.values)]);
    return (s) => r.scrubKnown(s);
  };
  const label = (p: RowPlan): string => rowLabel(p.values, table.columns);

  if (v['dry-run']) {
    for (const p of plans) {
      const scrub = scrubFor(p);
      if (!p.preview) {
        io.out(`row ${p.row}  cannot be sent: ${scrub(p.problem ?? 'it cannot be built')}\n`);
        continue;
      }
      const body = p.preview.body
        ? p.preview.body
            .split('&')
            .map((l) => `\n      ${l}`)
            .join('')
        : '';
      io.out(`row ${p.row}  ${p.preview.method} ${p.preview.url}${body}\n`);
    }
    const bad = plans.filter((p) => !p.preview).length;
    const effect = runEffect(plans);
    const note = effect === 'destructive' ? ` It is destructive: the run needs --allow-destructive ${plans.length - bad}.` : '';
    io.out(
      `dry run: ${plans.length - bad} request${plans.length - bad === 1 ? '' : 's'} would be sent, ${bad} row${bad === 1 ? '' : 's'} cannot be; nothing was sent.${note}\n`,
    );
    return bad ? 1 : 0;
  }

  const sendable = plans.filter((p) => p.preview);
  if (runEffect(plans) === 'destructive' && allowCount !== sendable.length) {
    const fn = sendable.find((p) => p.preview!.effect === 'destructive')!.preview!.what;
    const given = allowCount === undefined ? '' : ` (--allow-destructive ${allowCount} does not match)`;
    throw new UsageError(
      `${fn} removes, suspends, revokes or resets something, and this run sends ${sendable.length} row${sendable.length === 1 ? '' : 's'}${given}: add --allow-destructive ${sendable.length} to do that. Nothing was sent.`,
    );
  }

  const sending = cliSending({
    env: io.env,
    timeoutMs,
    maxConnections: Math.min(8, concurrency),
    allow: (q) => q.reason !== 'destructive' || allowCount === sendable.length,
  });
  let out: ReturnType<typeof openResults> | undefined;
  const started = monotonicMs();
  try {
    // Every server's secrets are checked before anything is sent: a missing one is a usage error naming it.
    for (const p of sendable) if (p.resolved.ok) sending.secrets(p.resolved.target.profile);
    out = v.results !== undefined ? openResults(v.results) : undefined;
    // Rows a resumed run does not send again keep their lines: the file always tells the whole run.
    if (out && previous)
      for (const [row, prev] of [...previous].sort((a, b) => a[0] - b[0])) if (prev.ok && row <= table.rows.length) out.write(prev.line);
    const print = (o: RowOutcome, p: RowPlan): void => {
      const scrub = scrubFor(p);
      const why = o.ok ? '' : `\n      ${scrub(o.hint ?? (o.errors.join(' ') || o.kind))}`;
      io.out(
        `${o.ok ? 'ok  ' : 'FAIL'}  row ${String(o.row).padEnd(5)} ${o.kind.padEnd(13)} ${String(o.timeMs).padStart(6)} ms  ${scrub(label(p))}${why}\n`,
      );
    };
    const outcomes = await runBounded(plans, {
      concurrency,
      ...(io.signal ? { signal: io.signal } : {}),
      cancelled: (p): { o: RowOutcome; data?: unknown } => ({ o: notSentOutcome(p.row, 'cancelled', 'Cancelled before it was sent.') }),
      send: async (p): Promise<{ o: RowOutcome; data?: unknown }> => {
        if (!p.resolved.ok || !p.preview) return { o: notSentOutcome(p.row, 'config_error', p.problem ?? 'The row cannot be sent.') };
        const { target, secrets } = p.resolved;
        const secretValues = [...secrets, ...envReader.values, ...secretCells(p.values)];
        const run = await sending.pipeline.send({
          ...target,
          origin: 'data',
          ...(secretValues.length ? { secretValues } : {}),
          ...(io.signal ? { signal: io.signal } : {}),
        });
        if (!run.sent) return { o: notSentOutcome(p.row, 'config_error', run.message) };
        return { o: rowOutcome(p.row, run.result), data: run.result.data };
      },
      done: (r, p) => {
        const scrub = redactorFor([...envReader.values, ...(p.resolved.ok ? p.resolved.secrets : []), ...secretCells(p.values)]);
        const o = scrub.scrubValue(r.o);
        print(o, p);
        out?.write(resultsLine(o, v['results-data'] ? { data: scrub.scrubValue(r.data ?? null) } : undefined));
      },
    }).then((rs) => rs.map((r) => r.o));
    const failed = outcomes.filter((o) => !o.ok).length;
    const skipped = table.rows.length - rows.length;
    io.out(
      `${outcomes.length - failed} succeeded, ${failed} failed, ${outcomes.length} row${outcomes.length === 1 ? '' : 's'} sent${skipped ? ` (${skipped} that succeeded before not sent again)` : ''} in ${Math.round(monotonicMs() - started)} ms\n`,
    );
    return failed ? 1 : 0;
  } finally {
    out?.close();
    await sending.close();
  }

  function readTable(path: string, base: string): DataTable {
    const name = relative(base, path) || path;
    let data: string;
    try {
      if (statSync(path).size > MAX_DATA_BYTES) throw new UsageError(`${name} is larger than 64 MiB: split it.`);
      data = readFileSync(path, 'utf8');
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new UsageError(`The data file ${name} does not exist or cannot be read.`);
    }
    try {
      return parseDataTable(data, name);
    } catch (e) {
      if (e instanceof DataFileError) throw new UsageError(e.message);
      throw e;
    }
  }

  function readPrevious(path: string): PreviousResults {
    let t: string;
    try {
      t = readFileSync(path, 'utf8');
    } catch {
      throw new UsageError(`--resume ${path}: the results file cannot be read (write one with --results ${path}).`);
    }
    try {
      return readResults(t, path);
    } catch (e) {
      throw new UsageError(e instanceof Error ? e.message : String(e));
    }
  }
}

/** The results file, written a line per row as each finishes (so a run cut short can be resumed). */
function openResults(path: string): { write(line: string): void; close(): void } {
  let fd: number;
  try {
    fd = openSync(path, 'w');
  } catch (e) {
    throw new UsageError(`The results file "${path}" cannot be written (${e instanceof Error ? e.message.split('\n')[0] : String(e)}).`);
  }
  return {
    // A results file is read in terminals and CI logs too: neutralized as stdout is (JSON stays equal in value).
    write: (line) => void writeSync(fd, neutralize(line)),
    close: () => closeSync(fd),
  };
}
