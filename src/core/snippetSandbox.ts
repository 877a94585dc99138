import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Environment } from './environments';
import { Redactor } from './redact';
import { envRefs, variableRefs, type Snippet } from './snippets';

/**
 * What a snippet or environment file from a repository may reach on this computer: the environment
 * variables the user allowed (CPANEL_* and the names they list), and files to upload inside the
 * workspace folder (real paths, links resolved). Everything here is plain Node, for cpapi and VS Code.
 */

/** Where the user widens what snippets may read: named in the refusal so it says how. */
export type AllowFrom = 'cli' | 'vscode';

export interface EnvPolicy {
  /** Names, or a prefix ending in "*" ("MYAPP_*"), besides CPANEL_*. */
  allowed: readonly string[];
  from: AllowFrom;
}

/** A name, or a prefix with a trailing "*"; a bare "*" (every variable) is not a pattern one can allow. */
export const ALLOWED_ENV_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*\*?$/;

export function envAllowed(name: string, allowed: readonly string[]): boolean {
  if (name.startsWith('CPANEL_')) return true;
  return allowed.some((a) => (a.endsWith('*') ? name.startsWith(a.slice(0, -1)) : a === name));
}

/** The refusal, naming the variable and how to allow it. */
export function envNotAllowedMessage(name: string, from: AllowFrom, where?: string): string {
  const how = from === 'cli' ? `with --allow-env ${name}` : 'in the user setting cpanel.snippets.allowedEnv';
  const what = `\${env:${name}}${where ? ` (${where})` : ''}`;
  return `${what} is not an allowed environment variable: snippets may read CPANEL_* variables and the ones you allow ${how}. Nothing was sent.`;
}

/**
 * Reads environment variables for snippets under a policy: a name not allowed throws the refusal.
 * Every value read is kept (`values`), so that it can be taught to the redactor before anything is
 * printed or sent: a value from the environment is treated as a secret, whatever its name.
 */
export class EnvReader {
  readonly values = new Set<string>();

  constructor(
    private readonly source: (name: string) => string | undefined,
    readonly policy: EnvPolicy,
  ) {}

  readonly get = (name: string): string | undefined => {
    if (!envAllowed(name, this.policy.allowed)) throw new Error(envNotAllowedMessage(name, this.policy.from));
    return this.keep(this.source(name));
  };

  /** Records a value read some other way (a secret variable of an environment). */
  keep(value: string | undefined): string | undefined {
    if (value) this.values.add(value);
    return value;
  }
}

/**
 * The first ${env:NAME} a snippet would read that the policy does not allow, as the refusal: in the
 * snippet itself, or in a value of the environment for a ${name} the snippet uses. Checked before
 * anything is asked for or sent.
 */
export function envRefusal(s: Snippet, environment: Environment | undefined, policy: EnvPolicy): string | undefined {
  for (const name of envRefs(s)) if (!envAllowed(name, policy.allowed)) return envNotAllowedMessage(name, policy.from);
  if (!environment) return undefined;
  for (const v of variableRefs(s)) {
    const value = environment.variables[v];
    if (typeof value !== 'string') continue;
    for (const m of value.matchAll(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g)) {
      if (!envAllowed(m[1]!, policy.allowed))
        return envNotAllowedMessage(m[1]!, policy.from, `in the environment "${environment.name}", for \${${v}}`);
    }
  }
  return undefined;
}

/** A redactor that knows only these values: for text printed outside a client (cpapi's lines and reports, result views). */
export function redactorFor(values: Iterable<string>): Redactor {
  const r = new Redactor();
  for (const v of values) r.add(v);
  return r;
}

/**
 * The real path of a file a snippet uploads (`path` as written, relative to `root`), or a refusal
 * naming it: it must exist, be a regular file (not a folder, a pipe or a device) and, with every link
 * resolved, lie inside the real path of `root`.
 *
 * The request then carries this real path, so the client opens the file the check approved (it still
 * refuses a non-file itself): what is left between check and send is a file being swapped by another
 * process of this user while the call starts, which is not what a repository's files can do.
 */
export function confinedUpload(root: string, path: string, field: string): string {
  const what = `body.files: "${path}" (for "${field}")`;
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
  } catch {
    throw new Error(`${what} cannot be checked: the workspace folder ${root} cannot be read. Nothing was sent.`);
  }
  let real: string;
  try {
    real = realpathSync(resolve(root, path));
  } catch {
    throw new Error(`${what} does not exist or cannot be read in the workspace folder. Nothing was sent.`);
  }
  const rel = relative(realRoot, real);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    const why = `leads outside the workspace folder (to ${real}, through a link): a snippet uploads only files of its workspace`;
    throw new Error(`${what} ${why}. Nothing was sent.`);
  }
  let isFile = false;
  try {
    isFile = statSync(real).isFile();
  } catch {
    /* treated as not a file */
  }
  if (!isFile) throw new Error(`${what} is not a regular file (a folder, a pipe or a device): only files are uploaded. Nothing was sent.`);
  return real;
}
