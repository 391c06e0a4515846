// The worker that runs the store contract (and the D1-specific tests) inside workerd, on a Miniflare D1 database.
// Bundled by d1-store.test.ts with `vitest` aliased to vitest-shim.ts; `GET /tests` lists the tests, `POST /run` with a
// test's full name runs it and answers `{ ok }` or `{ ok: false, message, stack }`.
import { createD1Store, type D1Database } from '../../src/d1.js';
import { describeStore } from '../../src/testing/describe-store.js';
import { describeD1Store, emptyTables, type D1TestEnv } from './d1-store.in-workerd.js';
import { runTest, testNames } from './vitest-shim.js';

// Set by each request before its test runs: the tests run one at a time, so one binding is in use at once.
let env: D1TestEnv | undefined;
const bindings = (): D1TestEnv => {
  if (!env) throw new Error('no request has set the bindings');
  return env;
};

describeStore('d1 (Miniflare D1 in workerd)', async () => {
  const { DB } = bindings();
  await emptyTables(DB);
  return { store: createD1Store(DB), reopen: async () => createD1Store(DB) };
});
describeD1Store(bindings);

export default {
  async fetch(request: Request, bound: D1TestEnv & { DB: D1Database }): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === '/tests') return Response.json(testNames());
    if (url.pathname === '/run' && request.method === 'POST') {
      env = bound;
      try {
        await runTest(await request.text());
        return Response.json({ ok: true });
      } catch (e) {
        const error = e instanceof Error ? e : new Error(String(e));
        return Response.json({ ok: false, message: error.message, stack: error.stack ?? '' });
      }
    }
    return new Response('not found', { status: 404 });
  },
};
