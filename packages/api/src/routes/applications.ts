import { safeParseWith } from '@bank/checks';
import { DomainError, IdempotencyKeySchema, type Application, type Runtime } from '@bank/core';
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { jsonBody } from '../body.js';
import { AUTH_PROBLEMS, BODY_PROBLEMS, problemResponses, REVIEWER_SCHEME, SUBMIT_SCHEME, validationHook, type AppEnv } from '../openapi.js';
import {
  ApplicationInputBodySchema,
  ApplicationPageSchema,
  ApplicationParamsSchema,
  ApplicationSchema,
  HistorySchema,
  ListQueryParamsSchema,
  ReviewBodySchema,
} from '../schemas.js';

/** What the application routes need. */
export interface ApplicationRoutesDeps {
  /** The durable runtime. */
  readonly runtime: Runtime;
  /** Lets only reviewers through. */
  readonly reviewer: MiddlewareHandler;
  /** Lets submitters through (everyone, unless submit tokens are configured). */
  readonly submitter: MiddlewareHandler;
  /** Whether submitting needs a token (for the OpenAPI document). */
  readonly submitGated: boolean;
}

/** The header that makes a submission idempotent. */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/** Where an application lives. */
export const locationOf = (id: string): string => `/applications/${encodeURIComponent(id)}`;

/**
 * Validates an `Idempotency-Key` header (1–255 visible ASCII characters), if one was sent.
 * @throws {DomainError} `invalid_input` with the header as the issue's path.
 */
function idempotencyKeyOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const result = safeParseWith(IdempotencyKeySchema, header);
  if (result.ok) return result.value;
  const issues = result.issues.map((issue) => ({ ...issue, path: [IDEMPOTENCY_KEY_HEADER] }));
  throw new DomainError('invalid_input', `${IDEMPOTENCY_KEY_HEADER}: ${issues[0]?.message ?? 'invalid'}`, { issues });
}

/**
 * The application as an applicant (an anonymous submitter, or one repeating an `Idempotency-Key`) may see it: what
 * they sent, where it stands and the checks. The task token, the review (who decided, their note) and the
 * execution's internals stay with reviewers.
 */
export function forApplicant(application: Application): Application {
  const { id, name, address, state, checks, reason, execution, createdAt, updatedAt } = application;
  return {
    id,
    name,
    address,
    state,
    ...(checks === undefined ? {} : { checks }),
    ...(reason === undefined ? {} : { reason }),
    execution: {
      status: execution.status,
      ...(execution.nextAttemptAt === undefined ? {} : { nextAttemptAt: execution.nextAttemptAt }),
    },
    createdAt,
    updatedAt,
  };
}

const applicationContent = { 'application/json': { schema: ApplicationSchema } } as const;
const reviewerSecurity = [{ [REVIEWER_SCHEME]: [] }];

