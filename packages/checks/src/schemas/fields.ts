import { printableTextSchema } from './printable-text.js';

/** The longest name or address accepted, in characters (UTF-16 code units), after trimming. */
export const MAX_FIELD_LENGTH = 200;

/**
 * An applicant's name: a trimmed, non-empty string of at most {@link MAX_FIELD_LENGTH} characters, with no control
 * character or unpaired surrogate (see {@link printableTextSchema}).
 */
export const NameSchema = printableTextSchema('name', { maxLength: MAX_FIELD_LENGTH });

/**
 * An applicant's address: a trimmed, non-empty string of at most {@link MAX_FIELD_LENGTH} characters, with no control
 * character or unpaired surrogate (see {@link printableTextSchema}).
 */
export const AddressSchema = printableTextSchema('address', { maxLength: MAX_FIELD_LENGTH });
