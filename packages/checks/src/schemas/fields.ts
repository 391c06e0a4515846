import { z } from 'zod';

/** The longest name or address accepted, in characters (UTF-16 code units), after trimming. */
export const MAX_FIELD_LENGTH = 200;

const field = (label: string) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? `${label} is required` : `${label} must be a string`) })
    .trim()
    .min(1, { error: `${label} must not be empty` })
    .max(MAX_FIELD_LENGTH, { error: `${label} must be at most ${MAX_FIELD_LENGTH} characters` });

/** An applicant's name: a trimmed, non-empty string of at most {@link MAX_FIELD_LENGTH} characters. */
export const NameSchema = field('name');

/** An applicant's address: a trimmed, non-empty string of at most {@link MAX_FIELD_LENGTH} characters. */
export const AddressSchema = field('address');
