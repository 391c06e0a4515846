/** What kind of character {@link findUnprintable} found: also the issue code a schema reports for it. */
export type UnprintableKind = 'control_character' | 'unpaired_surrogate';

/** The first character of a text that cannot be stored and shown as written, and where it is. */
export interface Unprintable {
  /** 1-based position in UTF-16 code units (the unit of `String.length` and of `MAX_FIELD_LENGTH`). */
  readonly position: number;
  /** The offending code point: a C0 or C1 control, DEL, or the lone surrogate's code unit. */
  readonly codePoint: number;
  /** `control_character` (U+0000–U+001F, U+007F–U+009F) or `unpaired_surrogate` (U+D800–U+DFFF alone). */
  readonly kind: UnprintableKind;
}

const isControl = (unit: number): boolean => unit <= 0x1f || (unit >= 0x7f && unit <= 0x9f);
const isHighSurrogate = (unit: number): boolean => unit >= 0xd800 && unit <= 0xdbff;
const isLowSurrogate = (unit: number): boolean => unit >= 0xdc00 && unit <= 0xdfff;

/**
 * Finds the first character in `text` that is not text a person wrote or cannot round-trip through UTF-8 (and so
 * through SQLite, Postgres and JSON): a C0 control (U+0000–U+001F, tab, CR and LF included), DEL (U+007F), a C1
 * control (U+0080–U+009F) or an unpaired UTF-16 surrogate. Returns `undefined` when there is none.
 * @example
 * ```ts
 * findUnprintable('ABadAddress\u0000 123 Street'); // { position: 12, codePoint: 0, kind: 'control_character' }
 * ```
 */
export function findUnprintable(text: string): Unprintable | undefined {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (isControl(unit)) {
      return { position: i + 1, codePoint: unit, kind: 'control_character' };
    } else if (isHighSurrogate(unit)) {
      if (isLowSurrogate(text.charCodeAt(i + 1)))
        i++; // a valid pair: one astral code point
      else return { position: i + 1, codePoint: unit, kind: 'unpaired_surrogate' };
    } else if (isLowSurrogate(unit)) {
      return { position: i + 1, codePoint: unit, kind: 'unpaired_surrogate' };
    }
  }
  return undefined;
}

/** Writes a code point the way Unicode names it, e.g. `U+0000`, `U+009B`, `U+D83D`. */
export const formatCodePoint = (codePoint: number): string => `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
