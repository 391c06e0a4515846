// The API's documents as zod schemas: they validate requests and generate the OpenAPI document. Request
// schemas reuse the ones in @bank/checks and @bank/core, so the HTTP API accepts exactly what the runtime does.
// Those were built before @hono/zod-openapi extended zod, so they lack `.openapi()` at run time (whatever the
// types say); zod's own `.meta()` works on every schema and zod-to-openapi reads it (`id` names the component).
import { AddressSchema, ApplicationInputSchema, DataCheckCommandSchema, NameSchema } from '@bank/checks';
import {
  APPLICATION_STATES,
  EXECUTION_STATUSES,
  ListQuerySchema,
  ReviewDecisionSchema,
  ReviewOptionsSchema,
  type ApplicationState,
  type ExecutionStatus,
} from '@bank/core';
import { z } from '@hono/zod-openapi';

const SPOCK = { name: 'Spock', address: '123 Enterprise Street' };
const EXAMPLE_ID = 'app_01970e5c-7f3a-7cc2-9a43-5b1f0c2d9e8a';

/** An application id: `app_` and a UUID v7. */
export const ApplicationIdSchema = z.string().openapi({ description: 'The application id: `app_` and a UUID v7.', example: EXAMPLE_ID });

/** The path parameters of `/applications/{id}` and below. */
export const ApplicationParamsSchema = z.object({
  id: ApplicationIdSchema.openapi({ param: { name: 'id', in: 'path' } }),
});

/** What an applicant submits. */
export const ApplicationInputBodySchema = ApplicationInputSchema.meta({
  id: 'ApplicationInput',
  description: 'An application: both fields are trimmed, non-empty and at most 200 characters; other keys are rejected.',
  example: SPOCK,
});

/** The result of one data check. */
export const CheckResultSchema = z
  .object({
    flagged: z.boolean().openapi({ description: '`true` when a human must review the value.' }),
    reason: z.string().optional().openapi({ description: 'Why the value was flagged (only when flagged).' }),
  })
  .openapi('CheckResult', { example: { flagged: true, reason: 'Address has no house number next to a street name.' } });

const ApplicationStateEnum = z.enum(APPLICATION_STATES as [ApplicationState, ...ApplicationState[]]);
const ExecutionStatusEnum = z.enum(EXECUTION_STATUSES as [ExecutionStatus, ...ExecutionStatus[]]);
const CheckNameEnum = z.enum(['name', 'address']);

/** An account application, as every route returns it. */
export const ApplicationSchema = z
  .object({
    id: ApplicationIdSchema,
    name: z.string().openapi({ description: "The applicant's name, trimmed." }),
    address: z.string().openapi({ description: "The applicant's address, trimmed." }),
    state: ApplicationStateEnum.openapi({ description: 'The business state.' }),
    checks: z
      .object({ name: CheckResultSchema.optional(), address: CheckResultSchema.optional() })
      .optional()
      .openapi({ description: 'The result of each finished check.' }),
    reason: z.string().optional().openapi({ description: 'Why the application ended `FLAGGED_WITH_UNPROCESSABLE_DATA`.' }),
    taskToken: z
      .string()
      .optional()
      .openapi({ description: 'While `FLAGGED_FOR_REVIEW`, on reviewer routes only: the token a review may quote to be exact.' }),
    review: z
      .object({
        decision: z.enum(['APPROVE', 'REJECT']),
        reviewer: z.string().optional().openapi({ description: 'The name bound to the token that decided.' }),
        note: z.string().optional(),
        reviewedAt: z.string().openapi({ format: 'date-time' }),
      })
      .optional()
      .openapi({ description: 'The human review, once received.' }),
    execution: z
      .object({
        status: ExecutionStatusEnum,
        nextAttemptAt: z.string().optional().openapi({ format: 'date-time', description: 'While `RUNNING`: when a check is retried.' }),
        failures: z
          .object({ name: z.number().int().optional(), address: z.number().int().optional() })
          .optional()
          .openapi({ description: 'Failed attempts per check so far.' }),
        redrives: z.number().int().optional().openapi({ description: 'How many times the execution was redriven.' }),
        error: z
          .object({ name: z.string(), message: z.string(), check: CheckNameEnum })
          .optional()
          .openapi({ description: 'When `FAILED`: the error that ran out of retries.' }),
        quarantined: z
          .object({ reason: z.string(), at: z.string().openapi({ format: 'date-time' }) })
          .optional()
          .openapi({ description: 'When `FAILED` because the stored execution could not be loaded or restored: why, and since when.' }),
      })
      .openapi({ description: 'The durable execution behind the application.' }),
    createdAt: z.string().openapi({ format: 'date-time' }),
    updatedAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Application', {
    example: {
      id: EXAMPLE_ID,
      ...SPOCK,
      state: 'APPROVED',
      checks: { name: { flagged: false }, address: { flagged: false } },
      execution: { status: 'SUCCEEDED' },
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.010Z',
    },
  });

