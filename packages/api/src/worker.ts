/**
 * `src/worker.ts`, the Cloudflare Workers entry of the API (`main` in wrangler.jsonc): `createWorker()` from
 * `@bank/api`, default-exported as the platform expects. The same app as the Node server (`createApp`), on a D1
 * store built per request from the `DB` binding; the Cron Trigger (`scheduled`) drives retries that are due, and a
 * request that leaves a retry due soon drives it after its response with `ctx.waitUntil`. Bindings: `DB` (D1), the
 * secret `BANK_REVIEWER_TOKENS`, and optional vars (see `WorkerEnv`).
 * @module
 */
import { createWorker, type WorkerHandler } from './edge.js';

/** The Worker: `fetch` serves the API, `scheduled` (the cron trigger) drives what is due. */
const worker: WorkerHandler = createWorker();

export default worker;
