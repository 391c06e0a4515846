import { describe, expect, it } from 'vitest';
import { InvalidInputError, isInvalidInputError, isUnprocessableDataError, UnprocessableDataError } from './errors.js';

describe('isUnprocessableDataError', () => {
  it('recognises an instance', () => {
    const error = new UnprocessableDataError('nope');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('UnprocessableDataError');
    expect(error.code).toBe('unprocessable_data');
    expect(isUnprocessableDataError(error)).toBe(true);
  });

  it('recognises an error from another copy of the package by name and code', () => {
    class UnprocessableDataErrorCopy extends Error {
      override readonly name = 'UnprocessableDataError';
      readonly code = 'unprocessable_data';
    }
    expect(isUnprocessableDataError(new UnprocessableDataErrorCopy('x'))).toBe(true);
    expect(isUnprocessableDataError({ name: 'UnprocessableDataError', code: 'unprocessable_data', message: 'x' })).toBe(true);
  });

  it('rejects other errors and values', () => {
    for (const other of [
      new Error('x'),
      new TypeError('x'),
      { name: 'UnprocessableDataError' },
      null,
      undefined,
      'UnprocessableDataError',
    ]) {
      expect(isUnprocessableDataError(other)).toBe(false);
    }
  });
});

describe('InvalidInputError', () => {
  it('summarises its first issues in the message and keeps them all', () => {
    const issues = [1, 2, 3, 4, 5].map((n) => ({ code: 'too_small', path: ['items', n], message: `bad ${n}` }));
    const error = new InvalidInputError(issues);
    expect(error.message).toBe('Invalid input: items.1: bad 1; items.2: bad 2; items.3: bad 3 (and 2 more)');
    expect(error.issues).toHaveLength(5);
    expect(isInvalidInputError(error)).toBe(true);
    expect(isInvalidInputError({ name: 'InvalidInputError', code: 'invalid_input', issues: [] })).toBe(true);
    expect(isInvalidInputError(new UnprocessableDataError('x'))).toBe(false);
  });
});
