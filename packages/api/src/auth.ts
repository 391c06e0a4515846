// Runtime-neutral: no node:crypto, so the same check runs on Node and on Workers.
import { DomainError } from '@bank/core';
import type { MiddlewareHandler } from 'hono';

const encoder = new TextEncoder();

/**
 * Compares two byte strings in time that depends only on their lengths, never on where they differ.
 * A length difference still makes the result `false`, after the same amount of work.
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  const length = Math.max(a.length, b.length);
  let diff = a.length ^ b.length;
  for (let i = 0; i < length; i++) {
    diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  }
  return diff === 0;
}

/** Splits a comma-separated token list (as in `BANK_REVIEWER_TOKENS`), trimming and dropping empty entries. */
export function parseTokenList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((token) => token.trim())
    .filter((token) => token.length > 0);
}

/** Builds a matcher that tells whether a candidate equals one of `tokens`, comparing every token in constant time. */
export function createTokenMatcher(tokens: readonly string[]): (candidate: string) => boolean {
  const expected = tokens.filter((t) => t.length > 0).map((t) => encoder.encode(t));
  return (candidate) => {
    const given = encoder.encode(candidate);
    let matched = false;
    // No early exit: every configured token is compared, so timing does not reveal which one matched.
    for (const token of expected) matched = constantTimeEqual(token, given) || matched;
    return matched;
  };
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/** Extracts the credential of an `Authorization: Bearer <token>` header, if that is what the header holds. */
export function bearerToken(header: string | undefined): string | undefined {
  return header === undefined ? undefined : BEARER.exec(header)?.[1];
}

/**
 * A middleware that lets a request through only with `Authorization: Bearer <token>` for one of `tokens`.
 * With no tokens configured nothing gets through: an empty list locks the routes, it never opens them.
 * @throws {DomainError} `unauthorized` when the token is missing or wrong.
 */
export function requireBearer(tokens: readonly string[]): MiddlewareHandler {
  const matches = createTokenMatcher(tokens);
  return async function requireBearer(c, next) {
    const token = bearerToken(c.req.header('authorization'));
    if (token === undefined) throw new DomainError('unauthorized', 'this action needs an Authorization: Bearer token');
    if (!matches(token)) throw new DomainError('unauthorized', 'the bearer token is not valid');
    await next();
  };
}

/** A middleware that lets every request through (for routes that are open unless tokens are configured). */
export const allowAll: MiddlewareHandler = async function allowAll(_c, next) {
  await next();
};
