import { Client, type ClientOptions, type DispatchHandler, type DispatchOptions } from './undici';

/** A dispatch handler that says when its exchange is over (answered or failed), so its connection is free. */
export interface PooledHandler extends DispatchHandler {
  /** Set by the pool before the request is dispatched; the handler calls it once, at its end. */
  release?: () => void;
  /** The call ended while it waited for a connection (cancelled, past its deadline): dropped, never sent. */
  readonly settled?: boolean;
}

interface Connection {
  client: Client;
  busy: boolean;
}

/**
 * The connections to one server: at most `max` of them (undici Clients, one socket each). A call goes
 * on the first free connection, or opens one while under the cap; beyond it, calls wait in order and
 * each goes on the connection the one before it frees.
 *
 * Not undici's Pool, for one reason measured in `npm run bench`: a Pool counts a connection busy until
 * an event-loop turn after its answer ends, so a call made as soon as the previous one is answered
 * finds none free and, under the cap, opens a second connection. Waiting that turn first made each of
 * a run of calls pay two turns (the Pool's, then the Client's check of a socket that sat idle before
 * it writes on it, GHSA-35p6-xmwp-9g52) where one connection pays one. Here a connection is free the
 * moment its answer ends, and its Client still makes that check: N calls in a row use one connection.
 */
export class ConnectionPool {
  private readonly connections: Connection[] = [];
  private readonly waiting: { opts: DispatchOptions; handler: PooledHandler }[] = [];
  private closed = false;

  constructor(
    readonly origin: string,
    private readonly options: ClientOptions,
    private readonly max: number,
  ) {}

  /** How many connections are open or opening (for tests and the bench). */
  get size(): number {
    return this.connections.length;
  }

  dispatch(opts: DispatchOptions, handler: PooledHandler): void {
    if (this.closed) {
      handler.onResponseError?.(undefined as never, new Error('The connections to this server were closed.'));
      return;
    }
    if (handler.settled) return;
    const free = this.free();
    if (free) this.start(free, opts, handler);
    else this.waiting.push({ opts, handler });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiting.splice(0))
      w.handler.onResponseError?.(undefined as never, new Error('The connections to this server were closed.'));
    await Promise.all(this.connections.map((c) => c.client.close()));
  }

  private free(): Connection | undefined {
    for (const c of this.connections) if (!c.busy) return c;
    if (this.connections.length >= this.max) return undefined;
    const c = { client: new Client(this.origin, this.options), busy: false };
    this.connections.push(c);
    return c;
  }

  /**
   * The next waiting call on a connection just freed, unless another took it meanwhile. Not from within
   * the handler that freed it: that runs inside undici's reading of the answer, which is left to finish.
   */
  private next(c: Connection): void {
    if (c.busy) return;
    let next = this.waiting.shift();
    while (next?.handler.settled) next = this.waiting.shift();
    if (next) this.start(c, next.opts, next.handler);
  }

  private start(c: Connection, opts: DispatchOptions, handler: PooledHandler): void {
    c.busy = true;
    let released = false;
    handler.release = () => {
      if (released) return;
      released = true;
      c.busy = false;
      if (this.waiting.length) queueMicrotask(() => this.next(c));
    };
    c.client.dispatch(opts, handler);
  }
}
