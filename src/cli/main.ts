import type * as Checks from '../core/checks';
import { neutralize } from '../core/terminalText';
import type * as CallCommand from './call';
import type * as FanoutCommand from './fanout';
import type * as McpCommand from './mcp';
import type * as ImportCommand from './importCommand';
import type * as RunCommand from './run';
import type { Io } from './io';
import { CALL_USAGE, UsageError } from './usage';

export type { Io } from './io';

/*
 * Each command's module is loaded when that command runs: undici, TLS and the rest of the core are
 * not needed to print usage or refuse an unknown command. (esbuild keeps them in the one bundle but
 * runs their top-level code only on this first require.)
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const commands = {
  call: (argv: string[], io: Io) => (require('./call') as typeof CallCommand).runCall(argv, io),
  run: (argv: string[], io: Io) => (require('./run') as typeof RunCommand).runSnippets(argv, io),
  fanout: (argv: string[], io: Io) => (require('./fanout') as typeof FanoutCommand).runFanout(argv, io),
  // The MCP SDK is a bundle of its own, loaded by this command only.
  mcp: (argv: string[], io: Io) => (require('./mcp') as typeof McpCommand).runMcp(argv, io),
  import: (argv: string[], io: Io) => Promise.resolve((require('./importCommand') as typeof ImportCommand).runImport(argv, io)),
};
/* eslint-enable @typescript-eslint/no-require-imports */

export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'call':
      case 'run':
      case 'fanout':
      case 'mcp':
      case 'import':
        try {
          return await commands[command](rest, io);
        } finally {
          // The JMESPath worker, if an expression started it (it never keeps the process alive, but ends cleanly).
          // eslint-disable-next-line @typescript-eslint/no-require-imports
          await (require('../core/checks') as typeof Checks).closeExpressions();
        }
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        (command === undefined ? io.err : io.out)(CALL_USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`Unknown command "${command}": use "cpapi call", "cpapi run", "cpapi fanout", "cpapi import" or "cpapi mcp".`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`cpapi: ${e.message}\nRun "cpapi --help" for usage.\n`);
      return 2;
    }
    io.err(`cpapi: unexpected failure: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
}

/**
 * Runs the command line of this process; the launcher (bin.ts) calls it. Everything a command prints
 * passes through neutralize() here, at the one boundary, so no command can forget: a server's text or
 * a file name reaches the terminal with its control characters shown escaped (JSON stays valid).
 */
export function start(): void {
  const ac = new AbortController();
  process.once('SIGINT', () => ac.abort());
  void main(process.argv.slice(2), {
    out: (s) => process.stdout.write(neutralize(s)),
    err: (s) => process.stderr.write(neutralize(s)),
    ...(process.stdout.isTTY ? {} : { exact: (s: string) => process.stdout.write(s) }),
    env: process.env,
    signal: ac.signal,
  }).then((code) => {
    process.exitCode = code;
    // The command has finished (its connections closed, its files written): the process ends once what it printed
    // is written out, without Node taking its heap apart first (2% of a call's instructions). Each stream's callback
    // runs when its data is handed to the system, wherever writes to a pipe are asynchronous too.
    process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  });
}
