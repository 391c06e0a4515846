import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InvalidInputError } from './errors.js';
import { parseApplicationInput, safeParseApplicationInput, safeParseWith } from './parse.js';

describe('parseApplicationInput', () => {
  it('returns the trimmed input', () => {
    expect(parseApplicationInput({ name: ' Spock ', address: '123 Enterprise Street' })).toStrictEqual({
      name: 'Spock',
      address: '123 Enterprise Street',
    });
  });

  it('throws InvalidInputError with our own issue shape', () => {
    expect(() => parseApplicationInput({ name: '', address: 7 })).toThrow(InvalidInputError);
    expect(safeParseApplicationInput({ name: '', address: 7 })).toStrictEqual({
      ok: false,
      issues: [
        { code: 'too_small', path: ['name'], message: 'name must not be empty' },
        { code: 'invalid_type', path: ['address'], message: 'address must be a string' },
      ],
    });
  });
});

describe('toCheckIssues', () => {
  it('reports the snake_case code a custom issue carries in params, and `custom` otherwise', () => {
    const schema = z.object({
      a: z.string().refine(() => false, { params: { code: 'control_character' }, error: 'a is bad' }),
      b: z.string().refine(() => false, { error: 'b is bad' }),
    });
    expect(safeParseWith(schema, { a: '', b: '' })).toStrictEqual({
      ok: false,
      issues: [
        { code: 'control_character', path: ['a'], message: 'a is bad' },
        { code: 'custom', path: ['b'], message: 'b is bad' },
      ],
    });
  });

  it('says "Invalid input" once: not again in front of an issue from zod\'s default messages', () => {
    expect(safeParseWith(z.object({ n: z.number() }), { n: 'x' })).toStrictEqual({
      ok: false,
      issues: [{ code: 'invalid_type', path: ['n'], message: 'expected number, received string' }],
    });
    expect(() => parseApplicationInput([])).toThrow(/^Invalid input: an application must be an object: \{"name": …, "address": …\}$/);
    expect(safeParseApplicationInput('Spock')).toMatchObject({ ok: false, issues: [{ code: 'invalid_type', path: [] }] });
  });

  it('carries the field and position of a control character into InvalidInputError', () => {
    expect(() => parseApplicationInput({ name: 'Mallory', address: 'ABadAddress\u0000 123 Street' })).toThrow(
      'Invalid input: address: address must not contain control characters: U+0000 at position 12',
    );
  });
});
