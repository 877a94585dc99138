import { join } from 'node:path';
import type * as WorkerThreads from 'node:worker_threads';
import type { Worker } from 'node:worker_threads';

/**
 * Where JMESPath expressions are evaluated: a worker thread of this process, kept for many
 * evaluations, with a bound on time, memory and the size of what an expression gives. An expression
 * from a snippet is untrusted input: `[@,@] | [@,@] | …` doubles its result at each step, and
 * to_string(), a flatten or a comparison of it runs for minutes or fills the memory. A breach
 * terminates the worker (the next evaluation starts a fresh one) and is reported in words.
 */

export interface ExpressionLimits {
  /** How long one evaluation may take, in ms. */
  timeoutMs: number;
  /** The largest result, as JSON, in bytes. */
  maxBytes: number;
  /** The worker's heap, in MiB (it holds a copy of the answer). */
  memoryMb: number;
}

export const DEFAULT_LIMITS: Readonly<ExpressionLimits> = { timeoutMs: 2000, maxBytes: 8 * 1024 * 1024, memoryMb: 512 };

/** What an evaluation is for: a check needs only whether the result is true, a capture or --query the value. */
export type EvalMode = 'value' | 'truthy';

export type WorkerRequest =
  { type: 'eval'; id: number; expr: string; mode: EvalMode; maxBytes: number; answer?: unknown } | { type: 'forget' };

export type WorkerAnswer =
  { id: number; ok: true; truthy: boolean; json?: string } | { id: number; ok: false; reason: 'error' | 'size'; message?: string };

/** Why an evaluation gave no value. */
export class ExpressionFailure extends Error {
  constructor(
    readonly reason: 'error' | 'time' | 'size' | 'memory' | 'unavailable',
    message: string,
  ) {
    super(message);
    this.name = 'ExpressionFailure';
  }
}

export interface Evaluated {
  truthy: boolean;
  /** The result (absent for a true check, which needs only its truthiness; undefined when the expression gave nothing). */
  value?: unknown;
}

/** How long an idle worker keeps the last answer it was sent before letting it go. */
const FORGET_AFTER_MS = 30_000;
/** How long a new worker may take to start, apart from any evaluation's own bound. */
const START_LIMIT_MS = 15_000;

interface Live {
  worker: Worker;
  online: Promise<void>;
  /** The answer this worker holds. */
  sent?: WeakRef<object>;
  memoryMb: number;
  /** Settles the evaluation in flight, when its worker fails. */
  fail?: (e: ExpressionFailure) => void;
}

export class JmespathPool {
  private live: Live | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  private nextId = 1;
  private forgetTimer: NodeJS.Timeout | undefined;
  private starts = 0;

  constructor(
    /** The worker's bundle: dist/jmespathWorker.js beside the bundle that runs (out/src/core/ for the compiled tests). */
    private readonly file = join(__dirname, 'jmespathWorker.js'),
    private readonly defaults: Readonly<ExpressionLimits> = DEFAULT_LIMITS,
  ) {}

  /** How many workers were started: one for many evaluations, one more after each breach. */
  get workersStarted(): number {
    return this.starts;
  }

