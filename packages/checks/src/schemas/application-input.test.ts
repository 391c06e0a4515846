import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApplicationInputSchema } from './application-input.js';
import { MAX_FIELD_LENGTH } from './fields.js';

// Independent of findUnprintable: a C0/DEL/C1 control, or (with the u flag) a surrogate code point, which only a
// lone surrogate can be.
// eslint-disable-next-line no-control-regex -- matching control characters is the point of this oracle
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f]|\p{Cs}/u;
const roundTrips = (text: string) => new TextDecoder().decode(new TextEncoder().encode(text)) === text;

// Any Unicode text: every code point (binary), lone surrogates, grapheme clusters, and a dense mix of the
// characters the fields refuse or trim, so that most generated strings sit near the boundary.
const hostileUnit = fc.oneof(
  fc.constantFrom('\u0000', '\t', '\n', '\r', '\u000b', '\u001b', '\u007f', '\u0085', '\u009b', '\u00a0', ' ', '\ufeff', '\u2028'),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((u) => String.fromCharCode(u)),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);
const anyText = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'grapheme-composite' }),
  fc.string({ unit: hostileUnit }),
);

const issuesOf = (input: unknown) => {
  const result = ApplicationInputSchema.safeParse(input);
  expect(result.success).toBe(false);
  return result.error?.issues.map((i) => ({ code: i.code, path: i.path })) ?? [];
};

describe('ApplicationInputSchema', () => {
  it('accepts the three reference inputs unchanged', () => {
    for (const input of [
      { name: 'Spock', address: '123 Enterprise Street' },
      { name: 'Gabe', address: 'ABadAddress' },
      { name: 'UNPROCESSABLE_DATA', address: '123 Street' },
    ]) {
      expect(ApplicationInputSchema.parse(input)).toStrictEqual(input);
    }
  });

  it('trims both fields', () => {
    expect(ApplicationInputSchema.parse({ name: '  Spock\n', address: '\t123 Street ' })).toStrictEqual({
      name: 'Spock',
      address: '123 Street',
    });
  });

  it('rejects empty and whitespace-only fields', () => {
    expect(issuesOf({ name: '', address: '123 Street' })).toStrictEqual([{ code: 'too_small', path: ['name'] }]);
    expect(issuesOf({ name: 'Spock', address: ' \t\n ' })).toStrictEqual([{ code: 'too_small', path: ['address'] }]);
  });

  it('rejects over-long fields and accepts the maximum', () => {
    const max = 'x'.repeat(MAX_FIELD_LENGTH);
    expect(ApplicationInputSchema.parse({ name: max, address: `1 ${max.slice(2)}` }).name).toHaveLength(MAX_FIELD_LENGTH);
    expect(issuesOf({ name: `${max}y`, address: '123 Street' })).toStrictEqual([{ code: 'too_big', path: ['name'] }]);
    expect(issuesOf({ name: 'Spock', address: `${max}1` })).toStrictEqual([{ code: 'too_big', path: ['address'] }]);
  });

  it('measures the maximum after trimming', () => {
    const padded = `   ${'x'.repeat(MAX_FIELD_LENGTH)}   `;
    expect(ApplicationInputSchema.safeParse({ name: padded, address: '1 Main' }).success).toBe(true);
  });

  it('rejects non-string and missing values, naming the field', () => {
    for (const bad of [42, null, true, ['Spock'], { first: 'Spock' }]) {
      expect(issuesOf({ name: bad, address: '123 Street' })).toStrictEqual([{ code: 'invalid_type', path: ['name'] }]);
    }
    expect(issuesOf({ name: 'Spock' })).toStrictEqual([{ code: 'invalid_type', path: ['address'] }]);
    expect(ApplicationInputSchema.safeParse({ name: 'Spock' }).error?.issues[0]?.message).toBe('address is required');
  });

  it('rejects unknown keys', () => {
    expect(issuesOf({ name: 'Spock', address: '123 Street', admin: true })).toStrictEqual([{ code: 'unrecognized_keys', path: [] }]);
  });

  it('rejects documents that are not objects', () => {
    for (const bad of [null, 'Spock', 7, [], undefined]) {
      expect(issuesOf(bad)).toStrictEqual([{ code: 'invalid_type', path: [] }]);
    }
  });

  it('accepts unicode names and addresses', () => {
    const input = { name: '山田 太郎 👩‍🚀', address: '12 Rue Émile Zola, Zürich' };
    expect(ApplicationInputSchema.parse(input)).toStrictEqual(input);
  });

  it('never throws on any JSON value or Unicode text, and every accepted value is trimmed, bounded, printable and round-trips', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.json().map((j) => JSON.parse(j) as unknown),
          fc.record({ name: anyText, address: anyText }),
          fc.record({ name: anyText, address: anyText.map((a) => `1 ${a} Street`) }),
        ),
        (value) => {
          const result = ApplicationInputSchema.safeParse(value);
          if (result.success) {
            for (const field of [result.data.name, result.data.address]) {
              expect(field).toBe(field.trim());
              expect(field.length).toBeGreaterThan(0);
              expect(field.length).toBeLessThanOrEqual(MAX_FIELD_LENGTH);
              expect(field).not.toMatch(UNPRINTABLE);
              expect(roundTrips(field)).toBe(true);
            }
          } else {
            expect(result.error.issues.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('refuses exactly the fields with a control character or lone surrogate inside, at the position as sent', () => {
    fc.assert(
      fc.property(anyText, (name) => {
        const result = ApplicationInputSchema.safeParse({ name, address: '1 Main' });
        const issue = result.error?.issues.find((i) => i.code === 'custom');
        const trimmed = name.trim();
        const match = UNPRINTABLE.exec(trimmed);
        if (match) {
          const position = name.length - name.trimStart().length + match.index + 1;
          expect(issue?.path).toStrictEqual(['name']);
          expect(issue?.message).toMatch(new RegExp(`^name must not contain .+: U\\+[0-9A-F]{4} at position ${position}$`));
        } else {
          expect(issue).toBeUndefined();
          if (trimmed.length > 0 && trimmed.length <= MAX_FIELD_LENGTH) expect(result.data?.name).toBe(trimmed);
        }
      }),
      { numRuns: 5000 },
    );
  });
});
