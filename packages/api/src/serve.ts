#!/usr/bin/env node
// The Node server as a script (`pnpm serve`, `pnpm nx run api:serve`, `node dist/serve.js`, the `bank-api` bin of an npm install):
// configured by environment variables, stopped by SIGTERM or SIGINT. The only file that touches the process.
import { checkName } from '@bank/checks';
import type { CheckFn } from '@bank/core';
import { jsonLogger } from './logger.js';
import { serverOptionsFromEnv, startServer, type RunningServer } from './node.js';

const now = () => new Date().toISOString();

// `flaky-until-<epoch ms>`, optionally followed by `-<tag>` (letters, digits, `_`, `.`) that names the submission.
const FLAKY_MARKER = /flaky-until-(\d{1,15})(?:-[\w.]{1,64})?/;

/**
 * TEST ONLY, switched on by `BANK_TEST_FLAKY_NAMES=1`; never set it in production. The name check throws a transient
 * error (retried with backoff, like a name service that is down) for a name that contains `flaky-until-<epoch ms>`
 * while this process's clock is before that time, and runs the real check after it. The rule reads only the value and
 * the clock, no state, so every instance decides the same way, also after a restart: a suite that runs several
 * servers and kills them (test/scale-out.test.ts) uses it to keep retries pending in the real server. Each call on
 * such a name logs `test flaky check` with the marker (not the name) and whether it failed, so a test can tell which
 * process ran which attempt.
 */
function testFlakyNameCheck(): CheckFn {
  return (name) => {
    const marker = FLAKY_MARKER.exec(name);
    if (!marker) return checkName(name);
    const until = Number(marker[1]);
    const failed = Date.now() < until;
    jsonLogger({ time: now(), level: 'debug', msg: 'test flaky check', marker: marker[0], failed });
    if (failed) throw new Error(`test: the name service is unavailable until ${new Date(until).toISOString()}`);
    return checkName(name);
  };
}

function announceToken(token: string): void {
  // Printed once, to stderr and not into the JSON log stream, which is often shipped elsewhere.
  process.stderr.write(
    `\nNo BANK_REVIEWER_TOKENS configured: reviewer routes need this token, generated for this run only:\n\n` +
      `  ${token}\n\nSet BANK_REVIEWER_TOKENS (comma-separated) to choose your own.\n\n`,
  );
}

/** Signals this close to the first one are copies of it (see handleSignals), not a second request to stop. */
const SAME_SIGNAL_MS = 1000;

function handleSignals(server: RunningServer): void {
  let stopping: number | undefined;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping !== undefined) {
      // A Ctrl-C reaches the whole process group, and a launcher in it (`pnpm serve`, pnpm itself) passes its copy
      // on as well: copies that arrive with the first are the same request. A second Ctrl-C later exits at once.
      if (Date.now() - stopping < SAME_SIGNAL_MS) return;
      jsonLogger({ time: now(), level: 'warn', msg: 'second signal: exiting at once', signal });
      process.exit(1);
    }
    stopping = Date.now();
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
  const options = serverOptionsFromEnv(process.env);
  const flaky = process.env['BANK_TEST_FLAKY_NAMES'] === '1';
  if (flaky) jsonLogger({ time: now(), level: 'warn', msg: 'BANK_TEST_FLAKY_NAMES=1: test-only flaky name check in use' });
  const server = await startServer(flaky ? { ...options, checks: { name: testFlakyNameCheck() } } : options);
  if (server.generatedReviewerToken !== undefined) announceToken(server.generatedReviewerToken);
  handleSignals(server);
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  jsonLogger({ time: now(), level: 'error', msg: 'cannot start', error: message });
  process.exitCode = 1;
}
