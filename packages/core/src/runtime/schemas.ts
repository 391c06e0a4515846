import { z } from 'zod';
import { APPLICATION_STATES } from '../machine/types.js';

/** The most applications one page may hold. */
export const MAX_PAGE_SIZE = 200;

/** The page size when none is asked for. */
export const DEFAULT_PAGE_SIZE = 50;

/** A reviewer's decision: `APPROVE` or `REJECT`, nothing else. */
export const ReviewDecisionSchema = z.enum(['APPROVE', 'REJECT'], { error: 'decision must be APPROVE or REJECT' });

/** An application state, as a filter. */
export const ApplicationStateSchema = z.enum(APPLICATION_STATES as [string, ...string[]], {
  error: `state must be one of ${APPLICATION_STATES.join(', ')}`,
});

/** Options of a review: who reviewed, and optionally the task token the reviewer was given. */
export const ReviewOptionsSchema = z.strictObject({
  reviewer: z.string().trim().min(1).max(200).optional(),
  taskToken: z.string().min(1).max(200).optional(),
});

/** A list query: optional state, a bounded limit, an opaque cursor. */
export const ListQuerySchema = z.strictObject({
  state: ApplicationStateSchema.optional(),
  limit: z.coerce
    .number({ error: 'limit must be a number' })
    .int({ error: 'limit must be a whole number' })
    .min(1, { error: 'limit must be at least 1' })
    .max(MAX_PAGE_SIZE, { error: `limit must be at most ${MAX_PAGE_SIZE}` })
    .default(DEFAULT_PAGE_SIZE),
  cursor: z.string().min(1).max(400).optional(),
});

/** An idempotency key: 1 to 255 visible ASCII characters. */
export const IdempotencyKeySchema = z
  .string()
  .regex(/^[\x21-\x7e]{1,255}$/, { error: 'idempotency key must be 1 to 255 visible ASCII characters' });
