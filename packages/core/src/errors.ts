import { isInvalidInputError, parseWith, type CheckIssue } from '@bank/checks';
import type { z } from 'zod';

/** Every error code the system reports; each edge (HTTP, CLI) maps all of them. */
export type ErrorCode = 'invalid_input' | 'unauthorized' | 'not_found' | 'conflict' | 'store_unavailable' | 'store_corrupt' | 'internal';

/** The error codes, for exhaustive tables and runtime checks. */
export const ERROR_CODES: readonly ErrorCode[] = [
  'invalid_input',
  'unauthorized',
  'not_found',
  'conflict',
  'store_unavailable',
  'store_corrupt',
  'internal',
];

/**
 * Tells whether an error with this code may go away by itself, so the caller should try again later
 * (`store_unavailable`, `conflict`); `store_corrupt` and `internal` will not.
 */
export const isRetryableCode = (code: ErrorCode): boolean => code === 'store_unavailable' || code === 'conflict';

/** The one error type the runtime throws: a closed `code`, a message safe to show, and optional issues. */
export class DomainError extends Error {
  /** Always `'DomainError'`, so the error is recognised across duplicated package copies. */
  override readonly name = 'DomainError';
  /** What went wrong, as one of a closed set of codes. */
  readonly code: ErrorCode;
  /** For `invalid_input`: every problem found, with the path of its field. */
  readonly issues: readonly CheckIssue[] | undefined;

  /** Creates the error; `cause` keeps the original error for logs. */
  constructor(code: ErrorCode, message: string, options: { issues?: readonly CheckIssue[]; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.issues = options.issues;
  }
}

/** Tells whether `e` is a {@link DomainError}, from this or any other copy of the package. */
export function isDomainError(e: unknown): e is DomainError {
  if (e instanceof DomainError) return true;
  if (typeof e !== 'object' || e === null) return false;
  const { name, code } = e as { name?: unknown; code?: unknown };
  return name === 'DomainError' && typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code);
}

/** Converts anything thrown into a {@link DomainError}: invalid input keeps its issues, the unknown becomes `internal`. */
export function toDomainError(e: unknown): DomainError {
  if (isDomainError(e)) return e;
  if (isInvalidInputError(e)) return new DomainError('invalid_input', e.message, { issues: e.issues, cause: e });
  return new DomainError('internal', 'An unexpected error occurred.', { cause: e });
}

/**
 * Validates `input` with a zod schema.
 * @throws {DomainError} `invalid_input`, with every issue, when it does not match.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  try {
    return parseWith(schema, input);
  } catch (e) {
    throw toDomainError(e);
  }
}
