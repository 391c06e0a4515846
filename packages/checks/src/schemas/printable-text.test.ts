import { describe, expect, it } from 'vitest';
import { safeParseApplicationInput, safeParseWith } from '../parse.js';
import { DataCheckCommandSchema } from './data-check-command.js';
import { printableTextSchema } from './printable-text.js';

const note = printableTextSchema('note', { maxLength: 20 });
const issuesOf = (text: unknown) => {
  const result = safeParseWith(note, text);
  return result.ok ? [] : result.issues;
};

describe('printableTextSchema', () => {
  it('trims, and accepts the whitespace that trimming removes, a trailing newline included', () => {
    expect(note.parse('  Spock\n')).toBe('Spock');
    expect(note.parse('\r\n\tSpock \u000b\u000c')).toBe('Spock');
  });

  it('refuses NUL at the start and in the middle, with code, position and code point', () => {
    expect(issuesOf('\u0000Spock')).toStrictEqual([
      { code: 'control_character', path: [], message: 'note must not contain control characters: U+0000 at position 1' },
    ]);
    expect(issuesOf('Spo\u0000ck')[0]?.message).toBe('note must not contain control characters: U+0000 at position 4');
  });

  it('refuses tab, CR and LF between words, but not around them', () => {
    expect(issuesOf('Gabe\tSmith')[0]?.message).toBe('note must not contain control characters: U+0009 at position 5');
    expect(issuesOf('Gabe\r\nSmith')[0]?.message).toBe('note must not contain control characters: U+000D at position 5');
    expect(issuesOf(' Gabe\nSmith\n')[0]?.message).toBe('note must not contain control characters: U+000A at position 6');
  });

  it('refuses DEL and C1 controls, including the one-byte CSI U+009B and NEL U+0085 (which trim() keeps)', () => {
    expect(issuesOf('Gabe\u007f')[0]?.message).toBe('note must not contain control characters: U+007F at position 5');
    expect(issuesOf('\u009b31mGabe')[0]?.message).toBe('note must not contain control characters: U+009B at position 1');
    expect(issuesOf('Gabe\u0085')[0]?.message).toBe('note must not contain control characters: U+0085 at position 5');
    expect(issuesOf('\u001cGabe')[0]?.code).toBe('control_character');
  });

  it('refuses lone high and low surrogates', () => {
    expect(issuesOf('Gabe \ud83d')).toStrictEqual([
      { code: 'unpaired_surrogate', path: [], message: 'note must not contain unpaired UTF-16 surrogates: U+D83D at position 6' },
    ]);
    expect(issuesOf('\udc69 Gabe')[0]?.message).toBe('note must not contain unpaired UTF-16 surrogates: U+DC69 at position 1');
  });

  it('counts the position in UTF-16 code units of the string as sent, before trimming', () => {
    expect(issuesOf('  👩‍🚀\u0000')[0]?.message).toBe('note must not contain control characters: U+0000 at position 8');
  });

  it('accepts astral pairs, ZWJ sequences, combining marks and right-to-left text', () => {
    for (const text of ['👩‍🚀', 'Zoe\u0308', 'José', 'שלום', 'مرحبا بك', '山田 太郎']) expect(note.parse(text)).toBe(text);
  });

  it('reports the other problems too, and only once', () => {
    expect(issuesOf(`${'x'.repeat(21)}\u0000`).map((i) => i.code)).toStrictEqual(['control_character', 'too_big']);
    expect(issuesOf(' \t\n ').map((i) => i.code)).toStrictEqual(['too_small']);
    expect(issuesOf(7).map((i) => i.code)).toStrictEqual(['invalid_type']);
  });

  it('takes a minimum length', () => {
    const optional = printableTextSchema('note', { maxLength: 5, minLength: 0 });
    expect(optional.parse('  ')).toBe('');
    expect(printableTextSchema('code', { maxLength: 5, minLength: 2 }).safeParse('a').error?.issues[0]?.message).toBe(
      'code must be at least 2 characters',
    );
  });
});

describe('the name and address fields', () => {
  it('refuse the NUL that SQLite would cut off, naming the field and the position', () => {
    expect(safeParseApplicationInput({ name: 'Mallory', address: 'ABadAddress\u0000 123 Street' })).toStrictEqual({
      ok: false,
      issues: [
        { code: 'control_character', path: ['address'], message: 'address must not contain control characters: U+0000 at position 12' },
      ],
    });
  });

  it('report each field', () => {
    const result = safeParseApplicationInput({ name: '\u001b[2JEvil', address: '1 Main\ud800' });
    expect(result.ok ? [] : result.issues.map((i) => [i.code, i.path])).toStrictEqual([
      ['control_character', ['name']],
      ['unpaired_surrogate', ['address']],
    ]);
  });

  it('apply to the data-checking command too', () => {
    const result = safeParseWith(DataCheckCommandSchema, { command: 'CHECK_NAME', data: { name: 'Gabe\u009b' } });
    expect(result).toStrictEqual({
      ok: false,
      issues: [
        { code: 'control_character', path: ['data', 'name'], message: 'name must not contain control characters: U+009B at position 5' },
      ],
    });
  });
});
