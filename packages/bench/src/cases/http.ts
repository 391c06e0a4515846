/**
 * Case 4, HTTP: the Node server on 127.0.0.1 in a child process, under load from this process (autocannon,
 * 50 connections): `POST /applications` requests/s and p50/p99 latency, against a bare Hono route served the same
 * way and measured in the same run. Then `/healthz` latency while another process holds the database's write lock
 * for 3 s and submits wait for it: the server must keep answering (the event loop is never blocked by the wait).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { progress, runCase } from '../child.js';
import type { RawFigure } from '../stats.js';
import { BODY, submitsAgainstFloor } from '../submit-load.js';

const SERVER = fileURLToPath(new URL('./http-server.js', import.meta.url));
const LOCK_HOLDER = fileURLToPath(new URL('./lock-holder.js', import.meta.url));
const LOCK_MS = 3000;

interface Served {
  readonly child: ChildProcess;
  readonly url: string;
}

function serve(mode: 'api' | 'floor', dbPath: string): Promise<Served> {
  return new Promise((resolve, reject) => {
    const child = fork(SERVER, [mode, dbPath], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${mode} server exited with ${code}`)));
    child.once('message', (m) => resolve({ child, url: `http://127.0.0.1:${(m as { port: number }).port}` }));
  });
}

function stop(served: Served): Promise<void> {
  return new Promise((resolve) => {
    served.child.removeAllListeners('exit');
    served.child.once('exit', () => resolve());
    served.child.send('stop');
    setTimeout(() => served.child.kill('SIGKILL'), 15_000).unref();
  });
}

/** Holds the write lock of `db` from another process for `ms`; resolves once it is held, with a promise of its end. */
function holdLock(db: string, ms: number): Promise<{ released: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const child = fork(LOCK_HOLDER, [db, String(ms)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const released = new Promise<void>((done) => child.once('exit', () => done()));
    child.once('error', reject);
    child.once('message', () => resolve({ released }));
  });
}

/** `/healthz` latencies (ms), one probe every 20 ms, while another process holds the write lock and submits wait. */
async function healthzUnderLock(url: string, db: string): Promise<number[]> {
  const { released } = await holdLock(db, LOCK_MS);
  // Submits that need the lock: they wait for it (or time out with a 503), which must not stall anything else.
  const submits = Array.from({ length: 8 }, () =>
    fetch(`${url}/applications`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY }).then((r) =>
      r.arrayBuffer(),
    ),
  );
  const latencies: number[] = [];
  let done = false;
  void released.then(() => (done = true));
  while (!done) {
    const started = performance.now();
    const res = await fetch(`${url}/healthz`);
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`/healthz answered ${res.status} under a held lock`);
    latencies.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await Promise.all(submits);
  return latencies;
}

const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};

runCase(async ({ quick, runs: requested, dir }) => {
  const seconds = quick ? 1 : 10;
  // Each run is 2 × 10 s of load: three runs keep the full suite within a few minutes.
  const runs = Math.min(requested, 3);
  const apiDb = join(dir, 'http.db');
  const api = await serve('api', apiDb);
  const floor = await serve('floor', join(dir, 'unused.db'));
  try {
    const submits = await submitsAgainstFloor('http', floor.url, api.url, runs, seconds);
    const underLock: number[] = [];
    for (let run = 1; run <= (quick ? 1 : runs); run++) {
      const latencies = await healthzUnderLock(api.url, apiDb);
      underLock.push(percentile(latencies, 99));
      progress(
        `http healthz under a held write lock, run ${run}: ${latencies.length} probes, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms`,
      );
    }
    return [{ name: 'http.healthz_under_lock_p99', unit: 'ms', values: underLock }, ...submits] satisfies RawFigure[];
  } finally {
    await stop(api);
    await stop(floor);
  }
});
