import { describe, expect, it } from 'vitest';
import { InvalidInputError } from './errors.js';
import { parseApplicationInput, safeParseApplicationInput } from './parse.js';

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
