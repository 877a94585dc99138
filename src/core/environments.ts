import { isSecretParam } from '../shared/families';
import { jsonErrorOffset } from './jsonPosition';
import { VARIABLE_NAME, type VariableSource } from './snippets';

/**
 * Environments: named sets of variables for snippets, in a workspace file
 * (.vscode/cpanel/environments.json by default) that holds no secret. A value is text (it may hold
 * ${env:NAME} placeholders), or {"secret": true}: the value then comes from VS Code's secret storage
 * (per environment) or, for cpapi, from the variable CPANEL_ENV_<ENVIRONMENT>_<NAME>.
 *
 *   { "environments": { "staging": { "server": "staging-cpanel", "domain": "staging.example.com" } } }
 */

export const ENVIRONMENTS_FILE = '.vscode/cpanel/environments.json';

export type VariableValue = string | { secret: true };

export interface Environment {
  name: string;
  variables: Record<string, VariableValue>;
}

export type ParsedEnvironments = { ok: true; environments: Environment[]; warnings: string[] } | { ok: false; problems: string[] };

const ENV_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** Reads an environments file; every problem is a sentence that says where and what to change. */
export function parseEnvironments(input: string): ParsedEnvironments {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    const offset = jsonErrorOffset(text) ?? 0;
    const before = text.slice(0, offset).split('\n');
    return {
      ok: false,
      problems: [`The environments file is not valid JSON (line ${before.length}, column ${before[before.length - 1]!.length + 1}).`],
    };
  }
  const problems: string[] = [];
  const warnings: string[] = [];
  const o = raw as Record<string, unknown>;
  if (
    !o ||
    typeof o !== 'object' ||
    Array.isArray(o) ||
    !o.environments ||
    typeof o.environments !== 'object' ||
    Array.isArray(o.environments)
  ) {
    return { ok: false, problems: ['The environments file must be {"environments": {"NAME": {"variable": "value", …}, …}}.'] };
  }
  for (const k of Object.keys(o))
    if (k !== 'environments' && k !== '$schema') problems.push(`Unknown property "${k}": the file has "environments" (and "$schema").`);
  const environments: Environment[] = [];
  for (const [name, vars] of Object.entries(o.environments as Record<string, unknown>)) {
    if (!ENV_NAME.test(name)) {
      problems.push(`The environment name "${name}" must be 1 to 64 letters, digits, ".", "_" or "-".`);
      continue;
    }
    if (!vars || typeof vars !== 'object' || Array.isArray(vars)) {
      problems.push(`Environment "${name}" must be an object of variables.`);
      continue;
    }
    const variables: Record<string, VariableValue> = {};
    for (const [v, value] of Object.entries(vars as Record<string, unknown>)) {
      if (!VARIABLE_NAME.test(v)) {
        problems.push(`Environment "${name}": the variable name "${v}" must be letters, digits and _, not starting with a digit.`);
        continue;
      }
      if (
        value &&
        typeof value === 'object' &&
        !Array.isArray(value) &&
        (value as { secret?: unknown }).secret === true &&
        Object.keys(value).length === 1
      ) {
        variables[v] = { secret: true };
        continue;
      }
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        problems.push(`Environment "${name}": "${v}" must be text, a number, true/false, or {"secret": true}.`);
        continue;
      }
      const text = typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
      if (isSecretParam(v) && text && !/^\$\{env:[A-Za-z_][A-Za-z0-9_]*\}$/.test(text)) {
        warnings.push(
          `Environment "${name}": "${v}" looks like a secret written into the file: make it {"secret": true} or "\${env:NAME}".`,
        );
      }
      variables[v] = text;
    }
    environments.push({ name, variables });
  }
  return problems.length ? { ok: false, problems } : { ok: true, environments, warnings };
}

/** The environment variable cpapi reads a secret variable from: CPANEL_ENV_STAGING_MAILPASSWORD. */
export function secretVariableEnvName(environment: string, variable: string): string {
  const part = (s: string): string =>
    s
      .toUpperCase()
      .replace(/[^A-Z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '');
  return `CPANEL_ENV_${part(environment)}_${part(variable)}`;
}

/**
 * The variables a run sees: values captured by snippets that ran before win over the environment's.
 * Environment values may use ${env:NAME}, read through `env` (which refuses names the user did not
 * allow: see EnvReader); secret values come from `secret`.
 */
export class RunVariables implements VariableSource {
  private readonly captured = new Map<string, { value: string; by: string }>();

  constructor(
    readonly environment: Environment | undefined,
    private readonly env: (name: string) => string | undefined,
    private readonly secret: (environment: string, variable: string) => string | undefined,
  ) {}

  get(name: string): string | undefined {
    const c = this.captured.get(name);
    if (c) return c.value;
    const v = this.environment?.variables[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') return this.secret(this.environment!.name, name);
    let missing: string | undefined;
    const filled = v.replace(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, n: string) => {
      const e = this.env(n);
      if (e === undefined) missing ??= n;
      return e ?? '';
    });
    return missing === undefined ? filled : undefined;
  }

  /**
   * Whether `name` is filled from outside the file: a {"secret": true} variable, or a value that reads
   * ${env:…}. Such values are never shown. There is no way for the file to mark one as fit to show: the
   * file is the repository's, and the values are the user's (a CPANEL_ACCT shown as [redacted] is the cost).
   */
  isSecret(name: string): boolean {
    if (this.captured.has(name)) return false;
    const v = this.environment?.variables[name];
    return v !== undefined && (typeof v !== 'string' || /\$\{env:/.test(v));
  }

  missing(name: string): string {
    const v = this.environment?.variables[name];
    if (v !== undefined && typeof v !== 'string') {
      return `it is a secret of the environment "${this.environment!.name}": store it (cPanel: Set Environment Secret…) or, for cpapi, set ${secretVariableEnvName(this.environment!.name, name)}`;
    }
    if (typeof v === 'string') {
      const unset = [...v.matchAll(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]!).find((n) => this.env(n) === undefined);
      return `the environment "${this.environment!.name}" sets it from the environment variable ${unset ?? '(unknown)'}, which is not set`;
    }
    if (!this.environment) return 'no environment is active and no snippet before it captured it';
    return `the environment "${this.environment.name}" does not define it and no snippet before it captured it`;
  }

  capture(values: Record<string, string>, by: string): void {
    for (const [k, v] of Object.entries(values)) this.captured.set(k, { value: v, by });
  }

  /** Names captured so far, and by which snippet. */
  capturedNames(): { name: string; by: string }[] {
    return [...this.captured].map(([name, c]) => ({ name, by: c.by }));
  }

  clearCaptures(): void {
    this.captured.clear();
  }
}
