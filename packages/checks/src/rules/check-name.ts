import { UnprocessableDataError } from '../errors.js';
import { flagged, passed, type CheckResult } from '../result.js';

/** The marker that makes a name impossible to check (the reference system's way to exercise that path). */
export const UNPROCESSABLE_NAME_MARKER = 'UNPROCESSABLE_DATA';

/** The term that flags a name for review wherever it appears (case-sensitive, as in the reference). */
export const FLAGGED_NAME_TERM = 'evil';

/**
 * Checks an applicant's name: flagged when it contains `evil` anywhere, even inside a word.
 * @throws {UnprocessableDataError} when the name contains `UNPROCESSABLE_DATA`.
 */
export function checkName(name: string): CheckResult {
  if (name.includes(UNPROCESSABLE_NAME_MARKER)) {
    throw new UnprocessableDataError(`Name '${name}' is not possible to check.`);
  }
  return name.includes(FLAGGED_NAME_TERM) ? flagged(`Name contains the flagged term '${FLAGGED_NAME_TERM}'.`) : passed();
}
