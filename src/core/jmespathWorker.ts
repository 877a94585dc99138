import { parentPort } from 'node:worker_threads';
import type * as Jmespath from '@jmespath-community/jmespath';
import { jsonLongerThan, truthy } from './jmespathValue';
import type { WorkerAnswer, WorkerRequest } from './jmespathPool';

/*
 * The JMESPath worker: evaluates one expression at a time on the answer it was last sent, off the
 * thread that asked (the extension host, the CLI's event loop). The pool terminates it when an
 * evaluation takes too long or its memory runs out; here, a result whose JSON is too large is refused
 * before it is written, so nothing exponential ever reaches the thread that asked.
 */

// eslint-disable-next-line @typescript-eslint/no-require-imports
const jmespath = require('@jmespath-community/jmespath') as typeof Jmespath;

let answer: unknown = null;

function reply(m: WorkerAnswer): void {
  parentPort!.postMessage(m);
}

parentPort?.on('message', (m: WorkerRequest) => {
  if (m.type === 'forget') {
    answer = null;
    return;
  }
  if (m.answer !== undefined) answer = m.answer;
  let value: unknown;
  try {
    value = jmespath.search(answer as Jmespath.JSONValue, m.expr);
  } catch (e) {
    reply({ id: m.id, ok: false, reason: 'error', message: (e instanceof Error ? e.message : String(e)).split('\n')[0]! });
    return;
  }
  const isTrue = truthy(value);
  // A check needs only whether the value is true; a false value is small (null, false, "", [], {}).
  if (m.mode === 'truthy' && isTrue) {
    reply({ id: m.id, ok: true, truthy: true });
    return;
  }
  if (jsonLongerThan(value, m.maxBytes)) {
    reply({ id: m.id, ok: false, reason: 'size' });
    return;
  }
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (e) {
    reply({ id: m.id, ok: false, reason: 'error', message: (e instanceof Error ? e.message : String(e)).split('\n')[0]! });
    return;
  }
  if (json !== undefined && Buffer.byteLength(json) > m.maxBytes) {
    reply({ id: m.id, ok: false, reason: 'size' });
    return;
  }
  reply({ id: m.id, ok: true, truthy: isTrue, ...(json !== undefined ? { json } : {}) });
});
