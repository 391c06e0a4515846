/** Part of case 5, in its own process: adds `count` applications waiting for review to a SQLite file, then closes it. */
import { createRuntime } from '@bank/core';
import { createSqliteStore } from '@bank/core/sqlite';
import { pool } from '../child.js';

const [path, countArg] = process.argv.slice(2);
const count = Number(countArg);
const runtime = createRuntime({ store: createSqliteStore({ path: path! }) });
const start = performance.now();
await pool(count, 64, async () => {
  const app = await runtime.submit({ name: 'Gabe', address: 'ABadAddress' });
  if (app.state !== 'FLAGGED_FOR_REVIEW') throw new Error(`expected FLAGGED_FOR_REVIEW, got ${app.state}`);
});
const seconds = (performance.now() - start) / 1000;
// Closing the last connection checkpoints the WAL into the main file.
await runtime.close();
process.send?.({ seconds }, () => process.exit(0));
