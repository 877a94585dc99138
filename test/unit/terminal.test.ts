import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { neutralize } from '../../src/core/terminalText';

describe('neutralize: text for a terminal', () => {
  it('escapes ESC, BEL, the other C0 controls, CR, DEL, C1 and bidi overrides; keeps LF, tab and other text', () => {
    assert.equal(neutralize('a\x1b]8;;https://x\x1b\\b\x07'), 'a\\u001b]8;;https://x\\u001b\\b\\u0007');
    assert.equal(
      neutralize('\u009b2J\u0080\u009f\x7f\x00\x08\x0b\x0c\x1f'),
      '\\u009b2J\\u0080\\u009f\\u007f\\u0000\\u0008\\u000b\\u000c\\u001f',
    );
    assert.equal(neutralize('one\r\ntwo\rthree'), 'one\\r\ntwo\\rthree');
    assert.equal(neutralize('\u202aa\u202eb\u2066c\u2069'), '\\u202aa\\u202eb\\u2066c\\u2069');
    assert.equal(neutralize('lines\n\tindented, é ü 日本 \u00a0 \u200b 🙂'), 'lines\n\tindented, é ü 日本 \u00a0 \u200b 🙂');
  });

  it('JSON stays valid and equal in value, whatever its strings hold', () => {
    const all =
      Array.from({ length: 0xa0 }, (_, i) => String.fromCharCode(i)).join('') +
      '\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069 \\ \\\u009b "';
    const value = { [all]: [all, { nested: all }], n: 1 };
    for (const text of [JSON.stringify(value), JSON.stringify(value, null, 2)]) {
      const shown = neutralize(text);
      // eslint-disable-next-line no-control-regex
      assert.doesNotMatch(shown, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
      assert.deepEqual(JSON.parse(shown), value);
    }
  });
});
