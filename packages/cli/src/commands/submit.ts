import { EXIT_OK } from '../exit-codes.js';
import { parseCommand, print, withBackend } from '../context.js';
import { suggestedCommand } from '../invocation.js';
import { formatApplication } from '../format.js';
import { parseJsonArgument } from '../json-argument.js';
import { UsageError } from '../usage-error.js';
import { GLOBAL_HELP, type Command } from './command.js';

/** `bank submit`: submits one application and prints its outcome. */
export const submit: Command = {
  help: `Usage: bank submit --name <name> --address <address>
       bank submit --data '{"name":"Spock","address":"123 Enterprise Street"}'

Submits an application, runs its checks and prints where it ended: APPROVED, FLAGGED_FOR_REVIEW (with the
command to review it) or FLAGGED_WITH_UNPROCESSABLE_DATA. On a terminal, missing fields are asked for.

  --name <name>        the applicant's name
  --address <address>  the applicant's address
  --data <json>        the whole application as JSON (instead of --name/--address)
  --idempotency-key <key>
                       repeating a submit with the same key returns the first application instead of a
                       second one. Through the API a key is always sent (one is made up when none is given)
                       and the submit is retried with it when the API cannot be reached or answers 503

${GLOBAL_HELP}`,
  async run(argv, ctx) {
    const { values } = parseCommand(argv, {
      name: { type: 'string' },
      address: { type: 'string' },
      data: { type: 'string' },
      'idempotency-key': { type: 'string' },
    });
    let input: unknown;
    if (values.data !== undefined) {
      if (values.name !== undefined || values.address !== undefined)
        throw new UsageError('use either --data or --name/--address, not both');
      input = parseJsonArgument(values.data, '--data');
    } else {
      const name = values.name ?? (await ctx.io.ask('Name'));
      const address = values.address ?? (await ctx.io.ask('Address'));
      if (name === undefined || address === undefined) {
        throw new UsageError(`missing --${name === undefined ? 'name' : 'address'} (no terminal to ask on)`);
      }
      input = { name, address };
    }
    return withBackend(ctx, values, async (backend) => {
      const application = await backend.submit(input, { idempotencyKey: values['idempotency-key'] });
      print(ctx.io, values.json, application, () => formatApplication(application, ctx.io.color, suggestedCommand(ctx.io.env, values)));
      return EXIT_OK;
    });
  },
};
