import { checkAddress, checkName, isUnprocessableDataError, NameSchema, AddressSchema } from '@bank/checks';
import { createRuntime, parseInput } from '@bank/core';
import { createSqliteStore } from '@bank/core/sqlite';
import type { Backend, CheckOutcome } from './backend.js';

/** Runs a data check locally, turning "cannot check" into an outcome rather than an error. */
export function runCheck(check: 'name' | 'address', raw: string): CheckOutcome {
  const value = parseInput(check === 'name' ? NameSchema : AddressSchema, raw);
  try {
    return check === 'name' ? checkName(value) : checkAddress(value);
  } catch (e) {
    if (isUnprocessableDataError(e)) return { unprocessable: true, reason: `${e.name}: ${e.message}` };
    throw e;
  }
}

/** The core runtime on a SQLite file (created on first use); `recover()` runs first so nothing due is left behind. */
export async function openEmbedded(path: string): Promise<Backend> {
  const runtime = createRuntime({ store: createSqliteStore({ path }) });
  await runtime.recover();
  return {
    submit: (input) => runtime.submit(input),
    list: (options) => runtime.list(options),
    get: (id) => runtime.get(id),
    history: (id) => runtime.history(id),
    review: (id, decision, options) => runtime.review(id, decision, options),
    check: async (check, value) => runCheck(check, value),
    close: () => runtime.close(),
  };
}
