import { userInfo } from 'node:os';
import { EXIT_OK } from '../exit-codes.js';
import { parseCommand, print, withBackend } from '../context.js';
import { suggestedCommand } from '../invocation.js';
import { formatApplication } from '../format.js';
import { UsageError } from '../usage-error.js';
import { GLOBAL_HELP, type Command } from './command.js';
import { idOf } from './show.js';

/** The local account's name when it can name a reviewer (letters, digits, `._@-`), else `local`. */
function localReviewer(): string {
  let name = '';
  try {
    name = userInfo().username;
  } catch {
    // no passwd entry (some containers): fall through
  }
  return /^[A-Za-z0-9._@-]{1,64}$/.test(name) ? name : 'local';
}

const reviewWith = (fixed?: 'APPROVE' | 'REJECT'): Command['run'] =>
  async function run(argv, ctx) {
    const { values, positionals } = parseCommand(
      argv,
      { decision: { type: 'string' }, reviewer: { type: 'string' }, note: { type: 'string' } },
      1,
    );
    const id = idOf(positionals, fixed ? fixed.toLowerCase() : 'review');
    if (fixed && values.decision !== undefined) throw new UsageError(`bank ${fixed.toLowerCase()} takes no --decision`);
    const decision = fixed ?? values.decision;
    if (decision === undefined) throw new UsageError('missing --decision APPROVE|REJECT');
    const remote = Boolean(values.api ?? ctx.io.env.BANK_API_URL);
    if (remote && values.reviewer !== undefined) {
      throw new UsageError('--reviewer applies to embedded mode only: through the API, the reviewer is the name bound to your token');
    }
    // Embedded, whoever can open the database file decides; they are recorded by name (theirs, or --reviewer).
    const reviewer = remote ? undefined : (values.reviewer ?? localReviewer());
    return withBackend(ctx, values, async (backend) => {
      const application = await backend.review(id, decision, { reviewer, note: values.note });
      print(ctx.io, values.json, application, () => formatApplication(application, ctx.io.color, suggestedCommand(ctx.io.env, values)));
      return EXIT_OK;
    });
  };

const reviewHelp = (usage: string, what: string) =>
  `Usage: ${usage} [--note <text>] [--reviewer <name>]

${what} The application must be waiting for review (FLAGGED_FOR_REVIEW);
a second review is a conflict (exit 75).

  --note <text>      a note recorded with the decision (at most 1,000 characters)
  --reviewer <name>  embedded mode only: who decided (default: your account name). Through the API the
                     reviewer is always the name bound to the token (BANK_REVIEWER_TOKENS name:token)

${GLOBAL_HELP}`;

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
