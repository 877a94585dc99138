import { formatMs } from '../shared/resultProtocol';
import type { Phases } from './result';

/** Where the time of a call went, as the result view, History and the CLI say it. */

/** One phase as shown: its name and its milliseconds. */
export interface PhaseStep {
  name: string;
  ms: number;
}

/**
 * The phases in the order they happen; a new connection's set-up only when this exchange opened one,
 * a login and a wait for a connection only when there was one.
 */
export function phaseSteps(p: Phases): PhaseStep[] {
  const steps: PhaseStep[] = [];
  if (p.loginMs) steps.push({ name: 'login', ms: p.loginMs });
  if (p.queueMs >= 0.1) steps.push({ name: 'queued', ms: p.queueMs });
  if (p.connection === 'new') {
    steps.push({ name: 'DNS', ms: p.dnsMs ?? 0 }, { name: 'connect', ms: p.connectMs ?? 0 });
    if (p.tlsMs) steps.push({ name: 'TLS', ms: p.tlsMs });
  }
  steps.push({ name: 'send', ms: p.sendMs }, { name: 'wait', ms: p.waitMs }, { name: 'download', ms: p.downloadMs });
  return steps;
}

/** "new connection: DNS 0 ms · connect 0.4 ms · TLS 5.1 ms · send 0.1 ms · wait 12 ms · download 0.3 ms". */
export function phaseLine(p: Phases): string {
  const steps = phaseSteps(p)
    .map((s) => `${s.name} ${formatMs(s.ms)}`)
    .join(' · ');
  return `${p.connection === 'new' ? 'new connection' : 'reused connection'}: ${steps}`;
}

/** Phases read back from storage (History's index): the fields checked, or undefined. */
export function parsePhases(v: unknown): Phases | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  if (o.connection !== 'new' && o.connection !== 'reused') return undefined;
  const num = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0 && x < 1e9;
  for (const k of ['queueMs', 'sendMs', 'waitMs', 'downloadMs']) if (!num(o[k])) return undefined;
  for (const k of ['dnsMs', 'connectMs', 'tlsMs', 'loginMs']) if (o[k] !== undefined && !num(o[k])) return undefined;
  const opt = (k: 'dnsMs' | 'connectMs' | 'tlsMs' | 'loginMs'): Partial<Phases> => (o[k] === undefined ? {} : { [k]: o[k] as number });
  return {
    connection: o.connection,
    queueMs: o.queueMs as number,
    ...opt('dnsMs'),
    ...opt('connectMs'),
    ...opt('tlsMs'),
    sendMs: o.sendMs as number,
    waitMs: o.waitMs as number,
    downloadMs: o.downloadMs as number,
    ...opt('loginMs'),
  };
}
