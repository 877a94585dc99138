/**
 * Where a JSON text stops being valid, as an offset: V8's messages do not always say, and quote the
 * text when they do not, which must never be shown (a snippet path may point at a key file).
 * Returns undefined when the text is valid JSON.
 */
export function jsonErrorOffset(text: string): number | undefined {
  let i = 0;
  const n = text.length;
  const ws = (): void => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const literal = (word: string): boolean => {
    if (text.startsWith(word, i)) {
      i += word.length;
      return true;
    }
    return false;
  };
  const string = (): boolean => {
    if (text[i] !== '"') return false;
    i++;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return true;
      }
      if (c < 0x20) return false;
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return false;
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else return false;
      } else i++;
    }
    return false;
  };
  const number = (): boolean => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) return false;
    i += m[0].length;
    return true;
  };
  /** An object member's key and colon. */
  const key = (): boolean => {
    ws();
    if (!string()) return false;
    ws();
    if (text[i] !== ':') return false;
    i++;
    return true;
  };
  // A loop with an explicit stack: arrays and objects may nest deeper than the call stack allows.
  const stack: string[] = [];
  let wantValue = true;
  for (;;) {
    ws();
    if (wantValue) {
      const c = text[i];
      if (c === '[' || c === '{') {
        i++;
        ws();
        if (text[i] === (c === '[' ? ']' : '}')) {
          i++;
          wantValue = false;
          continue;
        }
        stack.push(c);
        if (c === '{' && !key()) return Math.min(i, n);
        continue;
      }
      const ok = c === '"' ? string() : c === 't' ? literal('true') : c === 'f' ? literal('false') : c === 'n' ? literal('null') : number();
      if (!ok) return Math.min(i, n);
      wantValue = false;
      continue;
    }
    const top = stack[stack.length - 1];
    if (top === undefined) break;
    if (text[i] === ',') {
      i++;
      wantValue = true;
      if (top === '{' && !key()) return Math.min(i, n);
      continue;
    }
    if (text[i] !== (top === '[' ? ']' : '}')) return Math.min(i, n);
    stack.pop();
    i++;
  }
  return i < n ? i : undefined;
}
