import { EXIT_OK } from '../exit-codes.js';
import { parseCommand, print, withBackend } from '../context.js';
import { formatPage } from '../format.js';
import { GLOBAL_HELP, type Command } from './command.js';

/** `bank list`: a page of applications as a table. */
export const list: Command = {
  help: `Usage: bank list [--state <STATE>] [--limit <n>] [--cursor <cursor>]

Lists applications oldest first. STATE is one of SUBMITTED, FLAGGED_FOR_REVIEW, REVIEW_APPROVED,
REVIEW_REJECTED, APPROVED, REJECTED, FLAGGED_WITH_UNPROCESSABLE_DATA. --limit is 1 to 200 (default 50);
--cursor continues from the previous page.

${GLOBAL_HELP}`,
  async run(argv, ctx) {
    const { values } = parseCommand(argv, { state: { type: 'string' }, limit: { type: 'string' }, cursor: { type: 'string' } });
    return withBackend(ctx, values, async (backend) => {
      const page = await backend.list({ state: values.state, limit: values.limit, cursor: values.cursor });
      print(ctx.io, values.json, page, () =>
        formatPage(
          page,
          ctx.io.color,
          (cursor) =>
            `bank list${values.state ? ` --state ${values.state}` : ''}${values.limit ? ` --limit ${values.limit}` : ''} --cursor ${cursor}`,
        ),
      );
      return EXIT_OK;
    });
  },
};
