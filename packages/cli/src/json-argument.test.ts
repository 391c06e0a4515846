import { isDomainError } from '@bank/core';
import { describe, expect, it } from 'vitest';
import { parseJsonArgument } from './json-argument.js';

const failure = (text: string) => {
  try {
    parseJsonArgument(text, '--data');
  } catch (e) {
    if (isDomainError(e)) return { code: e.code, message: e.message, issues: e.issues };
    throw e;
  }
  throw new Error(`${text} parsed`);
};

describe('parseJsonArgument', () => {
  it('returns the parsed value', () => {
    expect(parseJsonArgument('{"name":"Spock","address":"1 Main"}', '--data')).toStrictEqual({ name: 'Spock', address: '1 Main' });
    expect(parseJsonArgument('[]', '--data')).toStrictEqual([]);
  });

  it('says what is wrong and at which line and column, once', () => {
    expect(failure('{"name":"Spock"')).toStrictEqual({
      code: 'invalid_input',
      message: "--data is not valid JSON: expected ',' or '}' after property value at line 1, column 16",
      issues: [
        {
          code: 'invalid_json',
          path: [],
          message: "--data is not valid JSON: expected ',' or '}' after property value at line 1, column 16",
        },
      ],
    });
    expect(failure('{\n  "name": "Spock",\n  "address" "1 Main"\n}').message).toBe(
      '--data is not valid JSON: unexpected string at line 3, column 13',
    );
    expect(failure('').message).toBe('--data is not valid JSON: unexpected end of input at line 1, column 1');
    expect(failure('{"a":1}}').message).toBe(
      '--data is not valid JSON: unexpected non-whitespace character after JSON at line 1, column 8',
    );
  });

  it('finds the position of an unexpected token, which V8 does not state', () => {
    expect(failure('{"name":x}').message).toBe("--data is not valid JSON: unexpected token 'x' at line 1, column 9");
    expect(failure('[1,]').message).toBe("--data is not valid JSON: unexpected token ']' at line 1, column 4");
    expect(failure('true\n  x').message).toBe(
      '--data is not valid JSON: unexpected non-whitespace character after JSON at line 2, column 3',
    );
    expect(failure('{"a":\n tru}').message).toBe("--data is not valid JSON: unexpected token '}' at line 2, column 5");
  });
});
