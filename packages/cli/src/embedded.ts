import { createRuntime, renderApplicationSvg, renderWorkflowSvg } from '@bank/core';
import { openStore } from '@bank/core/open-store';
import type { Backend } from './backend.js';
import { runCheck } from './local-check.js';

/**
 * The core runtime on a SQLite file (created on first use) or a Postgres database (a `postgres://` URL);
 * `recover()` runs first so nothing due is left behind.
 */
export async function openEmbedded(location: string): Promise<Backend> {
  const runtime = createRuntime({ store: await openStore(location) });
  await runtime.recover();
  return {
    submit: (input, options) => runtime.submit(input, options),
    list: (options) => runtime.list(options),
    get: (id) => runtime.get(id),
    history: (id) => runtime.history(id),
    review: (id, decision, options) => runtime.review(id, decision, options),
    redrive: (id) => runtime.redrive(id),
    graph: async (id) => (id === undefined ? renderWorkflowSvg() : renderApplicationSvg(await runtime.get(id), await runtime.history(id))),
    check: async (check, value) => runCheck(check, value),
    close: () => runtime.close(),
  };
}
