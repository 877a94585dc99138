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
  // An explicit stack: arrays and objects may nest deeper than the call stack allows.
  const stack: ('[' | '{')[] = [];
  const value = (): boolean => {
    ws();
    const c = text[i];
    if (c === '[' || c === '{') {
      stack.push(c);
      i++;
      ws();
      if (text[i] === (c === '[' ? ']' : '}')) {
        stack.pop();
        i++;
        return close();
      }
      return c === '[' ? value() : member();
    }
    const ok = c === '"' ? string() : c === 't' ? literal('true') : c === 'f' ? literal('false') : c === 'n' ? literal('null') : number();
    return ok && close();
  };
  const member = (): boolean => {
    ws();
    if (!string()) return false;
    ws();
    if (text[i] !== ':') return false;
    i++;
    return value();
  };
  /** After a value: a comma and the next one, or the end of the container, repeatedly. */
  const close = (): boolean => {
    for (;;) {
      const top = stack[stack.length - 1];
      if (!top) return true;
      ws();
      if (text[i] === ',') {
        i++;
        return top === '[' ? value() : member();
      }
      if (text[i] !== (top === '[' ? ']' : '}')) return false;
      stack.pop();
      i++;
    }
  };
  if (!value()) return Math.min(i, n);
  ws();
  return i < n ? i : undefined;
}
