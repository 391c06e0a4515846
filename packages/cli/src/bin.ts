#!/usr/bin/env node
// The only file that touches the process: arguments, streams, the terminal, the exit code.
import { createInterface } from 'node:readline/promises';
import type { Io } from './io.js';
import { main } from './main.js';

const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);

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
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    }),
  color: Boolean(process.stdout.isTTY) && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb',
  env: process.env,
  cwd: process.cwd(),
};

process.exitCode = await main(process.argv.slice(2), io);
