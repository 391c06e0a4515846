import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkAddress } from './check-address.js';

const digits = fc.stringMatching(/^\d{1,6}$/);
const word = fc.stringMatching(/^\w{1,12}$/);
const noDigits = fc.string({ unit: 'grapheme', maxLength: 60 }).map((s) => s.replace(/\d/g, ''));

describe('checkAddress', () => {
  it('passes the reference addresses with exactly { flagged: false }', () => {
    expect(checkAddress('123 Enterprise Street')).toStrictEqual({ flagged: false });
    expect(checkAddress('123 Street')).toStrictEqual({ flagged: false });
  });

  it('flags the reference bad address, with a reason', () => {
    const result = checkAddress('ABadAddress');
    expect(result.flagged).toBe(true);
    expect(result.reason).toEqual(expect.any(String));
  });

  it('passes a street followed by its number', () => {
    expect(checkAddress('Baker Street 221')).toStrictEqual({ flagged: false });
  });

  it('flags a number without a word beside it', () => {
    expect(checkAddress('123').flagged).toBe(true);
    expect(checkAddress('123  Main').flagged).toBe(true); // two spaces: not adjacent
    expect(checkAddress('123-Main').flagged).toBe(true);
  });

  it('applies ASCII word characters, as the reference does, to unicode addresses', () => {
    expect(checkAddress('12 Rue Émile Zola').flagged).toBe(false); // "12 Rue" matches
    expect(checkAddress('Straße 5').flagged).toBe(false); // "e 5" matches
    expect(checkAddress('東京都 1').flagged).toBe(true); // no ASCII word next to the number
  });

  it('never flags an address that contains a number then a word', () => {
    fc.assert(
      fc.property(fc.string(), digits, word, fc.string(), (before, n, w, after) => {
        expect(checkAddress(`${before}${n} ${w}${after}`).flagged).toBe(false);
      }),
    );
  });

  it('never flags an address that contains a word then a number', () => {
    fc.assert(
      fc.property(fc.string(), word, digits, fc.string(), (before, w, n, after) => {
        expect(checkAddress(`${before}${w} ${n}${after}`).flagged).toBe(false);
      }),
    );
  });

  it('always flags an address with no digits', () => {
    fc.assert(
      fc.property(noDigits, (address) => {
        expect(checkAddress(address).flagged).toBe(true);
      }),
    );
  });

  it('always returns a reason exactly when it flags, and never throws', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 120 }), (address) => {
        const result = checkAddress(address);
        expect('reason' in result).toBe(result.flagged);
      }),
    );
  });
});