/** The `/applications` routes: submit (open or gated), and list, get, history and review (reviewers only). */
export function applicationRoutes(deps: ApplicationRoutesDeps) {
  const { runtime, reviewer, submitter } = deps;

  const submit = createRoute({
    method: 'post',
    path: '/applications',
    tags: ['applications'],
    operationId: 'submitApplication',
    summary: 'Submit an application',
    description:
      'Runs the name and address checks and returns the application at its settled point: `APPROVED`, ' +
      '`FLAGGED_FOR_REVIEW` or `FLAGGED_WITH_UNPROCESSABLE_DATA` (`201`), or still `SUBMITTED` while a check waits ' +
      'for a retry (`202`). With an `Idempotency-Key`, repeating the request returns the same application.',
    middleware: [submitter, jsonBody()] as const,
    ...(deps.submitGated ? { security: [{ [SUBMIT_SCHEME]: [] }] } : {}),
    parameters: [
      {
        name: IDEMPOTENCY_KEY_HEADER,
        in: 'header',
        required: false,
        description: 'Same key and same body give the same application; same key and another body is a `409`.',
        schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
      },
    ],
    request: { body: { required: true, content: { 'application/json': { schema: ApplicationInputBodySchema } } } },
    responses: {
      201: {
        description: 'The application, settled.',
        headers: { Location: { description: 'The URL of the application.', schema: { type: 'string' } } },
        content: applicationContent,
      },
      202: {
        description: 'The application, accepted but not settled: a check is waiting for a retry.',
        headers: { Location: { description: 'The URL of the application.', schema: { type: 'string' } } },
        content: applicationContent,
      },
      ...problemResponses({
        ...BODY_PROBLEMS,
        ...(deps.submitGated ? AUTH_PROBLEMS : {}),
        409: 'The `Idempotency-Key` was used with a different application.',
      }),
    },
  });

  const list = createRoute({
    method: 'get',
    path: '/applications',
    tags: ['applications'],
    operationId: 'listApplications',
    summary: 'List applications',
    description: 'Oldest first, optionally by state, with keyset pagination: pass `nextCursor` as `cursor` for the next page.',
    middleware: [reviewer] as const,
    security: reviewerSecurity,
    request: { query: ListQueryParamsSchema },
    responses: {
      200: { description: 'One page of applications.', content: { 'application/json': { schema: ApplicationPageSchema } } },
      ...problemResponses({ 400: 'A bad state, limit or cursor.', ...AUTH_PROBLEMS }),
    },
  });

  const get = createRoute({
    method: 'get',
    path: '/applications/{id}',
    tags: ['applications'],
    operationId: 'getApplication',
    summary: 'Get an application',
    middleware: [reviewer] as const,
    security: reviewerSecurity,
    request: { params: ApplicationParamsSchema },
    responses: {
      200: { description: 'The application.', content: applicationContent },
      ...problemResponses({ ...AUTH_PROBLEMS, 404: 'No such application.' }),
    },
  });

  const history = createRoute({
    method: 'get',
    path: '/applications/{id}/history',
    tags: ['applications'],
    operationId: 'getApplicationHistory',
    summary: "Get an application's history",
    description: 'Every event of the execution, in order: states entered, check attempts, the review.',
    middleware: [reviewer] as const,
    security: reviewerSecurity,
    request: { params: ApplicationParamsSchema },
    responses: {
      200: { description: 'The history.', content: { 'application/json': { schema: HistorySchema } } },
      ...problemResponses({ ...AUTH_PROBLEMS, 404: 'No such application.' }),
    },
  });

  const review = createRoute({
    method: 'post',
    path: '/applications/{id}/review',
    tags: ['applications'],
    operationId: 'reviewApplication',
    summary: 'Review a flagged application',
    description:
      'Resumes the execution waiting for review, exactly once, and returns the application once it settled: ' +
      '`APPROVED` after `APPROVE`, `REJECTED` after `REJECT`.',
    middleware: [reviewer, jsonBody()] as const,
    security: reviewerSecurity,
    request: {
      params: ApplicationParamsSchema,
      body: { required: true, content: { 'application/json': { schema: ReviewBodySchema } } },
    },
    responses: {
      200: { description: 'The application after the review.', content: applicationContent },
      ...problemResponses({
        ...BODY_PROBLEMS,
        ...AUTH_PROBLEMS,
        404: 'No such application.',
        409: 'The application is not waiting for a review, was already reviewed, or the task token is stale.',
      }),
    },
  });

  const redrive = createRoute({
    method: 'post',
    path: '/applications/{id}/redrive',
    tags: ['applications'],
    operationId: 'redriveApplication',
    summary: 'Redrive a failed execution',
    description:
      'Resumes an execution whose status is `FAILED`: from the failed step after its retries ran out, or from its ' +
      'stored snapshot after it was quarantined (once the cause is fixed). Find them with `GET /applications?status=FAILED`.',
    middleware: [reviewer] as const,
    security: reviewerSecurity,
    request: { params: ApplicationParamsSchema },
    responses: {
      200: { description: 'The application after the redrive, at its next settled point.', content: applicationContent },
      ...problemResponses({ ...AUTH_PROBLEMS, 404: 'No such application.', 409: 'The execution has not failed.' }),
    },
  });

  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(submit, async (c) => {
      const key = idempotencyKeyOf(c.req.header(IDEMPOTENCY_KEY_HEADER));
      const application = await runtime.submit(c.req.valid('json'), { idempotencyKey: key });
      c.header('Location', locationOf(application.id));
      const body = forApplicant(application);
      return application.execution.status === 'RUNNING' ? c.json(body, 202) : c.json(body, 201);
    })
    .openapi(list, async (c) => {
      const page = await runtime.list(c.req.valid('query'));
      return c.json({ ...page, items: [...page.items] }, 200);
    })
    .openapi(get, async (c) => c.json(await runtime.get(c.req.valid('param').id), 200))
    .openapi(history, async (c) => c.json({ events: [...(await runtime.history(c.req.valid('param').id))] }, 200))
    .openapi(review, async (c) => {
      const { decision, note, taskToken } = c.req.valid('json');
      // Who decided is whoever the token names: the audit trail cannot be written by the request body.
      const reviewed = await runtime.review(c.req.valid('param').id, decision, { reviewer: c.get('principal'), note, taskToken });
      return c.json(reviewed, 200);
    })
    .openapi(redrive, async (c) => c.json(await runtime.redrive(c.req.valid('param').id), 200));
}
