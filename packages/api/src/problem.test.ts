import { InvalidInputError, UnprocessableDataError } from '@bank/checks';
import { DomainError, ERROR_CODES } from '@bank/core';
import { HTTPException } from 'hono/http-exception';
import { describe, expect, it } from 'vitest';
import { classify, DOMAIN_PROBLEMS, HTTP_PROBLEMS, HttpProblem, toProblemDocument } from './problem.js';

describe('DOMAIN_PROBLEMS', () => {
  it('maps every error code to a client or server error status', () => {
    expect(Object.keys(DOMAIN_PROBLEMS).sort()).toStrictEqual([...ERROR_CODES].sort());
    for (const code of ERROR_CODES) {
      const { status, title } = DOMAIN_PROBLEMS[code];
      expect(status >= 400 && status < 600, code).toBe(true);
      expect(title.length).toBeGreaterThan(0);
    }
    expect(DOMAIN_PROBLEMS.unauthorized.status).toBe(401);
    expect(DOMAIN_PROBLEMS.internal.status).toBe(500);
  });

  it('gives every client-error code its own status; server errors are 500, or 503 when retrying may help', () => {
    const statuses = [...Object.values(DOMAIN_PROBLEMS), ...Object.values(HTTP_PROBLEMS)].map((p) => p.status);
    const clientErrors = statuses.filter((s) => s < 500);
    expect(new Set(clientErrors).size).toBe(clientErrors.length);
    expect(DOMAIN_PROBLEMS.store_unavailable.status).toBe(503);
    expect(DOMAIN_PROBLEMS.store_corrupt.status).toBe(500);
  });

  it('sends Retry-After with every 503, and never with a 500', () => {
    expect(classify(new DomainError('store_unavailable', 'locked')).headers).toMatchObject({ 'Retry-After': '1' });
    expect(classify(new HTTPException(503)).headers).toMatchObject({ 'Retry-After': '1' });
    expect(classify(new DomainError('store_corrupt', 'bad page')).headers).not.toHaveProperty('Retry-After');
    expect(classify(new DomainError('store_corrupt', 'SQLITE_CORRUPT in /data/bank.db')).detail).not.toContain('/data');
  });
});

describe('classify', () => {
  it('keeps a domain error code, message and issues', () => {
    const issues = [{ code: 'too_small', path: ['name'], message: 'name must not be empty' }];
    expect(classify(new DomainError('invalid_input', 'bad', { issues }))).toMatchObject({
      code: 'invalid_input',
      status: 400,
      detail: 'bad',
      issues,
    });
  });

  it('turns invalid input from @bank/checks into invalid_input', () => {
    const issues = [{ code: 'invalid_type', path: ['address'], message: 'address is required' }];
    expect(classify(new InvalidInputError(issues))).toMatchObject({ code: 'invalid_input', status: 400, issues });
  });

  it('challenges for a bearer token on 401', () => {
    expect(classify(new DomainError('unauthorized', 'no')).headers).toStrictEqual({ 'WWW-Authenticate': 'Bearer realm="bank-workflows"' });
  });

  it('hides the message of server-side failures', () => {
    expect(classify(new Error('secret path /etc')).detail).toBe('An unexpected error occurred.');
    expect(classify(new UnprocessableDataError("Name 'x' is not possible to check.")).code).toBe('internal');
    expect(classify(new DomainError('store_unavailable', 'disk /dev/sda1 full')).detail).not.toContain('sda1');
  });

  it('keeps the headers of an HTTP problem', () => {
    expect(classify(new HttpProblem('method_not_allowed', 'no', { Allow: 'GET' }))).toMatchObject({
      code: 'method_not_allowed',
      status: 405,
      headers: { Allow: 'GET' },
    });
  });

  it.each([
    [400, 'invalid_input'],
    [401, 'unauthorized'],
    [413, 'payload_too_large'],
    [415, 'unsupported_media_type'],
    [418, 'internal'],
  ] as const)("maps Hono's HTTPException %i to %s", (status, code) => {
    expect(classify(new HTTPException(status, { message: 'from hono' })).code).toBe(code);
  });
});

describe('toProblemDocument', () => {
  it('leaves out empty issues, and stack and cause outside development', () => {
    const failure = classify(new DomainError('internal', 'x', { cause: new Error('why') }));
    const doc = toProblemDocument(failure, '/here', { requestId: 'r' });
    expect(doc).toStrictEqual({
      type: '/problems/internal',
      title: 'Internal server error',
      status: 500,
      detail: 'An unexpected error occurred.',
      instance: '/here',
      code: 'internal',
      requestId: 'r',
    });
    expect(toProblemDocument(failure, '/here', { dev: true })).toMatchObject({ stack: expect.any(String), cause: 'Error: why' });
  });
});
