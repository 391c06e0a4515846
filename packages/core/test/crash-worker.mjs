// The child process of the crash test (crash.test.ts). It is plain Node and imports the BUILT package by its own
// name (`@bank/core`, `@bank/core/sqlite` resolve to dist/ through the package's `exports` map), exactly as a
// deployment would. The parent kills it with SIGKILL at random moments and restarts it; every fact the parent
// relies on is printed as one JSON line, written synchronously, only AFTER the runtime call it reports resolved.
//
// Usage: node crash-worker.mjs <plan.json>
//   plan: { db, markers, mode: 'crash' | 'final', start, replay?: {n,id}, pending: [{n,id,decision}],
//           doubleReview: [{n,id,decision}], extra? }
//   crash mode submits an endless stream from `start` (the parent kills it); final mode submits `extra` more
//   applications, drains every due retry, closes the store and exits 0.
import { mkdirSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { checkAddress, checkName } from '@bank/checks';
import { createRuntime, isDomainError } from '@bank/core';
import { createSqliteStore } from '@bank/core/sqlite';

/** Writes one line to stdout synchronously, riding out EAGAIN on a non-blocking pipe. */
function emit(record) {
  const buffer = Buffer.from(`${JSON.stringify(record)}\n`);
  let offset = 0;
  while (offset < buffer.length) {
    try {
      offset += writeSync(1, buffer, offset);
    } catch (e) {
      if (e.code !== 'EAGAIN') throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}

emit({ type: 'started', pid: process.pid });

const plan = JSON.parse(readFileSync(process.argv[2], 'utf8'));

/** FNV-1a, so the choice of flaky applications is deterministic across processes and runs. */
function hash(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** The n-th application of the stream: the three reference shapes and a flaky one. Mirrored in crash.test.ts. */
function inputOf(n) {
  switch (n % 4) {
    case 0:
      return { name: `Spock-${n}`, address: '123 Enterprise Street' };
    case 1:
      return { name: `Gabe-${n}`, address: 'ABadAddress' };
    case 2:
      return { name: `UNPROCESSABLE_DATA-${n}`, address: '123 Street' };
    default:
      return { name: `Flaky-${n}`, address: `${n} Retry Road` };
  }
}
const decisionOf = (n) => (n % 8 === 1 ? 'APPROVE' : 'REJECT');

/**
 * A check that fails transiently the first `failures(value)` times it is called for a value, counted ACROSS
 * processes: each failure is claimed by creating a marker directory (atomic, and it survives SIGKILL). So a flaky
 * application fails at most twice in total and always ends APPROVED with maxRetries 3, however the kills fall.
 */
function transient(label, check, failures) {
  return (value) => {
    const limit = failures(value);
    for (let attempt = 1; attempt <= limit; attempt++) {
      try {
        mkdirSync(join(plan.markers, `${label}-${value}-${attempt}`));
      } catch (e) {
        if (e.code === 'EEXIST') continue;
        throw e;
      }
      throw new Error(`service unavailable (${label}, attempt ${attempt})`);
    }
    return check(value);
  };
}
const checks = {
  // Flaky names fail once for half of them (by hash), so sometimes both regions wait for a retry at once.
  name: transient('name', checkName, (v) => (v.startsWith('Flaky-') && hash(v) % 2 === 0 ? 1 : 0)),
  // Flaky addresses fail once or twice (by hash).
  address: transient('address', checkAddress, (v) => (v.endsWith(' Retry Road') ? 1 + (hash(v) % 2) : 0)),
};

const store = createSqliteStore({ path: plan.db });
const runtime = createRuntime({ store, checks, retry: { intervalMs: 5, maxRetries: 3, jitter: 0 } });
const isConflict = (e) => isDomainError(e) && e.code === 'conflict';

function fail(where, e) {
  emit({ type: 'error', where, message: String(e?.stack ?? e) });
  process.exit(1);
}

// A ticker that drives due retries while the stream runs (at most one round at a time).
let ticking = false;
const ticker = setInterval(() => {
  if (ticking) return;
  ticking = true;
  runtime
    .runDue()
    .then((fired) => fired > 0 && emit({ type: 'tick', fired }))
    .catch((e) => fail('runDue', e))
    .finally(() => {
      ticking = false;
    });
}, 3);

/** Reviews an application that is known to wait (or to have been reviewed by a killed process). */
async function reviewAgain({ n, id, decision }) {
  try {
    const app = await runtime.review(id, decision, { reviewer: `worker-${process.pid}` });
    emit({ type: 'reviewed', n, id, decision, state: app.state, retried: true });
  } catch (e) {
    if (!isConflict(e)) throw e;
    const app = await runtime.get(id);
    emit({ type: 'review-conflict', n, id, decision, state: app.state, review: app.review?.decision ?? null });
  }
}

/** A second review of an application whose review was acknowledged: it must be a conflict, never applied. */
async function reviewTwice({ n, id, decision }) {
  const opposite = decision === 'APPROVE' ? 'REJECT' : 'APPROVE';
  try {
    const app = await runtime.review(id, opposite, { reviewer: 'second' });
    emit({ type: 'review-applied-twice', n, id, state: app.state });
  } catch (e) {
    if (!isConflict(e)) throw e;
    emit({ type: 'double-review-conflict', n, id });
  }
}

async function submitOne(n) {
  const input = inputOf(n);
  const app = await runtime.submit(input, { idempotencyKey: `k-${n}` });
  emit({ type: 'submitted', n, id: app.id, state: app.state, name: app.name });
  if (app.state === 'FLAGGED_FOR_REVIEW') {
    // Two concurrent reviews of the same application: exactly one may commit, the other must be a conflict.
    const decision = decisionOf(n);
    const [a, b] = await Promise.allSettled([runtime.review(app.id, decision), runtime.review(app.id, decision)]);
    const applied = [a, b].filter((r) => r.status === 'fulfilled');
    const other = [a, b].filter((r) => r.status === 'rejected');
    for (const r of other) if (!isConflict(r.reason)) throw r.reason;
    if (applied.length !== 1) {
      emit({ type: 'review-applied-twice', n, id: app.id, applied: applied.length });
      return;
    }
    emit({ type: 'reviewed', n, id: app.id, decision, state: applied[0].value.state, conflicts: other.length });
  }
}

async function main() {
  const recovered = await runtime.recover();
  emit({ type: 'recovered', count: recovered });

  // The last acknowledged submission again, with its key: the same application, never a new one.
  if (plan.replay) {
    const app = await runtime.submit(inputOf(plan.replay.n), { idempotencyKey: `k-${plan.replay.n}` });
    emit({ type: 'replayed', n: plan.replay.n, id: app.id });
  }
  for (const p of plan.pending) await reviewAgain(p);
  for (const p of plan.doubleReview) await reviewTwice(p);

  const end = plan.mode === 'final' ? plan.start + plan.extra : Number.POSITIVE_INFINITY;
  // Starting at `start` re-submits the one submission that may have been in flight when the last run died.
  for (let n = plan.start; n < end; n++) await submitOne(n);

  // Final mode: drain every retry until nothing is due any more, then close cleanly.
  clearInterval(ticker);
  while (ticking) await new Promise((r) => setTimeout(r, 1));
  const deadline = Date.now() + 10_000;
  for (;;) {
    const fired = await runtime.recover();
    if (fired > 0) emit({ type: 'tick', fired });
    const next = await store.nextDueAt();
    if (next === undefined) break;
    if (Date.now() > deadline) throw new Error(`retries still due at ${next} after 10 s`);
    await new Promise((r) => setTimeout(r, Math.max(1, Date.parse(next) - Date.now())));
  }
  await runtime.close();
  emit({ type: 'done' });
}

main().catch((e) => fail('main', e));
