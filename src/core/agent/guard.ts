import type { Effect } from '../api/effects';

/**
 * What an agent may do, decided before anything is sent: reads run; a change runs, is confirmed by
 * the person, or is refused; so is a destructive call. The decisions are the hosts' (VS Code asks,
 * `cpapi mcp` follows its flags); the sentences that refuse are here.
 */

export type AgentEffect = 'read' | 'change' | 'destructive';

export function agentEffect(e: Effect): AgentEffect {
  return e === 'changes' ? 'change' : e;
}

export type Rule = 'run' | 'confirm' | 'refuse';

export interface AgentPolicy {
  changes: Rule;
  destructive: Rule;
  /** How the person allows what is refused: "start cpapi mcp with --allow-changes". */
  allowChanges: string;
  allowDestructive: string;
}

export type Decision = { action: 'run' | 'confirm' } | { action: 'refuse'; message: string };

/** `cpapi mcp`: read-only unless started with --allow-changes; destructive calls only with --allow-destructive too. */
export function mcpPolicy(allowChanges: boolean, allowDestructive: boolean): AgentPolicy {
  return {
    changes: allowChanges ? 'run' : 'refuse',
    destructive: allowChanges && allowDestructive ? 'run' : 'refuse',
    allowChanges: 'the user can restart `cpapi mcp` with --allow-changes to let agents make changes',
    allowDestructive: 'the user can restart `cpapi mcp` with --allow-changes --allow-destructive to allow them',
  };
}

/** VS Code: every change is confirmed; a destructive call is refused unless the user setting allows it, then confirmed each time. */
export function vscodePolicy(allowDestructive: boolean): AgentPolicy {
  return {
    changes: 'confirm',
    destructive: allowDestructive ? 'confirm' : 'refuse',
    allowChanges: '',
    allowDestructive: 'the user can turn on the user setting cpanel.agent.allowDestructive to allow them (each call is still confirmed)',
  };
}

/** `what` is the call as a person reads it: "WHM API 1 removeacct on prod". */
export function decide(effect: Effect, what: string, policy: AgentPolicy): Decision {
  if (effect === 'read') return { action: 'run' };
  const rule = effect === 'destructive' ? policy.destructive : policy.changes;
  if (rule !== 'refuse') return { action: rule };
  if (effect === 'destructive') {
    const why = 'removes, suspends, revokes, resets or changes a password, and destructive calls are off for agents';
    return { action: 'refuse', message: `${what} ${why}: ${policy.allowDestructive}. Nothing was sent.` };
  }
  return {
    action: 'refuse',
    message: `${what} changes something on the server, and agents may only read here: ${policy.allowChanges}. Nothing was sent.`,
  };
}
