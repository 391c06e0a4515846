import { z } from 'zod';
import { AddressSchema, NameSchema } from './fields.js';

/** The names of the commands understood by {@link runDataCheck}. */
export const DATA_CHECK_COMMANDS = ['CHECK_NAME', 'CHECK_ADDRESS'] as const;

/** The data-checking service's command document: `{ command: 'CHECK_NAME', data: { name } }` or `{ command: 'CHECK_ADDRESS', data: { address } }`. */
export const DataCheckCommandSchema = z.discriminatedUnion(
  'command',
  [
    z.strictObject({ command: z.literal('CHECK_NAME'), data: z.strictObject({ name: NameSchema }) }),
    z.strictObject({ command: z.literal('CHECK_ADDRESS'), data: z.strictObject({ address: AddressSchema }) }),
  ],
  { error: `command must be one of ${DATA_CHECK_COMMANDS.join(', ')}` },
);

/** A validated data-checking command. */
export type DataCheckCommand = z.output<typeof DataCheckCommandSchema>;
