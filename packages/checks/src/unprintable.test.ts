import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findUnprintable, formatCodePoint } from './unprintable.js';

describe('findUnprintable', () => {
  it('finds NUL at the start and in the middle, 1-based', () => {
    expect(findUnprintable('\u0000Spock')).toStrictEqual({ position: 1, codePoint: 0, kind: 'control_character' });
    expect(findUnprintable('ABadAddress\u0000 123 Street')).toStrictEqual({ position: 12, codePoint: 0, kind: 'control_character' });
  });

  it('finds tab, CR and LF, DEL and C1 controls', () => {
    expect(findUnprintable('Gabe\tSmith')).toMatchObject({ position: 5, codePoint: 0x09 });
    expect(findUnprintable('Gabe\rSmith')).toMatchObject({ position: 5, codePoint: 0x0d });
    expect(findUnprintable('Gabe\nSmith')).toMatchObject({ position: 5, codePoint: 0x0a });
    expect(findUnprintable('Gabe\u001b[2J')).toMatchObject({ position: 5, codePoint: 0x1b });
    expect(findUnprintable('Gabe\u007f')).toMatchObject({ position: 5, codePoint: 0x7f, kind: 'control_character' });
    expect(findUnprintable('Gabe\u0080')).toMatchObject({ codePoint: 0x80, kind: 'control_character' });
    expect(findUnprintable('Gabe\u009b31m')).toMatchObject({ position: 5, codePoint: 0x9b, kind: 'control_character' });
    expect(findUnprintable('Gabe\u009f')).toMatchObject({ codePoint: 0x9f, kind: 'control_character' });
  });

  it('finds lone high and low surrogates, reporting the first', () => {
    expect(findUnprintable('ab\ud83d')).toStrictEqual({ position: 3, codePoint: 0xd83d, kind: 'unpaired_surrogate' });
    expect(findUnprintable('ab\ud83dc')).toStrictEqual({ position: 3, codePoint: 0xd83d, kind: 'unpaired_surrogate' });
    expect(findUnprintable('\udc69ab')).toStrictEqual({ position: 1, codePoint: 0xdc69, kind: 'unpaired_surrogate' });
    expect(findUnprintable('👩\udc69')).toStrictEqual({ position: 3, codePoint: 0xdc69, kind: 'unpaired_surrogate' });
    expect(findUnprintable('x\u0000\ud800')).toMatchObject({ position: 2, kind: 'control_character' });
  });

  it('accepts astral pairs, ZWJ sequences, combining marks, RTL text and the characters next to the control ranges', () => {
    for (const text of ['👩‍🚀', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', 'Zoë', 'Zoe\u0308', 'שלום עולם', 'مرحبا', ' !~', '\u00a0\u00ff', '\u2028', '\ud7ff\ue000\uffff']) {
      expect(findUnprintable(text), text).toBeUndefined();
    }
  });

  it('agrees with a regular expression and with isWellFormed on any string', () => {
    const unit = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 1 }),
      fc.integer({ min: 0xd800, max: 0xdfff }).map((u) => String.fromCharCode(u)),
      fc.integer({ min: 0, max: 0xa0 }).map((u) => String.fromCharCode(u)),
    );
    fc.assert(
      fc.property(fc.string({ unit }), (text) => {
        const found = findUnprintable(text);
        // eslint-disable-next-line no-control-regex -- matching control characters is the point of this oracle
        const control = /[\u0000-\u001f\u007f-\u009f]/.test(text);
        const wellFormed = (text as string & { isWellFormed(): boolean }).isWellFormed();
        expect(found === undefined).toBe(!control && wellFormed);
        if (found) {
          expect(text.charCodeAt(found.position - 1)).toBe(found.codePoint);
          expect(findUnprintable(text.slice(0, found.position - 1))).toBeUndefined();
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('formatCodePoint', () => {
  it('writes at least four upper-case hex digits', () => {
    expect(formatCodePoint(0)).toBe('U+0000');
    expect(formatCodePoint(0x9b)).toBe('U+009B');
    expect(formatCodePoint(0xd83d)).toBe('U+D83D');
    expect(formatCodePoint(0x1f469)).toBe('U+1F469');
  });
});
