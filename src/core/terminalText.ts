/**
 * Text that did not come from us (a server's errors, reasons, HTML or certificate subject, a snippet's
 * file name) is printed to a terminal only with what a terminal acts on made visible: ESC (colours,
 * OSC 8 links, OSC 52 clipboard writes, cursor moves), BEL, every other C0 control but line feed and
 * tab, DEL, the C1 controls U+0080–U+009F (U+009B is CSI on its own), carriage return (a bare one
 * rewrites the line already shown), and the bidirectional overrides and isolates that can make text
 * read as something else (U+202A–U+202E, U+2066–U+2069).
 */

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Each unsafe character as its escape (`\u001b`, `\u009b`, `\r`), everything else as it is. The escapes
 * are JSON's own, and JSON never holds these characters unescaped outside a string, so JSON stays
 * valid and equal in value; in XML they are plain text.
 */
export function neutralize(text: string): string {
  return text.replace(UNSAFE, (c) => (c === '\r' ? '\\r' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}
