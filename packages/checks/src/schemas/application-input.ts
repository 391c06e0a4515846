import { z } from 'zod';
import { AddressSchema, NameSchema } from './fields.js';

/** What an applicant submits: `{ name, address }`, both trimmed and non-empty; unknown keys are rejected. */
export const ApplicationInputSchema = z.strictObject({ name: NameSchema, address: AddressSchema });

/** A validated application input, as {@link ApplicationInputSchema} returns it (fields trimmed). */
export type ApplicationInput = z.output<typeof ApplicationInputSchema>;
