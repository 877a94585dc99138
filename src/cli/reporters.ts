import { hostname } from 'node:os';
import { dirname } from 'node:path';
import type { CheckResult } from '../core/checks';

/** One snippet of a `cpapi run`, as every reporter sees it. */
export interface RunOutcome {
  file: string;
  server?: string;
  function?: string;
  ok: boolean;
  kind: string;
  status: number;
  ms: number;
  errors: string[];
  hint?: string;
  checks: CheckResult[];
  captured: string[];
  /** The snippet could not be read or resolved, so nothing was sent: an error, not a failure. */
  notSent?: boolean;
}

export const REPORTERS = ['junit', 'tap', 'json'] as const;
export type Reporter = (typeof REPORTERS)[number];

export function report(kind: Reporter, outcomes: readonly RunOutcome[], startedAt: Date): string {
  switch (kind) {
    case 'junit':
      return junit(outcomes, startedAt);
    case 'tap':
      return tap(outcomes);
    case 'json':
      return json(outcomes);
  }
}

/** Why a snippet did not pass, one line a reason: failed checks, or the call's own failure. */
export function reasons(o: RunOutcome): string[] {
  if (o.ok) return [];
  const failed = o.checks.filter((c) => !c.pass);
  if (failed.length) return failed.map((c) => `expect[${c.index}] ${c.label}: ${c.message ?? 'failed'}`);
  return [o.hint ?? (o.errors.join(' ') || o.kind)];
}

function json(outcomes: readonly RunOutcome[]): string {
  const failed = outcomes.filter((o) => !o.ok).length;
  return `${JSON.stringify({ ok: failed === 0, passed: outcomes.length - failed, failed, results: outcomes }, null, 2)}\n`;
}

/** TAP version 13: a line a snippet, a YAML block under each one that did not pass. */
function tap(outcomes: readonly RunOutcome[]): string {
  const lines = ['TAP version 13', `1..${outcomes.length}`];
  outcomes.forEach((o, i) => {
    lines.push(
      `${o.ok ? 'ok' : 'not ok'} ${i + 1} - ${tapText(o.file)}${o.function ? ` (${tapText(`${o.function}${o.server ? ` on ${o.server}` : ''}`)})` : ''}`,
    );
    if (!o.ok) {
      lines.push('  ---', `  kind: ${yamlString(o.kind)}`, `  status: ${o.status}`, `  ms: ${o.ms}`, '  reasons:');
      for (const r of reasons(o)) lines.push(`    - ${yamlString(r)}`);
      lines.push('  ...');
    }
  });
  return `${lines.join('\n')}\n`;
}

function tapText(s: string): string {
  // "#" starts a directive in TAP; line breaks would end the line.
  return s.replace(/[\r\n]+/g, ' ').replace(/#/g, '\\#');
}

function yamlString(s: string): string {
  return JSON.stringify(s.replace(/[\r\n]+/g, ' '));
}

/**
 * JUnit XML as CI systems read it (Jenkins, GitLab, GitHub and Azure test reports): a testsuite per
 * folder, a testcase per snippet, each failed check a <failure>, a snippet that could not be sent
 * an <error>. Validated against test/fixtures/junit.xsd in the tests.
 */
function junit(outcomes: readonly RunOutcome[], startedAt: Date): string {
  const seconds = (ms: number): string => (ms / 1000).toFixed(3);
  const suites = new Map<string, RunOutcome[]>();
  for (const o of outcomes) {
    const dir = dirname(o.file);
    suites.set(dir, [...(suites.get(dir) ?? []), o]);
  }
  const count = (list: readonly RunOutcome[]): { tests: number; failures: number; errors: number; ms: number } => ({
    tests: list.length,
    failures: list.filter((o) => !o.ok && !o.notSent).length,
    errors: list.filter((o) => o.notSent).length,
    ms: list.reduce((n, o) => n + o.ms, 0),
  });
  const all = count(outcomes);
  const stamp = startedAt.toISOString().replace(/\.\d{3}Z$/, '');
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="cpapi run" tests="${all.tests}" failures="${all.failures}" errors="${all.errors}" time="${seconds(all.ms)}">`,
  ];
  for (const [dir, list] of suites) {
    const c = count(list);
    out.push(
      `  <testsuite name="${xml(dir)}" tests="${c.tests}" failures="${c.failures}" errors="${c.errors}" skipped="0" time="${seconds(c.ms)}" timestamp="${stamp}" hostname="${xml(hostname())}">`,
    );
    for (const o of list) {
      const classname = o.function ? `${o.function}${o.server ? ` on ${o.server}` : ''}` : 'snippet';
      const head = `    <testcase name="${xml(o.file)}" classname="${xml(classname)}" time="${seconds(o.ms)}"`;
      if (o.ok) {
        out.push(`${head}/>`);
        continue;
      }
      out.push(`${head}>`);
      if (o.notSent) {
        out.push(`      <error message="${xml(reasons(o)[0]!)}" type="${xml(o.kind)}"/>`);
      } else {
        const failed = o.checks.filter((ch) => !ch.pass);
        if (failed.length) {
          for (const ch of failed)
            out.push(
              `      <failure message="${xml(`expect[${ch.index}] ${ch.label}`)}" type="assertion">${xml(ch.message ?? 'failed')}</failure>`,
            );
        } else {
          out.push(
            `      <failure message="${xml(reasons(o)[0]!)}" type="${xml(o.kind)}">${xml(`HTTP ${o.status}, ${o.kind}: ${o.errors.join(' ')}`)}</failure>`,
          );
        }
      }
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}

/** Text as XML attribute or element content: escaped, and without the control characters XML 1.0 cannot hold. */
export function xml(s: string): string {
  return (
    s
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}
