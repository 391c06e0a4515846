import { EXIT_OK } from '../exit-codes.js';
import { parseCommand, print, withBackend } from '../context.js';
import { formatPage } from '../format.js';
import { suggestedCommand } from '../invocation.js';
import { UsageError } from '../usage-error.js';
import { GLOBAL_HELP, type Command } from './command.js';

/** `bank list`: a page of applications as a table. */
export const list: Command = {
  help: `Usage: bank list [--state <STATE>] [--status <STATUS>] [--limit <n>] [--cursor <cursor>]

Lists applications oldest first. STATE is one of SUBMITTED, FLAGGED_FOR_REVIEW, REVIEW_APPROVED,
REVIEW_REJECTED, APPROVED, REJECTED, FLAGGED_WITH_UNPROCESSABLE_DATA. STATUS is the execution's: RUNNING,
WAITING_FOR_REVIEW, SUCCEEDED or FAILED; --state FAILED is short for --status FAILED (the executions an
operator must redrive). --limit is 1 to 200 (default 50); --cursor continues from the previous page.

${GLOBAL_HELP}`,
  async run(argv, ctx) {
    const { values } = parseCommand(argv, {
      state: { type: 'string' },
      status: { type: 'string' },
      limit: { type: 'string' },
      cursor: { type: 'string' },
    });
    // FAILED is an execution status, not a business state, but it is what an operator looks for.
    const failed = values.state === 'FAILED';
    if (failed && values.status !== undefined && values.status !== 'FAILED') throw new UsageError('--state FAILED means --status FAILED');
    const state = failed ? undefined : values.state;
    const status = failed ? 'FAILED' : values.status;
    return withBackend(ctx, values, async (backend) => {
      const page = await backend.list({ state, status, limit: values.limit, cursor: values.cursor });
      print(ctx.io, values.json, page, () =>
        formatPage(
          page,
          ctx.io.color,
          (cursor) =>
            `${suggestedCommand(ctx.io.env, values)} list${state ? ` --state ${state}` : ''}${status ? ` --status ${status}` : ''}${values.limit ? ` --limit ${values.limit}` : ''} --cursor ${cursor}`,
        ),
      );
      return EXIT_OK;
    });
  },
};
