import { EXIT_OK } from '../exit-codes.js';
import { parseCommand, print, withBackend } from '../context.js';
import { runCheck } from '../local-check.js';
import { formatCheck } from '../format.js';
import { UsageError } from '../usage-error.js';
import { GLOBAL_HELP, type Command } from './command.js';

/** `bank check name|address <value>`: one data check on its own. */
export const check: Command = {
  help: `Usage: bank check name <value>
       bank check address <value>

Runs one data check and prints passed, flagged (with the reason) or unprocessable. Nothing is stored.
Embedded by default; with --api it asks the API's data-checking service.

${GLOBAL_HELP}`,
  async run(argv, ctx) {
    const { values, positionals } = parseCommand(argv, {}, 2);
    const [which, value] = positionals;
    if (which !== 'name' && which !== 'address') throw new UsageError(`check what? bank check name <value> | bank check address <value>`);
    if (value === undefined) throw new UsageError(`missing the ${which} to check`);
    const outcome =
      values.api || ctx.io.env.BANK_API_URL
        ? await withBackend(ctx, values, (backend) => backend.check(which, value))
        : runCheck(which, value);
    print(ctx.io, values.json, outcome, () => formatCheck(which, value, outcome, ctx.io.color));
    return EXIT_OK;
  },
};
