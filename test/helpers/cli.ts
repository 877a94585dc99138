import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import type { Sandbox } from '../../src/sandbox/server';

/** The built cpapi, as a user runs it. */
export const CLI = resolve(__dirname, '../../../dist/cli.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built cpapi with only PATH and `env` in its environment, in `cwd`. */
export function cpapi(args: string[], env: Record<string, string>, cwd?: string): Promise<CliRun> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

/** `cpapi call uapi Email/list_pops` as bob with his API token (CPANEL_TOKEN), the sandbox's certificate pinned. */
export function listPopsCall(sb: Pick<Sandbox, 'port' | 'fingerprint256'>): string[] {
  const server = ['--host', '127.0.0.1', '--service', 'cpanel', '--port', String(sb.port('cpanel')), '--user', 'bob', '--auth', 'token'];
  return ['call', 'uapi', 'Email/list_pops', ...server, '--fingerprint', sb.fingerprint256];
}
