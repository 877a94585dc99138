import * as vscode from 'vscode';
import { DEFAULT_CONCURRENCY, MAX_CONCURRENCY } from '../core/fanout';
import { DEFAULT_LIMITS, MAX_CONNECTIONS_RANGE } from '../core/limits';
import { ALLOWED_ENV_PATTERN } from '../core/snippetSandbox';
import { CONFIG } from './constants';

/**
 * Every setting the extension reads, typed, with its default and bounds in one place. Limits that
 * protect the editor (timeouts, answer size) come from user settings only: a cloned repository's
 * workspace settings must not be able to make a call hang or read gigabytes.
 */
export const Settings = {
  timeoutSeconds: (): number => userNumber('request.timeoutSeconds', 60, 1, 3600),
  maxResponseMB: (): number => userNumber('request.maxResponseMB', 64, 1, 1024),
  maxConnections: (): number =>
    Math.round(userNumber('request.maxConnections', DEFAULT_LIMITS.maxConnections, MAX_CONNECTIONS_RANGE.min, MAX_CONNECTIONS_RANGE.max)),
  /** One result view per result (default: no result is replaced), or one reused view. */
  tabMode: (): 'reuse' | 'perResult' => (config().get<string>('results.tabMode') === 'reuse' ? 'reuse' : 'perResult'),
  /** How many targets of a fan-out run at once. */
  fanoutConcurrency: (): number => Math.round(userNumber('fanout.concurrency', DEFAULT_CONCURRENCY, 1, MAX_CONCURRENCY)),
  historyEnabled: (): boolean => config().get<boolean>('history.enabled') !== false,
  historyMaxEntries: (): number => Math.round(userNumber('history.maxEntries', 500, 1, 100_000)),
  historyMaxDays: (): number => userNumber('history.maxDays', 30, 1, 3650),
  /** Answers larger than this are not kept in the history (their entry is). 0 keeps none. */
  historyMaxAnswerKB: (): number => userNumber('history.maxAnswerKB', 1024, 0, 256 * 1024),
  snippetsFolder: (scope?: vscode.Uri): string => {
    const v = vscode.workspace.getConfiguration(CONFIG, scope).get<string>('snippets.folder');
    return typeof v === 'string' && v.trim() ? v.trim() : '.vscode/cpanel';
  },
  servers: (): unknown => config().inspect('servers')?.globalValue ?? [],
  /**
   * Environment variables snippets may read besides CPANEL_* (names, or prefixes ending in "*"): from
   * user settings only, so a cloned repository's workspace settings cannot widen what its snippets read.
   */
  allowedEnv: (): string[] => {
    const v = config().inspect<unknown>('snippets.allowedEnv')?.globalValue;
    return Array.isArray(v) ? v.filter((n): n is string => typeof n === 'string' && ALLOWED_ENV_PATTERN.test(n)) : [];
  },
} as const;

/** Settings whose change means clients must be rebuilt. */
export const REQUEST_SECTION = `${CONFIG}.request`;

function config(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(CONFIG);
}

function userNumber(key: string, fallback: number, min: number, max: number): number {
  const v = config().inspect<unknown>(key)?.globalValue;
  return typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : fallback;
}