/** The query of `GET /applications`. */
export const ListQueryParamsSchema = ListQuerySchema.extend({
  state: ListQuerySchema.shape.state.meta({
    param: { name: 'state', in: 'query' },
    description: 'Only applications in this state.',
    example: 'FLAGGED_FOR_REVIEW',
  }),
  limit: ListQuerySchema.shape.limit.meta({
    param: { name: 'limit', in: 'query' },
    description: 'The page size, 1 to 200 (default 50).',
    example: 50,
  }),
  status: ListQuerySchema.shape.status.meta({
    param: { name: 'status', in: 'query' },
    description: 'Only applications whose execution has this status (`FAILED` finds the ones that need an operator).',
    example: 'FAILED',
  }),
  cursor: ListQuerySchema.shape.cursor.meta({
    param: { name: 'cursor', in: 'query' },
    description: '`nextCursor` of the previous page.',
  }),
});

/** A page of applications. */
export const ApplicationPageSchema = z
  .object({
    items: z.array(ApplicationSchema).openapi({ description: 'Oldest first.' }),
    nextCursor: z.string().optional().openapi({ description: 'Pass as `cursor` for the next page; absent on the last page.' }),
  })
  .openapi('ApplicationPage');

/** One entry of an application's history. */
export const HistoryEventSchema = z
  .object({
    seq: z.number().int(),
    at: z.string().openapi({ format: 'date-time' }),
    type: z.string().openapi({ example: 'state.entered' }),
    data: z.record(z.string(), z.unknown()),
  })
  .openapi('HistoryEvent');

/** An application's history. */
export const HistorySchema = z.object({ events: z.array(HistoryEventSchema) }).openapi('History');

/** A reviewer's decision, with optional details. Who decided is never in the body: it is the name bound to the token. */
export const ReviewBodySchema = ReviewOptionsSchema.omit({ reviewer: true })
  .extend({ decision: ReviewDecisionSchema })
  .meta({
    id: 'Review',
    description:
      '`decision` is required; `note` (free text, at most 1,000 characters) is recorded with it; `taskToken`, if given, ' +
      'must be the current one. The reviewer recorded is the name bound to the bearer token (`BANK_REVIEWER_TOKENS`), ' +
      'never a field of the body.',
    example: { decision: 'APPROVE', note: 'address confirmed by phone' },
  });

/** The body of `POST /checks/name`. */
export const NameCheckBodySchema = z.strictObject({ name: NameSchema }).openapi('NameCheck', { example: { name: 'Spock' } });

/** The body of `POST /checks/address`. */
export const AddressCheckBodySchema = z
  .strictObject({ address: AddressSchema })
  .openapi('AddressCheck', { example: { address: '123 Enterprise Street' } });

/** The data-checking service's command document. */
export const DataCheckBodySchema = DataCheckCommandSchema.meta({
  id: 'DataCheckCommand',
  example: { command: 'CHECK_NAME', data: { name: 'Spock' } },
});

/** A validation issue. */
export const IssueSchema = z
  .object({
    code: z.string().openapi({ example: 'too_small' }),
    path: z.array(z.union([z.string(), z.number()])).openapi({ example: ['name'] }),
    message: z.string().openapi({ example: 'name must not be empty' }),
  })
  .openapi('Issue');

/** An RFC 9457 problem document. */
export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: '/problems/invalid_input' }),
    title: z.string().openapi({ example: 'Invalid input' }),
    status: z.number().int().openapi({ example: 400 }),
    detail: z.string(),
    instance: z.string().optional().openapi({ example: '/applications', description: 'The request path; absent on a 404.' }),
    code: z.string().openapi({ example: 'invalid_input' }),
    requestId: z.string().optional(),
    issues: z.array(IssueSchema).optional(),
  })
  .openapi('Problem');

/** The body of a healthy `GET /healthz` (the process answers). */
export const HealthSchema = z.object({ status: z.literal('ok') }).openapi('Health');

/** The body of a ready `GET /readyz` (the store can read and write now). */
export const ReadinessSchema = z
  .object({
    status: z.literal('ready'),
    checkedAt: z.string().openapi({ format: 'date-time', description: 'When the store was last probed (results are cached ~1 s).' }),
  })
  .openapi('Readiness');
