import { FAMILIES, type Family } from '../../shared/families';

/**
 * What a function does to the server: only reads; changes something (creates, edits); or removes,
 * suspends, revokes, resets, restores over, reboots or changes a password — what cannot simply be
 * sent again. Every send path asks before a destructive call, and before sending a change again.
 */
export type Effect = 'read' | 'changes' | 'destructive';

/**
 * Verbs that lose data, lock someone out or interrupt service, at the start of a name or after "_"
 * (removeacct, delete_pop, Tokens/revoke, killdns). Reviewed against the whole catalog: see
 * test/unit/effects.test.ts, which names the functions each rule must catch and must not.
 */
const DESTRUCTIVE_VERB =
  /(^|_)(remove|delete|kill|terminate|suspend|revoke|reset|restore|reboot|restart|purge|wipe|destroy|shutdown|uninstall|unpark|flush|truncate|drop|erase|expunge|disinfect|unregister|unset)/;
/** WHM's run-together names: delip, delpkg, deladdondomain, delsubdomain, deldomain. */
const WHM_DEL = /^del(?!egat)[a-z]/;
const PASSWORD_CHANGE = /passw|chpass|change_?password|set_?password|forcepasswordchange|reset_?pass/;
/** Hand-reviewed: names no verb rule reads right. */
const DESTRUCTIVE_NAMES = new Set([
  'mass_edit_dns_zone',
  'api_token_revoke',
  'resetzone',
  'restoreaccount',
  'reboot',
  'disable_market_provider',
  'set_tweaksetting',
]);
const NOT_DESTRUCTIVE = new Set(['unsuspendacct', 'unsuspend_outgoing_email', 'unsuspend_login', 'unsuspend_incoming']);

/** Verbs of functions that only read. Anything else is taken to change something (the safe side). */
const READ_VERB =
  /^(list|get|show|fetch|check|is_?|has_?|count|search|stat|version|applist|query|validate|verify|find|dump|view|lookup|retrieve|read|describe|current|loadavg|systemloadavg|accountsummary|domainuserdata|myprivs|servicestatus|whoami|gethostname|status|info|locale|available|can_|browse|export|generate_?(report|csr)?|system_needs_|_)/;

/** Names that start by asking or making something, whatever verb follows (get_password_strength, create_restore_point). */
const NOT_DESTRUCTIVE_START = /^(get|check|verify|list|is_|has_|system_needs_|create_|rename_)/;
/** Readers named after what they read about (restore_queue_list_pending, restore_modules_summary). */
const READ_SUFFIX = /_(is_active|list_[a-z_]+|state|summary)$/;

/** Effects already read, by family and name: every send asks, and the rules are a dozen regular expressions. */
const known = new Map<string, Effect>();

export function effectOf(family: Family, name: string): Effect {
  const key = `${family}\u0000${name}`;
  let effect = known.get(key);
  if (effect === undefined) {
    effect = readEffect(family, name);
    // Bounded: names typed by hand or read from files are not kept without end.
    if (known.size >= 4096) known.clear();
    known.set(key, effect);
  }
  return effect;
}

function readEffect(family: Family, name: string): Effect {
  const fn = (FAMILIES[family].qualified ? (name.split('/')[1] ?? name) : name).toLowerCase();
  if (NOT_DESTRUCTIVE.has(fn)) return 'changes';
  if (DESTRUCTIVE_NAMES.has(fn) || name === 'Tokens/revoke') return 'destructive';
  if (READ_SUFFIX.test(fn)) return 'read';
  if (NOT_DESTRUCTIVE_START.test(fn)) return READ_VERB.test(fn) ? 'read' : 'changes';
  if (DESTRUCTIVE_VERB.test(fn) || PASSWORD_CHANGE.test(fn) || (family === 'whm' && WHM_DEL.test(fn))) return 'destructive';
  return READ_VERB.test(fn) ? 'read' : 'changes';
}

export function isDestructive(family: Family, name: string): boolean {
  return effectOf(family, name) === 'destructive';
}
