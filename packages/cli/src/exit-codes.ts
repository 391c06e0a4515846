import type { ErrorCode } from '@bank/core';

/** Success, whatever the application's outcome (approved, flagged, unprocessable are all results). */
export const EXIT_OK = 0;

/** Bad command-line usage: an unknown command or option, a missing argument (`sysexits` EX_USAGE). */
export const EXIT_USAGE = 64;

/** Exit codes by error code, from the BSD `sysexits` values; a new ErrorCode fails to compile until it is mapped. */
export const EXIT_CODES: Record<ErrorCode, number> = {
  invalid_input: 65, // EX_DATAERR
  not_found: 66, // EX_NOINPUT
  store_unavailable: 69, // EX_UNAVAILABLE: the store or the API cannot be reached (try again later)
  internal: 70, // EX_SOFTWARE
  store_corrupt: 74, // EX_IOERR: the database is damaged; retrying will not help
  conflict: 75, // EX_TEMPFAIL
  unauthorized: 77, // EX_NOPERM
};
