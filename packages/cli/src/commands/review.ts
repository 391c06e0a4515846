import { EXIT_OK } from '../exit-codes.js';
import { parseCommand, print, withBackend } from '../context.js';
import { formatApplication } from '../format.js';
import { UsageError } from '../usage-error.js';
import { GLOBAL_HELP, type Command } from './command.js';
import { idOf } from './show.js';

const reviewWith = (fixed?: 'APPROVE' | 'REJECT'): Command['run'] =>
  async function run(argv, ctx) {
    const { values, positionals } = parseCommand(argv, { decision: { type: 'string' }, reviewer: { type: 'string' } }, 1);
    const id = idOf(positionals, fixed ? fixed.toLowerCase() : 'review');
    if (fixed && values.decision !== undefined) throw new UsageError(`bank ${fixed.toLowerCase()} takes no --decision`);
    const decision = fixed ?? values.decision;
    if (decision === undefined) throw new UsageError('missing --decision APPROVE|REJECT');
    return withBackend(ctx, values, async (backend) => {
      const application = await backend.review(id, decision, { reviewer: values.reviewer });
      print(ctx.io, values.json, application, () => formatApplication(application, ctx.io.color));
      return EXIT_OK;
    });
  };

const reviewHelp = (usage: string, what: string) =>
  `Usage: ${usage} [--reviewer <who>]\n\n${what} The application must be waiting for review (FLAGGED_FOR_REVIEW);\na second review is a conflict (exit 75).\n\n${GLOBAL_HELP}`;

/** `bank review <id> --decision APPROVE|REJECT`. */
export const review: Command = {
  help: reviewHelp('bank review <id> --decision APPROVE|REJECT', 'Resumes a paused application with the decision.'),
  run: reviewWith(),
};

/** `bank approve <id>`. */
export const approve: Command = {
  help: reviewHelp('bank approve <id>', 'Approves a paused application.'),
  run: reviewWith('APPROVE'),
};

/** `bank reject <id>`. */
export const reject: Command = {
  help: reviewHelp('bank reject <id>', 'Rejects a paused application.'),
  run: reviewWith('REJECT'),
};
