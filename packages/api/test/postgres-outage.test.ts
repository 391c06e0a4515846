// The real server (`node dist/serve.js`) on Postgres while the database server goes away and comes back: a private
// cluster of this test's own (the shared server on 5432 serves other suites and is never restarted), stopped with
// `pg_ctl stop -m fast` (sessions cut, as in a restart for maintenance) mid-run, left down for 2 s, and started again.
// Clients submit all along and probe /readyz and /healthz. During the outage every submit must answer 503 with
// Retry-After, quickly (no 500, no hang), /readyz 503 and /healthz 200; the pool reconnects by itself (the same server
// process, never restarted, serves again within seconds); and every application acknowledged before, during or after
// is there at the end.
//
// It needs root and the Postgres server binaries (CI has both); elsewhere it skips, saying why. Like the other Postgres
// suites it also skips when DATABASE_URL is unset, which is how a machine says it runs Postgres tests. OUTAGE_DEBUG=1
// prints the timeline of every request that was not a quick 201, and the server's warnings and errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privateClusterUnavailable, startPrivateCluster, type PrivateCluster } from './postgres-cluster.js';
import { POSTGRES_SKIP_NOTE } from './postgres-db.js';
import { assertBuilt, killServers, serve, sleep, stop } from './served.js';

const TOKEN = 'outage-reviewer-token';
const auth = { Authorization: `Bearer ${TOKEN}` };
const CLIENTS = 4;
const DOWN_MS = 2000;
/** The longest any request may take, outage or not: longer is a hang. */
const MAX_LATENCY_MS = 5000;
/** How soon after the database is back submits must succeed again. */
const RECOVERY_MS = 5000;

const skipNote = POSTGRES_SKIP_NOTE || (privateClusterUnavailable() ? ` (skipped: ${privateClusterUnavailable()})` : '');

/** One request: when it started and ended (ms since the epoch), and what it came to. */
interface Sample {
  readonly start: number;
  readonly end: number;
  readonly status: number | 'network' | 'timeout';
  readonly retryAfter: string | null;
  readonly id?: string;
}

async function timed(url: string, init: RequestInit = {}): Promise<Sample> {
  const start = Date.now();
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
    const body = (await res.json()) as { id?: unknown };
    return {
      start,
      end: Date.now(),
      status: res.status,
      retryAfter: res.headers.get('retry-after'),
      ...(res.status < 300 && typeof body.id === 'string' ? { id: body.id } : {}),
    };
  } catch (e) {
    return { start, end: Date.now(), status: (e as Error).name === 'TimeoutError' ? 'timeout' : 'network', retryAfter: null };
  }
}

const tally = (samples: readonly Sample[]) =>
  Object.fromEntries([...new Set(samples.map((s) => s.status))].sort().map((s) => [s, samples.filter((x) => x.status === s).length]));

