import { z } from 'zod';
import { AddressSchema, NameSchema } from './fields.js';

/** What an applicant submits: `{ name, address }`, both trimmed and non-empty; unknown keys are rejected. */
export const ApplicationInputSchema = z.strictObject(
  { name: NameSchema, address: AddressSchema },
  // zod's own words for this ("expected object, received array") say nothing about what to send instead.
  { error: (issue) => (issue.code === 'invalid_type' ? 'an application must be an object: {"name": …, "address": …}' : undefined) },
);

/** A validated application input, as {@link ApplicationInputSchema} returns it (fields trimmed). */
export type ApplicationInput = z.output<typeof ApplicationInputSchema>;
