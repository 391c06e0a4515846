import { printableTextSchema } from '@bank/checks';
import { z } from 'zod';
import { EXECUTION_STATUSES } from '../application.js';
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

/** The longest reviewer note accepted, in characters. */
export const MAX_NOTE_LENGTH = 1000;

/** A reviewer's name: 1–64 letters, digits and `.`, `_`, `@`, `-` (it names a credential; it is not free text). */
export const ReviewerNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9._@-]{1,64}$/, { error: 'reviewer must be 1 to 64 letters, digits, dots, underscores, @ or hyphens' });

/** A reviewer's note: free text a person wrote, trimmed, with no control characters, at most {@link MAX_NOTE_LENGTH}. */
export const ReviewNoteSchema = printableTextSchema('note', { maxLength: MAX_NOTE_LENGTH });

/** An execution status, as a filter. */
export const ExecutionStatusSchema = z.enum(EXECUTION_STATUSES as [string, ...string[]], {
  error: `status must be one of ${EXECUTION_STATUSES.join(', ')}`,
});

/** Options of a review: who reviewed, an optional note, and optionally the task token the reviewer was given. */
export const ReviewOptionsSchema = z.strictObject({
  reviewer: ReviewerNameSchema.optional(),
  note: ReviewNoteSchema.optional(),
  taskToken: z.string().min(1).max(200).optional(),
});

/** A list query: optional state and execution status, a bounded limit, an opaque cursor. */
export const ListQuerySchema = z.strictObject({
  state: ApplicationStateSchema.optional(),
  status: ExecutionStatusSchema.optional(),
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
