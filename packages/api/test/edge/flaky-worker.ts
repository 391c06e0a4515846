// A test Worker: the production Worker (createWorker) with a name check that fails transiently on the first attempt
// for every name starting with `Flaky`, and `GET /__calls`, how many times this isolate ran the check per name.
import { checkName } from '@bank/checks';
import type { CheckFn } from '@bank/core';
import { createWorker, type WorkerHandler } from '../../src/index.js';

// Test code: one isolate serves every request and cron run in Miniflare, so this counts them all.
const calls = new Map<string, number>();

const flakyName: CheckFn = (name) => {
  const n = (calls.get(name) ?? 0) + 1;
  calls.set(name, n);
  if (name.startsWith('Flaky') && n === 1) throw new Error(`service unavailable (attempt ${n})`);
  return checkName(name);
};

// A run that finds the retry held by another run looks again after 1 s, not 5 s: shorter tests, same behaviour.
const worker = createWorker({ checks: { name: flakyName }, followUpPollMs: 1000 });

const handler: WorkerHandler = {
  async fetch(request, env, ctx) {
    if (new URL(request.url).pathname === '/__calls') return Response.json(Object.fromEntries(calls));
    return worker.fetch(request, env, ctx);
  },
  scheduled: (controller, env, ctx) => worker.scheduled(controller, env, ctx),
};

export default handler;
