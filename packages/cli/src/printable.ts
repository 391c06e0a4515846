// Stored and remote data reaches the terminal only through these two functions: a name written by an older release
// (or sent by a remote API) may hold an escape sequence that clears the reviewer's screen, or a newline that breaks
// the `bank list` table.

const SHORT_ESCAPES: Readonly<Record<number, string>> = { 0x09: '\\t', 0x0a: '\\n', 0x0d: '\\r' };

const hex = (unit: number, digits: number): string => unit.toString(16).toUpperCase().padStart(digits, '0');
const isControl = (unit: number): boolean => unit <= 0x1f || (unit >= 0x7f && unit <= 0x9f);
const isHigh = (unit: number): boolean => unit >= 0xd800 && unit <= 0xdbff;
const isLow = (unit: number): boolean => unit >= 0xdc00 && unit <= 0xdfff;

/** The escape for the code unit at `i`, or `undefined` when it is printed as it is. */
function escapeAt(text: string, i: number): string | undefined {
  const unit = text.charCodeAt(i);
  if (isControl(unit)) return SHORT_ESCAPES[unit] ?? `\\x${hex(unit, 2)}`;
  if (isHigh(unit) ? !isLow(text.charCodeAt(i + 1)) : isLow(unit) && !isHigh(text.charCodeAt(i - 1))) return `\\u${hex(unit, 4)}`;
  return undefined;
}

/** Characters that, right after a backslash, would make it read as the start of an escape. */
const ESCAPE_STARTS = new Set(['\\', 't', 'n', 'r', 'x', 'u']);

/**
 * Renders text for a terminal, visibly and unambiguously: every C0 control, DEL and C1 control becomes an escape
 * (`\t`, `\n`, `\r`, else `\xHH`, e.g. ESC is `\x1B` and the one-byte CSI U+009B is `\x9B`), and an unpaired UTF-16
 * surrogate becomes `\uHHHH` (e.g. `\uD800`). Everything else, all other Unicode included, is printed as it is. A
 * literal backslash is doubled only where it could otherwise be read as the start of an escape: when the next
 * character is a backslash, `t`, `n`, `r`, `x`, `u` or a character that is itself escaped. So `C:\Users` is shown as
 * it is, while a name that literally contains `\x1B` is shown as `\\x1B`, and the output always decodes back to
 * exactly one text. Apply it to stored or remote data before colouring, so the palette's own ANSI codes still work.
 */
export function printable(text: string): string {
  let out = '';
  let from = 0; // start of the run not yet copied to `out`
  for (let i = 0; i < text.length; i++) {
    let replacement = escapeAt(text, i);
    if (replacement === undefined && text[i] === '\\') {
      const next = text[i + 1];
      if (next !== undefined && (ESCAPE_STARTS.has(next) || escapeAt(text, i + 1) !== undefined)) replacement = '\\\\';
    }
    if (replacement !== undefined) {
      out += text.slice(from, i) + replacement;
      from = i + 1;
    }
  }
  return from === 0 ? text : out + text.slice(from);
}

/**
 * `JSON.stringify(value)`, also escaping DEL, the C1 controls (U+0080–U+009F; U+009B is a one-byte CSI on some
 * terminals) and U+2028/U+2029 as `\u00XX` / `\u20XX`, which JSON.stringify leaves raw. C0 controls and unpaired
 * surrogates are escaped by JSON.stringify already. The result is valid JSON that parses back to the same value, and
 * holds no character a terminal acts on.
 */
export function printableJson(value: unknown): string {
  const json: string | undefined = JSON.stringify(value);
  // Outside strings JSON has only ASCII punctuation, digits and letters, so each match is inside a string, where a
  // \uXXXX escape means the same character.
  return json === undefined ? 'undefined' : json.replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${hex(c.charCodeAt(0), 4)}`);
}
