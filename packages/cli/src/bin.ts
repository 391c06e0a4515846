#!/usr/bin/env node
// The only file that touches the process: arguments, streams, the terminal, the exit code.
import { createInterface } from 'node:readline/promises';
import type { Io } from './io.js';
import { main } from './main.js';

const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);

/** Signals this close to the first one are copies of it, not a second request to stop. */
const SAME_SIGNAL_MS = 1000;

const io: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  async ask(question) {
    if (!interactive) return undefined;
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    try {
      return await rl.question(`${question}: `);
    } finally {
      rl.close();
    }
  },
  interrupted: () =>
    new Promise((resolve) => {
      let first: number | undefined;
      const signals = ['SIGINT', 'SIGTERM'] as const;
      const on = (signal: NodeJS.Signals) => {
        if (first === undefined) {
          first = Date.now();
          return resolve(signal);
        }
        // A Ctrl-C reaches the whole process group, and `pnpm bank` passes its copy on too: copies that arrive
        // together are one request. A second signal later stops at once, as it would with no handler.
        if (Date.now() - first < SAME_SIGNAL_MS) return;
        for (const s of signals) process.off(s, on);
        process.kill(process.pid, signal);
      };
      for (const s of signals) process.on(s, on);
    }),
  color: Boolean(process.stdout.isTTY) && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb',
  env: process.env,
  cwd: process.cwd(),
};

process.exitCode = await main(process.argv.slice(2), io);
