/**
 * Case 5, edge: the Worker in workerd (Miniflare 3, the runtime `wrangler dev` uses) on 127.0.0.1, on a local D1
 * database: the production bundle (`pnpm nx run api:bundle-edge`, packages/api/dist-edge/worker.js) under load from
 * this process (autocannon, 50 connections): `POST /applications` requests/s and p50/p99 latency, against a bare
 * Worker in its own workerd that parses the same body and returns a fixed JSON (the floor), measured in the same run.
 * Reported next to `http.submit`, the Node server on SQLite, from the http case of the same run.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { applyD1Migrations } from '@bank/core/d1';
import { Miniflare } from 'miniflare';
import { runCase } from '../child.js';
import { submitsAgainstFloor } from '../submit-load.js';

const apiRoot = dirname(createRequire(import.meta.url).resolve('@bank/api/package.json'));
const BUNDLE = join(apiRoot, 'dist-edge', 'worker.js');

/** The floor: what serving a POST costs in workerd, with JSON in and out and nothing else. */
const FLOOR_SCRIPT = `export default {
  async fetch(request) {
    const body = await request.json().catch(() => null);
    if (typeof body?.name !== 'string' || typeof body?.address !== 'string') return Response.json({ title: 'invalid input' }, { status: 400 });
    return Response.json({ id: 'app_fixed', state: 'APPROVED', name: body.name, address: body.address }, { status: 201 });
  },
};`;

/** wrangler.jsonc's compatibility date and D1 id (whole-line comments, trailing commas). */
function wranglerConfig(): { compatibility_date: string; d1_databases: { database_id: string }[] } {
  const text = readFileSync(join(apiRoot, 'wrangler.jsonc'), 'utf8')
    .split('\n')
    .filter((line) => !line.trim().startsWith('//'))
    .join('\n')
    .replace(/,(\s*[}\]])/g, '$1');
  return JSON.parse(text) as { compatibility_date: string; d1_databases: { database_id: string }[] };
}

interface Served {
  readonly mf: Miniflare;
  readonly url: string;
}

async function serve(mode: 'api' | 'floor', persistTo: string): Promise<Served> {
  const config = wranglerConfig();
  // No log lines: a JSON line per request through workerd's stdout would be measured instead of the Worker. And no
  // `Request.cf` object, which Miniflare would otherwise fetch from Cloudflare.
  const quiet = {
    cf: false,
    handleRuntimeStdio: (stdout: NodeJS.ReadableStream, stderr: NodeJS.ReadableStream) => (stdout.resume(), stderr.resume()),
  };
  const mf =
    mode === 'floor'
      ? new Miniflare({
          modules: true,
          script: FLOOR_SCRIPT,
          compatibilityDate: config.compatibility_date,
          host: '127.0.0.1',
          port: 0,
          ...quiet,
        })
      : new Miniflare({
          modules: true,
          scriptPath: BUNDLE,
          modulesRoot: dirname(BUNDLE),
          compatibilityDate: config.compatibility_date,
          d1Databases: { DB: config.d1_databases[0]!.database_id },
          d1Persist: join(persistTo, 'v3', 'd1'),
          bindings: { BANK_REVIEWER_TOKENS: 'bench' },
          host: '127.0.0.1',
          port: 0,
          ...quiet,
        });
  const url = (await mf.ready).origin;
  if (mode === 'api') await applyD1Migrations(await mf.getD1Database('DB'));
  return { mf, url };
}

runCase(async ({ quick, runs: requested, dir }) => {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run \`pnpm nx run api:bundle-edge\` (pnpm bench builds it)`);
  const seconds = quick ? 1 : 10;
  const runs = Math.min(requested, 3); // as the http case: 2 × 10 s of load per run
  mkdirSync(dir, { recursive: true });
  const api = await serve('api', dir);
  const floor = await serve('floor', dir);
  try {
    const submits = await submitsAgainstFloor('edge', floor.url, api.url, runs, seconds);
    return submits;
  } finally {
    await api.mf.dispose();
    await floor.mf.dispose();
  }
});
