import { EXIT_OK } from '../exit-codes.js';
import { parseCommand, print, withBackend } from '../context.js';
import { suggestedCommand } from '../invocation.js';
import { formatApplication, formatHistory } from '../format.js';
import { UsageError } from '../usage-error.js';
import { GLOBAL_HELP, type Command } from './command.js';

function idOf(positionals: string[], command: string): string {
  const id = positionals[0];
  if (id === undefined) throw new UsageError(`missing application id: bank ${command} <id>`);
  return id;
}

/** `bank show <id>`: one application. */
export const show: Command = {
  help: `Usage: bank show <id>\n\nShows an application: its state, each check, the review and what to do next.\n\n${GLOBAL_HELP}`,
  async run(argv, ctx) {
    const { values, positionals } = parseCommand(argv, {}, 1);
    const id = idOf(positionals, 'show');
    return withBackend(ctx, values, async (backend) => {
      const application = await backend.get(id);
      print(ctx.io, values.json, application, () => formatApplication(application, ctx.io.color, suggestedCommand(ctx.io.env, values)));
      return EXIT_OK;
    });
  },
};

/** `bank history <id>`: an application's history. */
export const history: Command = {
  help: `Usage: bank history <id>\n\nPrints every event of the application's execution, in order, with its time.\n\n${GLOBAL_HELP}`,
  async run(argv, ctx) {
    const { values, positionals } = parseCommand(argv, {}, 1);
    const id = idOf(positionals, 'history');
    return withBackend(ctx, values, async (backend) => {
      const events = await backend.history(id);
      print(ctx.io, values.json, { events }, () => formatHistory(events, ctx.io.color));
      return EXIT_OK;
    });
  },
};

export { idOf };
