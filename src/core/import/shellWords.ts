/**
 * A POSIX shell command line split into words, as sh would split it, without running anything: for
 * Import Request (a curl line from cPanel's docs or a browser's "Copy as cURL", a uapi/whmapi1 line).
 * Single quotes, double quotes with their backslash escapes, $'…' (ANSI-C quotes, as browsers write
 * them), backslash escapes and line continuations are read; `#` comments and blank lines are skipped;
 * `;`, `&&`, `||`, `|`, `&` and line ends separate commands. Expansions ($NAME, ${NAME}, $(…), `…`)
 * are never evaluated: they are kept in the word between EXPANSION_START and EXPANSION_END, so the
 * importer can tell "$CPANEL_TOKEN" from the text '$CPANEL_TOKEN'.
 */

export const EXPANSION_START = '\u0001';
export const EXPANSION_END = '\u0002';

/** Input the shell reader cannot read: the message says where. */
export class ShellSyntaxError extends Error {}

/** The commands of a text, each a list of words. */
export function shellCommands(input: string): string[][] {
  // The markers of expansions (and other control characters) cannot come from the text itself.
  if (
    [...input].some((ch) => {
      const c = ch.charCodeAt(0);
      return c < 0x09 || (c > 0x0d && c < 0x20);
    })
  )
    throw new ShellSyntaxError('The text has control characters: paste the command line as plain text.');
  const s = input.replace(/\r\n?/g, '\n');
  const commands: string[][] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const endWord = (): void => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  const endCommand = (): void => {
    endWord();
    if (words.length) commands.push(words);
    words = [];
  };
  const lineOf = (at: number): number => s.slice(0, at).split('\n').length;
  while (i < s.length) {
    const c = s[i]!;
    if (c === '\\') {
      if (s[i + 1] === '\n') {
        i += 2;
        continue;
      }
      if (i + 1 < s.length) {
        word += s[i + 1];
        inWord = true;
      }
      i += 2;
      continue;
    }
    if (c === '\n') {
      endCommand();
      i++;
      continue;
    }
    if (c === ' ' || c === '\t') {
      endWord();
      i++;
      continue;
    }
    if (c === '#' && !inWord) {
      while (i < s.length && s[i] !== '\n') i++;
      continue;
    }
    if (c === ';' || c === '|' || c === '&') {
      endCommand();
      i += s[i + 1] === c ? 2 : 1;
      continue;
    }
    if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) throw new ShellSyntaxError(`A single quote on line ${lineOf(i)} is not closed.`);
      word += s.slice(i + 1, end);
      inWord = true;
      i = end + 1;
      continue;
    }
    if (c === '$' && s[i + 1] === "'") {
      const r = ansiC(s, i + 2);
      if (!r) throw new ShellSyntaxError(`A $'…' quote on line ${lineOf(i)} is not closed.`);
      word += r.text;
      inWord = true;
      i = r.end;
      continue;
    }
    if (c === '"' || (c === '$' && s[i + 1] === '"')) {
      let j = c === '$' ? i + 2 : i + 1;
      let closed = false;
      while (j < s.length) {
        const d = s[j]!;
        if (d === '"') {
          closed = true;
          j++;
          break;
        }
        if (d === '\\' && j + 1 < s.length) {
          const e = s[j + 1]!;
          if (e === '\n') j += 2;
          else if ('$`"\\'.includes(e)) {
            word += e;
            j += 2;
          } else {
            word += d;
            j++;
          }
          continue;
        }
        if (d === '$' || d === '`') {
          const x = expansion(s, j);
          if (x) {
            word += x.marked;
            j = x.end;
            continue;
          }
        }
        word += d;
        j++;
      }
      if (!closed) throw new ShellSyntaxError(`A double quote on line ${lineOf(i)} is not closed.`);
      inWord = true;
      i = j;
      continue;
    }
    if (c === '$' || c === '`') {
      const x = expansion(s, i);
      if (x) {
        word += x.marked;
        inWord = true;
        i = x.end;
        continue;
      }
    }
    word += c;
    inWord = true;
    i++;
  }
  endCommand();
  return commands;
}

