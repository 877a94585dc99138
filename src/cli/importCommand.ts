import { readFileSync, statSync } from 'node:fs';
import { ImportError, importedSnippet, importRequest, matchServer } from '../core/import/importRequest';
import type { ServerProfile } from '../core/servers';
import { parseOptions, UsageError } from './args';
import { readServersFile } from './servers';

/** Largest text read with @FILE: a command line, not a log. */
const MAX_IMPORT_BYTES = 1024 * 1024;

/**
 * `cpapi import TEXT|@FILE [--servers SERVERS.json] [--server LABEL]`: a curl line, a URL or a
 * uapi/whmapi1/cpapi2 command line, printed as a snippet (stdout). What was left out (every secret)
 * goes to stderr. Nothing is sent and nothing in the text is run.
 */
export function runImport(argv: string[], io: { out: (s: string) => void; err: (s: string) => void }): number {
  const { values, positionals } = parseOptions(argv, { servers: { type: 'string' }, server: { type: 'string' } });
  const v = values as { servers?: string; server?: string };
  if (positionals.length !== 1) {
    throw new UsageError(
      'Give the request as one argument (quote it) or as @FILE: cpapi import \'curl -H "Authorization: cpanel user:TOKEN" https://…\'.',
    );
  }
  const arg = positionals[0]!;
  let text = arg;
  if (arg.startsWith('@')) {
    const path = arg.slice(1);
    try {
      if (statSync(path).size > MAX_IMPORT_BYTES)
        throw new UsageError(`${path} is larger than 1 MiB: Import reads one command line or URL.`);
      text = readFileSync(path, 'utf8');
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new UsageError(`The file ${path} does not exist or cannot be read.`);
    }
  }
  const profiles: ServerProfile[] = v.servers !== undefined ? readServersFile(v.servers) : [];
  let chosen: ServerProfile | undefined;
  if (v.server !== undefined) {
    chosen = profiles.find((p) => p.label === v.server);
    if (v.servers !== undefined && !chosen)
      throw new UsageError(`--server ${v.server}: no server in ${v.servers} is labelled "${v.server}".`);
  }
  try {
    const imp = importRequest(text);
    const server = chosen ?? matchServer(imp, profiles);
    const out = importedSnippet(imp, server, v.server);
    io.out(out.text);
    const lines = [
      ...(out.server ? [`Matched the server ${out.server.label} (${out.server.host}:${out.server.port}).`] : []),
      ...out.dropped.map((d) => `Left out ${d}.`),
      ...out.notes,
    ];
    if (lines.length) io.err(`${lines.map((l) => `cpapi import: ${l}`).join('\n')}\n`);
    return 0;
  } catch (e) {
    if (e instanceof ImportError) throw new UsageError(e.message);
    throw e;
  }
}
