/**
 * A/B measurement for `npm run bench`: the baseline (A) and ours (B) run in the same process on the
 * same machine, interleaved round by round with the order swapped every other round, so warm-up,
 * caches and a busy neighbour fall on both alike. A row reports the median of the per-round ratios
 * and their spread (lowest–highest), never one run of each.
 */

export interface Round {
  a: number;
  b: number;
}

/** Runs `rounds` rounds of A and B (each returning a figure: milliseconds, or any cost). */
export async function interleave(rounds: number, a: () => Promise<number> | number, b: () => Promise<number> | number): Promise<Round[]> {
  const out: Round[] = [];
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) {
      const av = await a();
      const bv = await b();
      out.push({ a: av, b: bv });
    } else {
      const bv = await b();
      const av = await a();
      out.push({ a: av, b: bv });
    }
  }
  return out;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export interface Summary {
  /** Median of A's and of B's figures. */
  a: number;
  b: number;
  /** Median, lowest and highest of the per-round ratios. */
  ratio: number;
  low: number;
  high: number;
}

/**
 * `speed`: A's time ÷ B's time (above 1 means ours is faster); `cost`: B ÷ A (above 1 means ours
 * costs more). The ratio of each round is taken first, so a slow round slows both sides of it.
 */
export function summarize(rounds: readonly Round[], kind: 'speed' | 'cost'): Summary {
  const ratios = rounds.map((r) => (kind === 'speed' ? r.a / r.b : r.b / r.a));
  return {
    a: median(rounds.map((r) => r.a)),
    b: median(rounds.map((r) => r.b)),
    ratio: median(ratios),
    low: Math.min(...ratios),
    high: Math.max(...ratios),
  };
}

/** Whether a ratio meets a goal written as "≤ 1.05", "≥ 0.95", or both: "≥ 0.95, ≤ 1.05". */
export function meets(ratio: number, goal: string): boolean {
  return [...goal.matchAll(/(≤|≥)\s*([\d.]+)/g)].every((m) => (m[1] === '≤' ? ratio <= Number(m[2]) : ratio >= Number(m[2])));
}
