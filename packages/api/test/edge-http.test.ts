// The shared HTTP cases (http-cases.ts) against the Worker in workerd: the production bundle (dist-edge/worker.js) in
// Miniflare 3 on 127.0.0.1, on a local D1 database migrated by `wrangler d1 migrations apply --local`. A restart
// disposes of the Miniflare instance (workerd exits) and starts a new one on the same persisted D1 folder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { describeHttpCases, reviewerTokens, type HttpTarget } from './http-cases.js';
import { migrateLocal, startWorker } from './workerd.js';

const dir = mkdtempSync(join(tmpdir(), 'bank-edge-http-cases-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function startEdge(): Promise<HttpTarget> {
  await migrateLocal(dir);
  const vars = { BANK_REVIEWER_TOKENS: await reviewerTokens() };
  const started = async (): Promise<HttpTarget> => {
    const worker = await startWorker({ persistTo: dir, vars });
    return {
      url: worker.url,
      restart: async () => {
        await worker.dispose();
        return started();
      },
      stop: () => worker.dispose(),
    };
  };
  return started();
}

describeHttpCases('the Worker in workerd (Miniflare 3, local D1)', startEdge);
