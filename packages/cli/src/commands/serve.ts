import { serverOptionsFromEnv, startServer } from '@bank/api/node';
import { DomainError } from '@bank/core';
import { EXIT_OK } from '../exit-codes.js';
import { parseCommand, storeLocation } from '../context.js';
import { UsageError } from '../usage-error.js';
import { GLOBAL_HELP, type Command } from './command.js';

/** `bank serve`: the HTTP API on this machine (the same server as `pnpm serve` in the repository). */
export const serve: Command = {
  help: `Usage: bank serve [--port <n>] [--host <host>]

Starts the API on the embedded SQLite database (--db, BANK_DB, default .bank/bank.db), or on Postgres when
--db/BANK_DB is a postgres:// URL (run as many as you like on one database), and logs JSON lines.
Reviewer routes need a bearer token from BANK_REVIEWER_TOKENS; if none is set, one is generated and printed
once. Stops cleanly on SIGINT or SIGTERM, letting requests in flight finish.

  --port <n>      port to listen on (default: PORT or 8787; 0 picks a free one)
  --host <host>   address to bind (default: HOST or 127.0.0.1)

${GLOBAL_HELP}`,
  async run(argv, ctx) {
    const { values } = parseCommand(argv, { port: { type: 'string' }, host: { type: 'string' } });
    if (values.api) throw new UsageError('bank serve runs the API itself; --api does not apply');
    const env = {
      ...ctx.io.env,
      ...(values.port === undefined ? {} : { PORT: values.port }),
      ...(values.host ? { HOST: values.host } : {}),
    };
    let options;
    try {
      options = serverOptionsFromEnv(env);
    } catch (e) {
      throw new UsageError((e as Error).message.replace('PORT', '--port'));
    }
    const db = values.db ?? options.dbPath ?? '.bank/bank.db';
    const server = await startServer({
      ...options,
      dbPath: storeLocation(db, ctx.io.cwd),
      logger: (line) => ctx.io.out(JSON.stringify(line)),
    });
    if (server.generatedReviewerToken) {
      ctx.io.err(
        `No BANK_REVIEWER_TOKENS configured: reviewer routes need this token, generated for this run only:\n\n  ${server.generatedReviewerToken}\n`,
      );
    }
    const signal = await ctx.io.interrupted();
    ctx.io.out(JSON.stringify({ time: new Date().toISOString(), level: 'info', msg: 'stopping', signal }));
    await server.close().catch((e: unknown) => {
      throw new DomainError('internal', 'the server did not stop cleanly', { cause: e });
    });
    return EXIT_OK;
  },
};
