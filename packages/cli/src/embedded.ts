import { createRuntime } from '@bank/core';
import { createSqliteStore } from '@bank/core/sqlite';
import type { Backend } from './backend.js';
import { runCheck } from './local-check.js';

/** The core runtime on a SQLite file (created on first use); `recover()` runs first so nothing due is left behind. */
export async function openEmbedded(path: string): Promise<Backend> {
  const runtime = createRuntime({ store: createSqliteStore({ path }) });
  await runtime.recover();
  return {
    submit: (input, options) => runtime.submit(input, options),
    list: (options) => runtime.list(options),
    get: (id) => runtime.get(id),
    history: (id) => runtime.history(id),
    review: (id, decision, options) => runtime.review(id, decision, options),
    redrive: (id) => runtime.redrive(id),
    check: async (check, value) => runCheck(check, value),
    close: () => runtime.close(),
  };
}
