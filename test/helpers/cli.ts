import { execFile } from 'node:child_process';
import { resolve } from 'node:path';

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
