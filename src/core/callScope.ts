import { monotonicMs } from './monotonic';

/**
 * How one call can end early: the caller cancels it, or its deadline passes, whichever comes first.
 *
 * Not an AbortController per call: making one, and handing its signal to undici (which listens on it
 * through an EventTarget), cost more CPU than the rest of the client's own work on a call. The request
 * itself is aborted through undici's dispatch controller (see `send` in http.ts); an AbortSignal is
 * made only for what waits on one (a login, the next TOTP step, another call's first try of the
 * credential), and only when that wait happens. Nor a timer per call: see `Deadlines`.
 */
export class CallScope {
  private why: 'cancelled' | 'deadline' | undefined;
  /** When the deadline passes (monotonicMs() milliseconds). */
  readonly due: number;
  /** @internal Neighbours in the list of calls in flight (Deadlines). */
  prev: CallScope | undefined;
  next: CallScope | undefined;
  private listeners: (() => void)[] | undefined;
  private controller: AbortController | undefined;
  private readonly onCallerAbort: (() => void) | undefined;

  constructor(
    deadlineMs: number,
    private readonly callerSignal?: AbortSignal,
  ) {
    this.due = monotonicMs() + deadlineMs;
    deadlines.watch(this);
    if (callerSignal?.aborted) this.why = 'cancelled';
    else if (callerSignal) {
      this.onCallerAbort = () => this.end('cancelled');
      callerSignal.addEventListener('abort', this.onCallerAbort, { once: true });
    }
  }

  get aborted(): boolean {
    return this.why !== undefined;
  }

  /** The deadline ended the call (not the caller). */
  get timedOut(): boolean {
    return this.why === 'deadline';
  }

  /** For a wait that takes an AbortSignal: made on first use, aborted when the call ends. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.why) this.controller.abort();
    }
    return this.controller.signal;
  }

  /** Runs `fn` once when the call ends early (at once if it has); the returned function stops that. */
  onEnd(fn: () => void): () => void {
    if (this.why) {
      fn();
      return noop;
    }
    (this.listeners ??= []).push(fn);
    return () => {
      const i = this.listeners?.indexOf(fn) ?? -1;
      if (i >= 0) this.listeners!.splice(i, 1);
    };
  }

  /** The call is over: its deadline and the caller's listener go. */
  dispose(): void {
    deadlines.forget(this);
    if (this.onCallerAbort) this.callerSignal?.removeEventListener('abort', this.onCallerAbort);
    this.listeners = undefined;
  }

  /** @internal Deadlines ends a call whose time is up. */
  end(why: 'cancelled' | 'deadline'): void {
    if (this.why) return;
    this.why = why;
    this.controller?.abort();
    const ls = this.listeners;
    this.listeners = undefined;
    for (const l of ls ?? []) l();
  }
}

/**
 * The deadlines of the calls in flight, under one timer set for the earliest of them. Calls one after
 * another each end before the deadline armed for an earlier one, so the timer is set once in a long
 * while rather than made and cleared on every call (Node's timer lists cost more than the rest of a
 * call's own bookkeeping). When it fires, the calls whose time is up end, and it is set again for the
 * earliest left. Unreferenced: a call in flight keeps the process alive by its socket, not by this.
 */
class Deadlines {
  /** The calls in flight, newest first: a list through the scopes themselves (no hashing per call). */
  private head: CallScope | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** When the armed timer fires. */
  private armedFor = Infinity;

  watch(s: CallScope): void {
    s.next = this.head;
    if (this.head) this.head.prev = s;
    this.head = s;
    if (s.due < this.armedFor) this.arm(s.due);
  }

  forget(s: CallScope): void {
    if (s.prev) s.prev.next = s.next;
    else if (this.head === s) this.head = s.next;
    else return;
    if (s.next) s.next.prev = s.prev;
    s.prev = s.next = undefined;
  }

  private arm(due: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.armedFor = due;
    this.timer = setTimeout(() => this.fire(), Math.max(0, due - monotonicMs()));
    this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    this.armedFor = Infinity;
    const now = monotonicMs();
    let next = Infinity;
    const due: CallScope[] = [];
    // A timer can fire a hair early by the clock it is compared with.
    for (let s = this.head; s; s = s.next) {
      if (s.due <= now + 1) due.push(s);
      else if (s.due < next) next = s.due;
    }
    for (const s of due) {
      this.forget(s);
      s.end('deadline');
    }
    if (next < Infinity) this.arm(next);
  }
}

const deadlines = new Deadlines();

/** Stops nothing: what a scope without a deadline or a caller's signal hands back. */
export function noop(): void {
  /* nothing to stop */
}
