/**
 * `@bank/checks`: the data checks of a bank account application, as pure functions and zod schemas.
 * Runtime-neutral: it runs in Node, browsers and edge runtimes, and depends on zod only.
 * @module
 */
export { ApplicationInputSchema, type ApplicationInput } from './schemas/application-input.js';
export { AddressSchema, NameSchema, MAX_FIELD_LENGTH } from './schemas/fields.js';
export { printableTextSchema, type PrintableTextOptions } from './schemas/printable-text.js';
export { findUnprintable, formatCodePoint, type Unprintable, type UnprintableKind } from './unprintable.js';
export { DATA_CHECK_COMMANDS, DataCheckCommandSchema, type DataCheckCommand } from './schemas/data-check-command.js';
export { checkName, FLAGGED_NAME_TERM, UNPROCESSABLE_NAME_MARKER } from './rules/check-name.js';
export { ADDRESS_PATTERN, checkAddress } from './rules/check-address.js';
export { runDataCheck } from './run-data-check.js';
export { flagged, passed, type CheckIssue, type CheckResult } from './result.js';
export {
  INVALID_INPUT,
  InvalidInputError,
  isInvalidInputError,
  isUnprocessableDataError,
  UNPROCESSABLE_DATA,
  UnprocessableDataError,
} from './errors.js';
export { parseApplicationInput, parseWith, safeParseApplicationInput, safeParseWith, toCheckIssues, type ParseResult } from './parse.js';
