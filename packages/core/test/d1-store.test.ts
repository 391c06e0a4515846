// The D1 store's contract suite, run INSIDE workerd (Miniflare 3) against Miniflare's local D1, not against a Node
// imitation of D1: test/d1/contract-worker.ts is bundled with the shared contract (src/testing/describe-store.ts) and
// the D1-specific tests, `vitest` aliased to a shim whose `expect` is Vitest's own; each test here runs one of them
// in the worker and reports its outcome.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { afterAll, describe, it } from 'vitest';
import { applyD1Migrations } from '../src/d1.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

const bundled = await build({
  entryPoints: [here('./d1/contract-worker.ts')],
  bundle: true,
  write: false,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  // As wrangler resolves packages for Workers; `@bank/source` takes the workspace packages from their sources.
  conditions: ['@bank/source', 'workerd', 'worker', 'browser'],
  alias: { vitest: here('./d1/vitest-shim.ts') },
  logLevel: 'silent',
});

const mf = new Miniflare({
  modules: true,
  script: bundled.outputFiles[0]!.text,
  compatibilityDate: '2025-07-18',
  d1Databases: { DB: 'contract', EMPTY: 'empty' },
  cf: false, // Miniflare would fetch `Request.cf` from Cloudflare otherwise
});
// The generated migration files, statement by statement as wrangler sends them.
await applyD1Migrations(await mf.getD1Database('DB'));
const names = (await (await mf.dispatchFetch('http://contract/tests')).json()) as string[];

afterAll(() => mf.dispose());

describe('the D1 store inside workerd', () => {
  it('registers the whole contract and the D1 tests', ({ expect }) => {
    expect(names.filter((n) => n.includes('store contract')).length).toBeGreaterThanOrEqual(12);
    expect(names.filter((n) => n.startsWith('d1 store >')).length).toBeGreaterThanOrEqual(6);
  });

  for (const name of names) {
    it(name, async () => {
      const res = await mf.dispatchFetch('http://contract/run', { method: 'POST', body: name });
      const outcome = (await res.json()) as { ok: boolean; message?: string; stack?: string };
      if (!outcome.ok) throw Object.assign(new Error(outcome.message), { stack: `${outcome.message}\n(in workerd) ${outcome.stack}` });
    });
  }
});
