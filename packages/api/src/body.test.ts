import { describe, expect, it } from 'vitest';
import { isJsonContentType } from './body.js';

describe('isJsonContentType', () => {
  it.each([
    ['application/json', true],
    ['APPLICATION/JSON', true],
    ['application/json;charset=utf-8', true],
    ['application/json; charset=UTF-8', true],
    ['application/json; charset="utf-8"', true],
    [' application/json ', true],
    [undefined, false],
    ['', false],
    ['application/json; charset=iso-8859-1', false],
    ['application/json; boundary=x', false],
    ['application/json ; charset=utf-8', false],
    ['application/vnd.api+json', false],
    ['application/jsonp', false],
    ['text/json', false],
    ['text/plain', false],
    ['multipart/form-data; boundary=x', false],
  ])('%j → %j', (header, expected) => {
    expect(isJsonContentType(header)).toBe(expected);
  });
});