/** $NAME, ${…}, $(…) or `…` starting at `at`, kept unevaluated between the markers; undefined for a lone $. */
function expansion(s: string, at: number): { marked: string; end: number } | undefined {
  const mark = (inner: string, end: number): { marked: string; end: number } => ({
    marked: `${EXPANSION_START}${inner}${EXPANSION_END}`,
    end,
  });
  if (s[at] === '`') {
    const end = s.indexOf('`', at + 1);
    if (end < 0) throw new ShellSyntaxError('A backquote (`) is not closed.');
    return mark(`$(${s.slice(at + 1, end)})`, end + 1);
  }
  const next = s[at + 1];
  if (next === '{' || next === '(') {
    const close = next === '{' ? '}' : ')';
    let depth = 0;
    for (let j = at + 1; j < s.length; j++) {
      const d = s[j]!;
      if (d === "'") {
        const q = s.indexOf("'", j + 1);
        if (q < 0) break;
        j = q;
        continue;
      }
      if (d === next) depth++;
      else if (d === close && --depth === 0) return mark(next === '{' ? s.slice(at + 2, j) : `$(${s.slice(at + 2, j)})`, j + 1);
    }
    throw new ShellSyntaxError(`A ${next === '{' ? '${' : '$('} is not closed.`);
  }
  const m = /^[A-Za-z_][A-Za-z0-9_]*|^[0-9@*#?$!-]/.exec(s.slice(at + 1));
  return m ? mark(m[0], at + 1 + m[0].length) : undefined;
}

/** The text of a $'…' quote from `from` (after the opening quote) and where it ends. */
function ansiC(s: string, from: number): { text: string; end: number } | undefined {
  const simple: Record<string, string> = {
    n: '\n',
    t: '\t',
    r: '\r',
    a: '\u0007',
    b: '\b',
    e: '\u001b',
    E: '\u001b',
    f: '\f',
    v: '\v',
    '\\': '\\',
    "'": "'",
    '"': '"',
    '?': '?',
  };
  let out = '';
  let j = from;
  while (j < s.length) {
    const d = s[j]!;
    if (d === "'") return { text: out, end: j + 1 };
    if (d !== '\\') {
      out += d;
      j++;
      continue;
    }
    const e = s[j + 1] ?? '';
    if (e in simple) {
      out += simple[e];
      j += 2;
      continue;
    }
    const hex = (re: RegExp, skip: number): boolean => {
      const m = re.exec(s.slice(j + skip));
      if (!m) return false;
      const code = Number.parseInt(m[0], 16);
      out += code <= 0x10ffff ? String.fromCodePoint(code) : '';
      j += skip + m[0].length;
      return true;
    };
    if (e === 'x' && hex(/^[0-9A-Fa-f]{1,2}/, 2)) continue;
    if (e === 'u' && hex(/^[0-9A-Fa-f]{1,4}/, 2)) continue;
    if (e === 'U' && hex(/^[0-9A-Fa-f]{1,8}/, 2)) continue;
    const oct = /^[0-7]{1,3}/.exec(s.slice(j + 1));
    if (oct) {
      out += String.fromCharCode(Number.parseInt(oct[0], 8) & 0xff);
      j += 1 + oct[0].length;
      continue;
    }
    if (e === 'c' && j + 2 < s.length) {
      out += String.fromCharCode(s.charCodeAt(j + 2) & 0x1f);
      j += 3;
      continue;
    }
    out += `\\${e}`;
    j += 2;
  }
  return undefined;
}

/** Whether a word holds an expansion ($NAME, $(…)) anywhere. */
export function hasExpansion(word: string): boolean {
  return word.includes(EXPANSION_START);
}

/** The variable a word is made of alone ("$NAME" or "${NAME}"), or undefined. */
export function onlyVariable(word: string): string | undefined {
  const m = new RegExp(`^${EXPANSION_START}([A-Za-z_][A-Za-z0-9_]*)${EXPANSION_END}$`).exec(word);
  return m?.[1];
}

/** A word as a person reads it, each expansion written back as $NAME or $(…). */
export function shownWord(word: string): string {
  return word.replace(new RegExp(`${EXPANSION_START}([^${EXPANSION_END}]*)${EXPANSION_END}`, 'g'), (_m, inner: string) =>
    inner.startsWith('$(') ? inner : `$${inner}`,
  );
}