  /**
   * Evaluates `expr` on `answer` (sent to the worker only when it does not hold that object already).
   * Evaluations run one at a time, each with its own time bound. Throws an ExpressionFailure.
   */
  evaluate(expr: string, answer: object, mode: EvalMode, limits: Partial<ExpressionLimits> = {}): Promise<Evaluated> {
    const l = { ...this.defaults, ...limits };
    const run = this.tail.then(
      () => this.run(expr, answer, mode, l),
      () => this.run(expr, answer, mode, l),
    );
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Terminates the worker; a later evaluation starts a new one. */
  async dispose(): Promise<void> {
    clearTimeout(this.forgetTimer);
    const live = this.live;
    this.live = undefined;
    if (live) await live.worker.terminate().catch(() => undefined);
  }

  private async run(expr: string, answer: object, mode: EvalMode, l: ExpressionLimits): Promise<Evaluated> {
    clearTimeout(this.forgetTimer);
    if (this.live && this.live.memoryMb !== l.memoryMb) await this.dispose();
    const live = this.live ?? this.start(l.memoryMb);
    live.worker.ref();
    try {
      await live.online;
      const needsAnswer = live.sent?.deref() !== answer;
      const id = this.nextId++;
      const reply = await new Promise<WorkerAnswer>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.drop(live);
          reject(new ExpressionFailure('time', `did not finish within ${seconds(l.timeoutMs)}`));
        }, l.timeoutMs);
        const done = (m: WorkerAnswer): void => {
          if (m.id !== id) return;
          clearTimeout(timer);
          live.worker.off('message', done);
          live.fail = undefined;
          resolve(m);
        };
        live.fail = (e) => {
          clearTimeout(timer);
          live.worker.off('message', done);
          reject(e);
        };
        live.worker.on('message', done);
        live.sent = new WeakRef(answer);
        const request: WorkerRequest = { type: 'eval', id, expr, mode, maxBytes: l.maxBytes, ...(needsAnswer ? { answer } : {}) };
        try {
          live.worker.postMessage(request);
        } catch (e) {
          live.fail(
            new ExpressionFailure('error', `its answer cannot be handed to the evaluator (${e instanceof Error ? e.message : String(e)})`),
          );
        }
      });
      if (!reply.ok) {
        if (reply.reason === 'size') throw new ExpressionFailure('size', `gave more than ${mebibytes(l.maxBytes)} of JSON`);
        throw new ExpressionFailure('error', `could not be evaluated: ${reply.message ?? 'unknown error'}`);
      }
      if (reply.json !== undefined) return { truthy: reply.truthy, value: JSON.parse(reply.json) as unknown };
      return mode === 'value' ? { truthy: reply.truthy, value: undefined } : { truthy: reply.truthy };
    } finally {
      if (this.live === live) {
        live.worker.unref();
        this.forgetTimer = setTimeout(() => {
          if (this.live !== live) return;
          live.sent = undefined;
          live.worker.postMessage({ type: 'forget' } satisfies WorkerRequest);
        }, FORGET_AFTER_MS);
        this.forgetTimer.unref();
      }
    }
  }

  private start(memoryMb: number): Live {
    // Required here, not at the top: activating the extension and most cpapi commands never need a thread.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Worker } = require('node:worker_threads') as typeof WorkerThreads;
    this.starts++;
    const worker = new Worker(this.file, {
      execArgv: [],
      resourceLimits: {
        maxOldGenerationSizeMb: memoryMb,
        maxYoungGenerationSizeMb: Math.min(64, Math.max(8, Math.floor(memoryMb / 8))),
        stackSizeMb: 4,
      },
    });
    worker.unref();
    const live: Live = { worker, memoryMb, online: Promise.resolve() };
    live.online = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.drop(live);
        reject(new ExpressionFailure('unavailable', 'could not be evaluated: the JMESPath evaluator did not start'));
      }, START_LIMIT_MS);
      timer.unref();
      worker.once('online', () => {
        clearTimeout(timer);
        resolve();
      });
      worker.once('error', (e: Error & { code?: string }) => {
        clearTimeout(timer);
        const failure =
          e.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new ExpressionFailure('memory', `needed more than ${memoryMb} MiB of memory`)
            : e.code === 'MODULE_NOT_FOUND' || e.code === 'ERR_MODULE_NOT_FOUND'
              ? new ExpressionFailure(
                  'unavailable',
                  'could not be evaluated: the JMESPath evaluator (jmespathWorker.js) is missing from the installation',
                )
              : new ExpressionFailure('unavailable', `could not be evaluated: the JMESPath evaluator failed (${e.message.split('\n')[0]})`);
        this.drop(live);
        live.fail?.(failure);
        reject(failure);
      });
      worker.once('exit', () => {
        clearTimeout(timer);
        const failure = new ExpressionFailure('unavailable', 'could not be evaluated: the JMESPath evaluator stopped');
        this.drop(live);
        live.fail?.(failure);
        reject(failure);
      });
    });
    // A start that failed is reported by the evaluation that waits on it.
    live.online.catch(() => undefined);
    this.live = live;
    return live;
  }

  /** Forgets a worker and terminates it (after a breach, or when it failed by itself). */
  private drop(live: Live): void {
    if (this.live === live) this.live = undefined;
    void live.worker.terminate().catch(() => undefined);
  }
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(ms < 1000 ? 2 : 1))} s`;
}

function mebibytes(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  if (mib >= 1) return `${Number(mib.toFixed(1))} MiB`;
  return bytes >= 1024 ? `${Number((bytes / 1024).toFixed(1))} KiB` : `${bytes} bytes`;
}
