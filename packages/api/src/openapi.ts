import { InvalidInputError, toCheckIssues } from '@bank/checks';
import type { Hook } from '@hono/zod-openapi';
import type { AuthVariables } from './auth.js';
import type { RequestVariables } from './logger.js';
import { PROBLEM_CONTENT_TYPE } from './problem.js';
import { ProblemSchema } from './schemas.js';

/** The Hono environment of every route: the request id, and on authenticated routes the principal, are kept on the context. */
export type AppEnv = { Variables: RequestVariables & AuthVariables };

/** The OpenAPI security scheme of reviewer routes. */
export const REVIEWER_SCHEME = 'reviewerToken';

/** The OpenAPI security scheme of submission routes, when `BANK_SUBMIT_TOKENS` gates them. */
export const SUBMIT_SCHEME = 'submitToken';

/**
 * Turns a failed zod validation (body, query or path) into an `invalid_input` error with every issue; the
 * app's error handler renders it as a `400` problem. Thrown rather than returned, so routes never build errors.
 * @throws {InvalidInputError} when validation failed.
 */
export const validationHook: Hook<unknown, AppEnv, string, undefined> = (result) => {
  if (!result.success) throw new InvalidInputError(toCheckIssues(result.error.issues));
  return undefined;
};

type ProblemResponse = {
  description: string;
  content: { [PROBLEM_CONTENT_TYPE]: { schema: typeof ProblemSchema } };
};

/** Declares problem responses for an OpenAPI route: `{ 404: 'No such application' }`. */
export function problemResponses<const S extends Record<number, string>>(descriptions: S): { [K in keyof S]: ProblemResponse } {
  return Object.fromEntries(
    Object.entries(descriptions).map(([status, description]) => [
      status,
      { description, content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } } },
    ]),
  ) as { [K in keyof S]: ProblemResponse };
}

/** The problems every JSON-body route can answer with. */
export const BODY_PROBLEMS = {
  400: 'The body is not JSON or does not match the schema (every issue is listed with its path).',
  413: 'The body is larger than 16 KiB.',
  415: 'The body is not sent as `application/json`.',
} as const;

/** The problem of routes behind a bearer token. */
export const AUTH_PROBLEMS = {
  401: 'The `Authorization: Bearer` token is missing or wrong.',
} as const;
