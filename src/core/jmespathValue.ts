/**
 * What the JMESPath worker and the main thread both need to know about a value: its truthiness and
 * whether its JSON could be large. Nothing here imports the library, so the main thread loads it cheaply.
 */

/** JMESPath's own truthiness: false, null, "", [] and {} are false; every number, 0 too, is true. */
export function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

/**
 * Whether the JSON of `v` is certainly longer than `limit` characters, found without writing it: a
 * result made of shared parts (`[@,@] | [@,@] | …`) is small in memory and exponential as text, so
 * the walk stops as soon as the count passes the limit. The count is a lower bound (escapes are not
 * counted), so a value it lets through is still measured exactly once written.
 */
export function jsonLongerThan(v: unknown, limit: number): boolean {
  let size = 0;
  const stack: unknown[] = [v];
  while (stack.length) {
    const x = stack.pop();
    if (typeof x === 'string') size += x.length + 2;
    else if (x === null || typeof x !== 'object') size += 4;
    else if (Array.isArray(x)) {
      size += 2 + x.length;
      if (size > limit) return true;
      for (const item of x) stack.push(item);
    } else {
      for (const [k, item] of Object.entries(x)) {
        size += k.length + 4;
        if (size > limit) return true;
        stack.push(item);
      }
      size += 2;
    }
    if (size > limit) return true;
  }
  return false;
}
