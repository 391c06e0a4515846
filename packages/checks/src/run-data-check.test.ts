import { describe, expect, it } from 'vitest';
import { isInvalidInputError, UnprocessableDataError, type InvalidInputError } from './errors.js';
import { runDataCheck } from './run-data-check.js';

const invalid = (command: unknown): InvalidInputError => {
  try {
    runDataCheck(command);
  } catch (e) {
    if (isInvalidInputError(e)) return e;
    throw e;
  }
  throw new Error('expected runDataCheck to throw');
};

describe('runDataCheck', () => {
  it('answers the reference command payloads', () => {
    expect(runDataCheck({ command: 'CHECK_NAME', data: { name: 'Spock' } })).toStrictEqual({ flagged: false });
    expect(runDataCheck({ command: 'CHECK_ADDRESS', data: { address: '123 Enterprise Street' } })).toStrictEqual({
      flagged: false,
    });
    expect(runDataCheck({ command: 'CHECK_ADDRESS', data: { address: 'ABadAddress' } }).flagged).toBe(true);
    expect(runDataCheck({ command: 'CHECK_NAME', data: { name: 'evil Spock' } }).flagged).toBe(true);
  });

  it('throws UnprocessableDataError from the name check', () => {
    expect(() => runDataCheck({ command: 'CHECK_NAME', data: { name: 'UNPROCESSABLE_DATA' } })).toThrow(UnprocessableDataError);
  });

  it('rejects an unknown command with a clear, typed error', () => {
    const error = invalid({ command: 'CHECK_SHOE_SIZE', data: {} });
    expect(error.code).toBe('invalid_input');
    expect(error.issues).toStrictEqual([
      { code: 'invalid_union', path: ['command'], message: 'command must be one of CHECK_NAME, CHECK_ADDRESS' },
    ]);
    expect(error.message).toContain('command must be one of CHECK_NAME, CHECK_ADDRESS');
  });

  it('rejects data that does not fit the command', () => {
    expect(invalid({ command: 'CHECK_NAME', data: { address: '1 Main' } }).issues.map((i) => i.path)).toEqual(
      expect.arrayContaining([['data', 'name']]),
    );
    expect(invalid({ command: 'CHECK_ADDRESS', data: { address: '' } }).issues).toMatchObject([
      { code: 'too_small', path: ['data', 'address'] },
    ]);
    expect(invalid({ command: 'CHECK_NAME' }).issues).toMatchObject([{ code: 'invalid_type', path: ['data'] }]);
  });

  it('rejects non-object commands', () => {
    for (const bad of [null, 'CHECK_NAME', 1, []]) expect(invalid(bad).code).toBe('invalid_input');
  });
});
