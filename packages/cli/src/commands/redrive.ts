import { EXIT_OK } from '../exit-codes.js';
import { parseCommand, print, withBackend } from '../context.js';
import { suggestedCommand } from '../invocation.js';
import { formatApplication } from '../format.js';
import { GLOBAL_HELP, type Command } from './command.js';
import { idOf } from './show.js';

/** `bank redrive <id>`: resumes a FAILED execution. */
export const redrive: Command = {
  help: `Usage: bank redrive <id>

Resumes an execution whose status is FAILED: from the failed step after its retries ran out, or from its stored
snapshot after it was quarantined (once the cause is fixed). Find them with: bank list --state FAILED
An execution that has not failed is a conflict (exit 75).

${GLOBAL_HELP}`,
  async run(argv, ctx) {
    const { values, positionals } = parseCommand(argv, {}, 1);
    const id = idOf(positionals, 'redrive');
    return withBackend(ctx, values, async (backend) => {
      const application = await backend.redrive(id);
      print(ctx.io, values.json, application, () => formatApplication(application, ctx.io.color, suggestedCommand(ctx.io.env, values)));
      return EXIT_OK;
    });
  },
};
