import { parseWith } from './parse.js';
import type { CheckResult } from './result.js';
import { checkAddress } from './rules/check-address.js';
import { checkName } from './rules/check-name.js';
import { DataCheckCommandSchema } from './schemas/data-check-command.js';

/**
 * Runs one command of the data-checking service: `{ command: 'CHECK_NAME', data: { name: 'Spock' } }` → `{ flagged: false }`.
 * @throws {InvalidInputError} for an unknown command or data that does not match it.
 * @throws {UnprocessableDataError} when the check cannot process the data.
 */
export function runDataCheck(command: unknown): CheckResult {
  const parsed = parseWith(DataCheckCommandSchema, command);
  return parsed.command === 'CHECK_NAME' ? checkName(parsed.data.name) : checkAddress(parsed.data.address);
}
