import type { CheckIssue } from './result.js';

/** The stable code carried by every {@link UnprocessableDataError}. */
export const UNPROCESSABLE_DATA = 'unprocessable_data';

/** The stable code carried by every {@link InvalidInputError}. */
export const INVALID_INPUT = 'invalid_input';

/** Thrown by a check that cannot process its input at all (as opposed to flagging it for review). */
export class UnprocessableDataError extends Error {
  /** Always `'UnprocessableDataError'`, so the error survives serialisation and duplicated package copies. */
  override readonly name = 'UnprocessableDataError';
  /** Always {@link UNPROCESSABLE_DATA}. */
  readonly code = UNPROCESSABLE_DATA;
}

/** Thrown when inbound data does not match its schema; `issues` says what is wrong and where. */
export class InvalidInputError extends Error {
  /** Always `'InvalidInputError'`. */
  override readonly name = 'InvalidInputError';
  /** Always {@link INVALID_INPUT}. */
  readonly code = INVALID_INPUT;
  /** Every problem found, each with the path of its field. */
  readonly issues: readonly CheckIssue[];

  /** Creates the error from its issues; the message summarises the first few. */
  constructor(issues: readonly CheckIssue[], message = summarise(issues)) {
    super(message);
    this.issues = issues;
  }
}

function summarise(issues: readonly CheckIssue[]): string {
  const parts = issues.slice(0, 3).map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message));
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : '';
  return `Invalid input: ${parts.join('; ')}${more}`;
}

// Compares name and code as well as the prototype: a second copy of this package (or an error that crossed
// a serialisation boundary) has another class object but the same name and code.
const hasNameAndCode = (e: unknown, name: string, code: string): boolean =>
  typeof e === 'object' && e !== null && (e as { name?: unknown }).name === name && (e as { code?: unknown }).code === code;

/** Tells whether `e` is an {@link UnprocessableDataError}, from this or any other copy of the package. */
export const isUnprocessableDataError = (e: unknown): e is UnprocessableDataError =>
  e instanceof UnprocessableDataError || hasNameAndCode(e, 'UnprocessableDataError', UNPROCESSABLE_DATA);

/** Tells whether `e` is an {@link InvalidInputError}, from this or any other copy of the package. */
export const isInvalidInputError = (e: unknown): e is InvalidInputError =>
  e instanceof InvalidInputError ||
  (hasNameAndCode(e, 'InvalidInputError', INVALID_INPUT) && Array.isArray((e as { issues?: unknown }).issues));
