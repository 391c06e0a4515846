import { AddressSchema, checkAddress, checkName, isUnprocessableDataError, NameSchema, parseWith } from '@bank/checks';
import type { CheckOutcome } from './backend.js';

/**
 * Runs a data check in this process, turning "cannot check" into an outcome rather than an error. Only
 * `@bank/checks` is loaded: `bank check` needs no workflow engine and no store.
 * @throws {InvalidInputError} for an empty or over-long value.
 */
export function runCheck(check: 'name' | 'address', raw: string): CheckOutcome {
  const value = parseWith(check === 'name' ? NameSchema : AddressSchema, raw);
  try {
    return check === 'name' ? checkName(value) : checkAddress(value);
  } catch (e) {
    if (isUnprocessableDataError(e)) return { unprocessable: true, reason: `${e.name}: ${e.message}` };
    throw e;
  }
}
