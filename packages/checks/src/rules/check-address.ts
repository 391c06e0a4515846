import { flagged, passed, type CheckResult } from '../result.js';

/**
 * What a checkable address looks like: a number next to a word, either way round (`123 Main`, `Main 123`).
 * `\w` and `\d` are ASCII-only, as in the reference system.
 */
export const ADDRESS_PATTERN = /(\d+ \w+)|(\w+ \d+)/;

/** Checks an applicant's address: flagged unless it matches {@link ADDRESS_PATTERN}. */
export function checkAddress(address: string): CheckResult {
  return ADDRESS_PATTERN.test(address) ? passed() : flagged('Address has no house number next to a street name.');
}