describe.skipIf(skipNote !== '')(`the server through a Postgres outage${skipNote}`, () => {
  let cluster: PrivateCluster | undefined;

  beforeAll(assertBuilt);

  afterAll(async () => {
    killServers();
    await cluster?.destroy();
  });

  it('answers 503 with Retry-After while the database is down, reconnects by itself and loses nothing acknowledged', async () => {
    cluster = await startPrivateCluster();
    const server = await serve({ BANK_DB: cluster.url, BANK_REVIEWER_TOKENS: TOKEN });
    const { url } = server;

    const submits: Sample[] = [];
    const readyz: Sample[] = [];
    const healthz: Sample[] = [];
    let running = true;
    const clients = Array.from({ length: CLIENTS }, async (_, c) => {
      for (let n = 0; running; n++) {
        const sample = await timed(`${url}/applications`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ name: `Outage ${c}-${n}`, address: `${n} Enterprise Street` }),
        });
        submits.push(sample);
        await sleep(sample.status === 201 ? 10 : 50);
      }
    });
    const probes = (async () => {
      while (running) {
        const [ready, health] = await Promise.all([timed(`${url}/readyz`), timed(`${url}/healthz`)]);
        readyz.push(ready);
        healthz.push(health);
        await sleep(100);
      }
    })();

    await sleep(1500);
    const stopAt = Date.now();
    await cluster.stop('fast');
    const stoppedAt = Date.now();
    await sleep(DOWN_MS);
    const startAt = Date.now();
    await cluster.start();
    const startedAt = Date.now();
    // Run on until submits have succeeded again for 2 s (or too long has passed: the assertions below say what).
    for (;;) {
      const ok = submits.find((s) => s.start >= startedAt && s.status === 201);
      if ((ok && Date.now() - ok.end > 2000) || Date.now() - startedAt > RECOVERY_MS + 5000) break;
      await sleep(100);
    }
    running = false;
    await Promise.all([...clients, probes]);

    if (process.env['OUTAGE_DEBUG']) {
      // The timeline (ms from the stop), every request that was not a quick 201, and what the server logged about them.
      const at = (t: number) => t - stopAt;
      console.info(`stopped ${at(stoppedAt)}, start ${at(startAt)}, started ${at(startedAt)}`);
      for (const s of submits)
        if (s.status !== 201 || s.end - s.start > 500) console.info(`submit ${at(s.start)}..${at(s.end)} ${s.status}`);
      for (const line of server.lines) if (line['level'] !== 'info') console.info(JSON.stringify(line));
    }
    // Nothing but 201 and 503 (never a 500, never a dropped connection), every 503 with Retry-After, none slow.
    expect(submits.some((s) => s.status === 201)).toBe(true);
    expect(submits.filter((s) => s.status !== 201 && s.status !== 503)).toStrictEqual([]);
    expect(submits.filter((s) => s.status === 503 && s.retryAfter !== '1')).toStrictEqual([]);
    const slowest = Math.max(...submits.map((s) => s.end - s.start), ...readyz.map((s) => s.end - s.start));
    expect(slowest).toBeLessThan(MAX_LATENCY_MS);

    // While the server was down: every submit 503, /readyz 503 (once its 1 s cache ran out), /healthz 200 throughout.
    const down = (s: Sample, afterMs = 0) => s.start >= stoppedAt + afterMs && s.end <= startAt;
    const duringOutage = submits.filter((s) => down(s));
    expect(duringOutage.length).toBeGreaterThan(0);
    expect(duringOutage.filter((s) => s.status !== 503)).toStrictEqual([]);
    const readyDuring = readyz.filter((s) => down(s, 1100));
    expect(readyDuring.length).toBeGreaterThan(0);
    expect(readyDuring.filter((s) => s.status !== 503 || s.retryAfter !== '1')).toStrictEqual([]);
    expect(healthz.filter((s) => s.status !== 200)).toStrictEqual([]);

    // Back by itself: the same process (never restarted) serves again within seconds of the database's return.
    expect(server.child.exitCode).toBeNull();
    expect(server.child.signalCode).toBeNull();
    expect(server.lines.filter((l) => l['msg'] === 'listening')).toHaveLength(1);
    const firstOk = submits.filter((s) => s.start >= startAt && s.status === 201).sort((a, b) => a.end - b.end)[0];
    expect(firstOk).toBeDefined();
    const recoveredMs = firstOk!.end - startedAt;
    expect(recoveredMs).toBeLessThan(RECOVERY_MS);
    expect(submits.filter((s) => s.start > firstOk!.end + 1000 && s.status !== 201)).toStrictEqual([]);
    const readyAgain = readyz.filter((s) => s.start >= startedAt && s.status === 200).sort((a, b) => a.end - b.end)[0];
    expect(readyAgain).toBeDefined();
    expect(readyz.at(-1)?.status).toBe(200);

    // Every acknowledged application is there.
    const acknowledged = submits.flatMap((s) => (s.id ? [s.id] : []));
    const stored = new Set<string>();
    let cursor: string | undefined;
    do {
      const res = await fetch(`${url}/applications?limit=200${cursor ? `&cursor=${cursor}` : ''}`, { headers: auth });
      expect(res.status).toBe(200);
      const page = (await res.json()) as { items: { id: string }[]; nextCursor?: string };
      for (const item of page.items) stored.add(item.id);
      cursor = page.nextCursor;
    } while (cursor);
    expect(acknowledged.filter((id) => !stored.has(id))).toStrictEqual([]);

    const count503 = submits.filter((s) => s.status === 503).length;
    const outageLatency = duringOutage.map((s) => s.end - s.start).sort((a, b) => a - b);
    console.info(
      [
        `postgres outage: ${submits.length} submits ${JSON.stringify(tally(submits))}, ${acknowledged.length} acknowledged and all present afterwards`,
        `  pg_ctl stop -m fast took ${stoppedAt - stopAt} ms, down ${startAt - stoppedAt} ms, pg_ctl start took ${startedAt - startAt} ms: outage ${startedAt - stopAt} ms`,
        `  ${count503} answered 503 (all with Retry-After: 1); a submit while the server was down took ${outageLatency[0]}–${outageLatency.at(-1)} ms (median ${outageLatency[Math.floor(outageLatency.length / 2)]}); slowest request ${slowest} ms`,
        `  /readyz 503 while down (${readyDuring.length} probes), /healthz 200 throughout (${healthz.length} probes)`,
        `  recovered by itself: first 201 ${recoveredMs} ms after the database was back, /readyz 200 after ${readyAgain!.end - startedAt} ms; the server process never restarted`,
      ].join('\n'),
    );
    await stop(server);
  }, 60_000);
});
