/**
 * Part of case 5, in a fresh process (`--expose-gc`): opens the SQLite file as a restarted server would
 * (runtime, `recover()`), reads a little, and reports its RSS after a full GC.
 */
import { createRuntime } from '@bank/core';
import { createSqliteStore } from '@bank/core/sqlite';

const [path, expect] = process.argv.slice(2);
const runtime = createRuntime({ store: createSqliteStore({ path: path! }) });
await runtime.recover();
const page = await runtime.list({ state: 'FLAGGED_FOR_REVIEW', limit: 50 });
for (const app of page.items.slice(0, 10)) {
  await runtime.get(app.id);
  await runtime.history(app.id);
}
if (expect !== 'empty' && page.items.length === 0) throw new Error('no waiting applications found');
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
gc?.();
const rss = process.memoryUsage().rss;
await runtime.close();
process.send?.({ rss }, () => process.exit(0));
