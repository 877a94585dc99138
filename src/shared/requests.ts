/**
 * Which reply answers which request, on the page's side of a webview. Each request gets a number
 * (`seq`) that the host's reply carries back; only the newest request of a kind takes a reply, so an
 * answer that arrives late (to a request asked again since, or to a page reloaded since) changes nothing.
 */
export class Requests<K extends string> {
  private last = 0;
  /** The newest request of each kind, while it waits for its reply. */
  private readonly waiting = new Map<K, number>();

  /** A new request of this kind: it replaces (and so silences) an older one of the same kind. */
  ask(kind: K): number {
    const seq = ++this.last;
    this.waiting.set(kind, seq);
    return seq;
  }

  /** Whether a request of this kind waits for its reply. */
  pending(kind: K): boolean {
    return this.waiting.has(kind);
  }

  /** The seq of the request of this kind that waits, if any. */
  current(kind: K): number | undefined {
    return this.waiting.get(kind);
  }

  /** Whether a reply with this seq is for the waiting request of one of these kinds (without ending it). */
  answers(seq: number | undefined, ...kinds: K[]): K | undefined {
    if (seq === undefined) return undefined;
    return kinds.find((k) => this.waiting.get(k) === seq);
  }

  /**
   * Ends the request this final reply answers, and says which kind it was; undefined (and nothing ended)
   * when the reply is for a request that is not the one waiting.
   */
  settle(seq: number | undefined, ...kinds: K[]): K | undefined {
    const kind = this.answers(seq, ...kinds);
    if (kind) this.waiting.delete(kind);
    return kind;
  }

  /** Forgets a request of this kind (its reply, when it comes, is then ignored). */
  drop(kind: K): void {
    this.waiting.delete(kind);
  }
}
