import { describe, expect, it } from 'vitest';
import { isUnprocessableDataError, UnprocessableDataError } from '../errors.js';
import { checkName } from './check-name.js';

describe('checkName', () => {
  it('passes the reference name Spock with exactly { flagged: false }', () => {
    expect(checkName('Spock')).toStrictEqual({ flagged: false });
  });

  it('flags a name containing evil, with a reason', () => {
    const result = checkName('evil Spock');
    expect(result.flagged).toBe(true);
    expect(result.reason).toMatch(/evil/);
  });

  it('flags evil inside a word', () => {
    expect(checkName('Dr Medevil').flagged).toBe(true);
    expect(checkName('Bevilacqua').flagged).toBe(true);
  });

  it('matches evil case-sensitively, as the reference does', () => {
    expect(checkName('EVIL Kirk').flagged).toBe(false);
    expect(checkName('Evil Kirk').flagged).toBe(false);
  });

  it('passes unicode names', () => {
    expect(checkName('Zoë Ångström-Łukasiewicz')).toStrictEqual({ flagged: false });
    expect(checkName('山田 太郎')).toStrictEqual({ flagged: false });
    expect(checkName('👩‍🚀 Uhura')).toStrictEqual({ flagged: false });
  });

  it('throws UnprocessableDataError for the reference unprocessable name', () => {
    expect(() => checkName('UNPROCESSABLE_DATA')).toThrow(UnprocessableDataError);
    try {
      checkName('UNPROCESSABLE_DATA');
      expect.unreachable();
    } catch (e) {
      expect(isUnprocessableDataError(e)).toBe(true);
      expect(e).toMatchObject({
        name: 'UnprocessableDataError',
        code: 'unprocessable_data',
        message: "Name 'UNPROCESSABLE_DATA' is not possible to check.",
      });
    }
  });

  it('throws for the marker anywhere in the name, even next to evil', () => {
    expect(() => checkName('evil UNPROCESSABLE_DATA here')).toThrow(UnprocessableDataError);
  });

  it('does not treat a lower-case marker as unprocessable', () => {
    expect(checkName('unprocessable_data')).toStrictEqual({ flagged: false });
  });
});
