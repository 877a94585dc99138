/**
 * Which of the caller's WHM privileges (ACLs) a set of functions needs, found by trying, as cPanel
 * advises: the mapping from function to ACL is in no catalog. A short-lived probe token is given a
 * candidate set of ACLs, and WHM's applist, called with that token, says whether every function is
 * still granted.
 *
 * The plan is group testing: a block of ACLs is dropped whole when the functions survive without
 * it, and split in two when they do not; a single ACL whose removal loses a function is needed.
 * More ACLs never grant fewer functions, so what remains is minimal: no ACL left could go. Checks
 * are bounded; when the bound is reached the ACLs not yet tried are kept (the safe side) and the
 * result says it is not complete.
 */

export interface NarrowResult {
  /** The proposed ACLs (sorted). */
  acls: string[];
  /** Every ACL was decided within the bound. */
  complete: boolean;
  /** How many candidate sets were checked. */
  checks: number;
  /** Kept because removing them alone lost a function. */
  needed: string[];
  /** Kept without being decided (the bound was reached, or a token needs at least one privilege). */
  undecided: string[];
}

export const DEFAULT_MAX_CHECKS = 40;

export class NarrowPlan {
  private readonly keep: Set<string>;
  /** Blocks still to try removing, the next on top. */
  private readonly stack: string[][];
  private readonly needed = new Set<string>();
  private readonly undecided = new Set<string>();
  private pending: string[] | undefined;
  private checks = 0;

  constructor(
    start: readonly string[],
    private readonly maxChecks = DEFAULT_MAX_CHECKS,
  ) {
    const all = [...new Set(start)].sort();
    this.keep = new Set(all);
    this.stack = all.length ? [all] : [];
  }

  /** The ACL set to check next, or undefined when the plan is done. Call report() with its verdict before asking again. */
  next(): string[] | undefined {
    if (this.pending) throw new Error('report() the last check first');
    while (this.stack.length) {
      if (this.checks >= this.maxChecks) {
        for (const b of this.stack.splice(0)) for (const a of b) this.undecided.add(a);
        return undefined;
      }
      const block = this.stack.pop()!;
      const candidate = [...this.keep].filter((a) => !block.includes(a));
      if (!candidate.length) {
        // A token cannot be left with no privilege at all: try the halves, or keep the last one.
        if (block.length > 1) this.split(block);
        else this.undecided.add(block[0]!);
        continue;
      }
      this.pending = block;
      this.checks++;
      return candidate;
    }
    return undefined;
  }

  /** Whether the last candidate still granted every function. */
  report(grantsAll: boolean): void {
    const block = this.pending;
    if (!block) throw new Error('nothing to report: call next() first');
    this.pending = undefined;
    if (grantsAll) for (const a of block) this.keep.delete(a);
    else if (block.length === 1) this.needed.add(block[0]!);
    else this.split(block);
  }

  private split(block: string[]): void {
    const mid = Math.ceil(block.length / 2);
    // The first half is tried first.
    this.stack.push(block.slice(mid), block.slice(0, mid));
  }

  result(): NarrowResult {
    return {
      acls: [...this.keep].sort(),
      complete: this.undecided.size === 0 && this.stack.length === 0,
      checks: this.checks,
      needed: [...this.needed].sort(),
      undecided: [...this.undecided].sort(),
    };
  }
}

/** Runs a plan against a check (a probe token's applist); stops at the plan's bound. */
export async function narrow(
  start: readonly string[],
  grantsAll: (acls: string[]) => Promise<boolean>,
  maxChecks = DEFAULT_MAX_CHECKS,
): Promise<NarrowResult> {
  const plan = new NarrowPlan(start, maxChecks);
  for (let c = plan.next(); c; c = plan.next()) plan.report(await grantsAll(c));
  return plan.result();
}

/** The WHM functions a token must be able to call, from the calls made: each once, sorted. */
export function usedWhmFunctions(calls: readonly { family: string; function: string; account?: string | undefined }[]): string[] {
  const out = new Set<string>();
  for (const c of calls) {
    // A cPanel call on behalf of an account goes through WHM's uapi_cpanel (UAPI) or cpanel (API 2).
    if (c.account) out.add(c.family === 'uapi' ? 'uapi_cpanel' : 'cpanel');
    else if (c.family === 'whm') out.add(c.function);
  }
  return [...out].sort();
}
