// The Node server as a script (`pnpm nx run api:serve`, `node dist/serve.js`): configured by environment
// variables, stopped by SIGTERM or SIGINT. The only file that touches the process.
import { jsonLogger } from './logger.js';
import { serverOptionsFromEnv, startServer, type RunningServer } from './node.js';

const now = () => new Date().toISOString();

function announceToken(token: string): void {
  // Printed once, to stderr and not into the JSON log stream, which is often shipped elsewhere.
  process.stderr.write(
    `\nNo BANK_REVIEWER_TOKENS configured: reviewer routes need this token, generated for this run only:\n\n` +
      `  ${token}\n\nSet BANK_REVIEWER_TOKENS (comma-separated) to choose your own.\n\n`,
  );
}

function handleSignals(server: RunningServer): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      jsonLogger({ time: now(), level: 'warn', msg: 'second signal: exiting at once', signal });
      process.exit(1);
    }
    stopping = true;
    jsonLogger({ time: now(), level: 'info', msg: 'stopping', signal });
    server.close().then(
      () => {
        jsonLogger({ time: now(), level: 'info', msg: 'stopped' });
        process.exitCode = 0;
        // Everything is closed, so the process ends on its own; this only guards against a stray handle.
        setTimeout(() => process.exit(), 2000).unref();
      },
      (error: unknown) => {
        jsonLogger({ time: now(), level: 'error', msg: 'shutdown failed', error: String(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

try {
  const server = await startServer(serverOptionsFromEnv(process.env));
  if (server.generatedReviewerToken !== undefined) announceToken(server.generatedReviewerToken);
  handleSignals(server);
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  jsonLogger({ time: now(), level: 'error', msg: 'cannot start', error: message });
  process.exitCode = 1;
}
