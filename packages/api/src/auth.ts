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

/** The name recorded for a reviewer token configured without one. */
export const DEFAULT_REVIEWER_NAME = 'reviewer';

/** One configured credential: who it names, and the token (or the SHA-256 digest of the token) that proves it. */
export interface Credential {
  /** Who the credential names; recorded as the reviewer of every decision made with it. */
  readonly name: string;
  /** The token's UTF-8 bytes, or the 32 bytes of its SHA-256 digest when `digest` is true. */
  readonly secret: Uint8Array;
  /** Whether `secret` is a digest, so the server's environment holds no usable token. */
  readonly digest: boolean;
}

const NAMED = /^([A-Za-z0-9._@-]{1,64}):(.+)$/;
const DIGEST = /^sha256:([0-9a-f]{64})$/i;

const hexBytes = (hex: string): Uint8Array => Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16));

/**
 * Reads one configured entry: `token` (named `reviewer`), `name:token`, or `name:sha256:<64 hex digits>` (the
 * SHA-256 digest of the token, e.g. from `printf %s "$TOKEN" | sha256sum`). A name is 1–64 letters, digits and
 * `.`, `_`, `@`, `-`; so a plain token that contains `:` after such a prefix must be given a name.
 */
export function parseCredential(entry: string): Credential {
  const named = NAMED.exec(entry);
  const name = named?.[1] ?? DEFAULT_REVIEWER_NAME;
  const token = named?.[2] ?? entry;
  const digest = DIGEST.exec(token);
  return digest
    ? { name, secret: hexBytes(digest[1]!.toLowerCase()), digest: true }
    : { name, secret: encoder.encode(token), digest: false };
}

async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
}

/**
 * Builds a matcher that resolves with the name of the credential a candidate token proves, or `undefined`.
 * Every configured credential is compared in constant time, with no early exit, so timing reveals neither whether
 * nor which one matched.
 */
export function createTokenMatcher(entries: readonly string[]): (candidate: string) => Promise<string | undefined> {
  const credentials = entries.filter((t) => t.length > 0).map(parseCredential);
  const anyDigest = credentials.some((c) => c.digest);
  return async (candidate) => {
    const given = encoder.encode(candidate);
    const digest = anyDigest ? await sha256(given) : new Uint8Array(0);
    let matched: string | undefined;
    for (const credential of credentials) {
      const equal = constantTimeEqual(credential.secret, credential.digest ? digest : given);
      if (equal && matched === undefined) matched = credential.name;
    }
    return matched;
  };
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/** Extracts the credential of an `Authorization: Bearer <token>` header, if that is what the header holds. */
export function bearerToken(header: string | undefined): string | undefined {
  return header === undefined ? undefined : BEARER.exec(header)?.[1];
}

/** The variables the auth middleware sets on a request's context. */
export interface AuthVariables {
  /** The name bound to the credential the request proved, once a bearer middleware let it through. */
  principal: string;
}

/**
 * A middleware that lets a request through only with `Authorization: Bearer <token>` for one of `entries` (see
 * {@link parseCredential}), and sets `principal` to the name bound to that token. With no entries configured
 * nothing gets through: an empty list locks the routes, it never opens them.
 * @throws {DomainError} `unauthorized` when the token is missing or wrong.
 */
export function requireBearer(entries: readonly string[]): MiddlewareHandler<{ Variables: AuthVariables }> {
  const matches = createTokenMatcher(entries);
  return async function requireBearer(c, next) {
    const token = bearerToken(c.req.header('authorization'));
    if (token === undefined) throw new DomainError('unauthorized', 'this action needs an Authorization: Bearer token');
    const principal = await matches(token);
    if (principal === undefined) throw new DomainError('unauthorized', 'the bearer token is not valid');
    c.set('principal', principal);
    await next();
  };
}

/** A middleware that lets every request through (for routes that are open unless tokens are configured). */
export const allowAll: MiddlewareHandler = async function allowAll(_c, next) {
  await next();
};
