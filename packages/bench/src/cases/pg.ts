/**
 * Case 8, pg: the Postgres store (`@bank/core/postgres`) on a database of its own (`bank_bench_<time>_<random>`, created
 * on the server of DATABASE_URL and dropped `WITH (FORCE)` afterwards), each figure next to its SQLite counterpart
 * measured in this same process and run, as the engine, review and http cases measure it:
 * - the auto-approve path, `runtime.submit()` one at a time and 64 in flight (floors: the same on a SQLite file);
 * - reviews with 64 in flight (restore, resume, settle, save) of applications flagged for review;
 * - SQL statements and round trips per settled step and per workflow (submit → flagged → review → approved), counted
 *   on a postgres.js client passed to the store (`debug` hook; a socket that notes when the client speaks again after
 *   it heard the server);
 * - `POST /applications` with autocannon against `startServer` on the database (one instance, then three on the
 *   same database with the connections spread over them), each in a child process, next to one on a SQLite file.
 * Skipped, with a note, when DATABASE_URL is not set.
 */
import { randomBytes } from 'node:crypto';
import { fork, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { createRuntime, type Runtime, type Store } from '@bank/core';
import { createPostgresStore } from '@bank/core/postgres';
import { createSqliteStore } from '@bank/core/sqlite';
import { CaseSkipped, nowMs, pool, progress, runCase } from '../child.js';
import type { RawFigure } from '../stats.js';
import { loadSubmits } from '../submit-load.js';

const APPROVED = { name: 'Spock', address: '123 Enterprise Street' };
const FLAGGED = { name: 'Gabe', address: 'ABadAddress' };
const CONCURRENCY = 64;
const SERVER = fileURLToPath(new URL('./http-server.js', import.meta.url));
const PREFIX = 'bank_bench_';
/** Benchmark databases a crashed run left behind are dropped by a later run once they are this old. */
const STALE_AFTER_MS = 3600_000;

const SKIP_NOTE =
  'DATABASE_URL is not set, so there is no PostgreSQL server to measure on; set it (e.g. ' +
  'DATABASE_URL=postgres://postgres@127.0.0.1:5432/test) to run the Postgres case';

/** Where a database lives, for messages: host, port and name, never a password. */
function describeUrl(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
}

interface BenchDatabase {
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

/** Creates an empty database for this run on the server of `url` (after dropping stale ones of earlier runs). */
async function createBenchDatabase(url: string): Promise<BenchDatabase> {
  const name = `${PREFIX}${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = () => postgres(url, { max: 1, onnotice: () => {}, fetch_types: false, connect_timeout: 10 });
  const sql = admin();
  try {
    const stale = await sql<{ datname: string }[]>`SELECT datname FROM pg_database WHERE datname LIKE ${`${PREFIX}%`}`;
    for (const { datname } of stale) {
      // Only names this case makes: bank_bench_<base-36 time>_<8 hex digits>.
      const time = /^bank_bench_([0-9a-z]+)_[0-9a-f]{8}$/.exec(datname)?.[1];
      const born = time === undefined ? Number.NaN : Number.parseInt(time, 36);
      if (Number.isFinite(born) && Date.now() - born > STALE_AFTER_MS) await sql`DROP DATABASE IF EXISTS ${sql(datname)} WITH (FORCE)`;
    }
    await sql`CREATE DATABASE ${sql(name)}`;
  } finally {
    await sql.end({ timeout: 5 });
  }
  const target = new URL(url);
  target.pathname = `/${name}`;
  return {
    url: target.toString(),
    name,
    drop: async () => {
      const dropper = admin();
      try {
        await dropper`DROP DATABASE IF EXISTS ${dropper(name)} WITH (FORCE)`;
      } finally {
        await dropper.end({ timeout: 5 });
      }
    },
  };
}

async function measure(count: number, one: (i: number) => Promise<unknown>, concurrency = 1): Promise<number> {
  const start = nowMs();
  await pool(count, concurrency, one);
  return count / ((nowMs() - start) / 1000);
}

async function submitApproved(runtime: Runtime): Promise<void> {
  const app = await runtime.submit(APPROVED);
  if (app.state !== 'APPROVED') throw new Error(`expected APPROVED, got ${app.state}`);
}

/** Submits `n` applications that wait for review, with 64 in flight; their ids. */
async function flag(runtime: Runtime, n: number): Promise<string[]> {
  const ids: string[] = [];
  await pool(n, CONCURRENCY, async () => {
    const app = await runtime.submit(FLAGGED);
    if (app.state !== 'FLAGGED_FOR_REVIEW') throw new Error(`expected FLAGGED_FOR_REVIEW, got ${app.state}`);
    ids.push(app.id);
  });
  return ids;
}

/** Reviews every id with 64 in flight (half approved, half rejected, as the review case does); reviews/s. */
async function reviewAll(runtime: Runtime, ids: readonly string[]): Promise<number> {
  return measure(
    ids.length,
    async (i) => {
      const app = await runtime.review(ids[i]!, i % 2 === 0 ? 'APPROVE' : 'REJECT', { reviewer: 'bench' });
      if (app.state !== 'APPROVED' && app.state !== 'REJECTED') throw new Error(`unexpected state after review: ${app.state}`);
    },
    CONCURRENCY,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Engine and review: Postgres and SQLite interleaved run by run, so a slow moment of the machine hits both.

async function engineFigures(url: string, dir: string, quick: boolean, runs: number): Promise<RawFigure[]> {
  // Postgres commits wait for a WAL flush each: far fewer per second than SQLite's, so fewer per run.
  const n = quick
    ? { sqliteSeq: 500, pgSeq: 150, sqliteConc: 1_000, pgConc: 640 }
    : { sqliteSeq: 2_000, pgSeq: 500, sqliteConc: 3_000, pgConc: 2_000 };
  const runtimes = {
    sqliteSeq: createRuntime({ store: createSqliteStore({ path: join(dir, 'pg-engine-seq.db') }) }),
    sqliteConc: createRuntime({ store: createSqliteStore({ path: join(dir, 'pg-engine-conc.db') }) }),
    pgSeq: createRuntime({ store: await createPostgresStore({ url, schema: 'engine_seq' }) }),
    pgConc: createRuntime({ store: await createPostgresStore({ url, schema: 'engine_conc' }) }),
  };
  const values = { sqliteSeq: [] as number[], pgSeq: [] as number[], sqliteConc: [] as number[], pgConc: [] as number[] };
  try {
    const once = async (share = 1) => ({
      sqliteSeq: await measure(n.sqliteSeq * share, () => submitApproved(runtimes.sqliteSeq)),
      pgSeq: await measure(n.pgSeq * share, () => submitApproved(runtimes.pgSeq)),
      sqliteConc: await measure(n.sqliteConc * share, () => submitApproved(runtimes.sqliteConc), CONCURRENCY),
      pgConc: await measure(n.pgConc * share, () => submitApproved(runtimes.pgConc), CONCURRENCY),
    });
    await once(0.5); // warm-up
    for (let run = 1; run <= runs; run++) {
      const r = await once();
      for (const key of Object.keys(values) as (keyof typeof values)[]) values[key].push(r[key]);
      progress(
        `pg engine run ${run}/${runs}: sequential pg ${r.pgSeq.toFixed(0)}/s (SQLite ${r.sqliteSeq.toFixed(0)}/s), ` +
          `×${CONCURRENCY} pg ${r.pgConc.toFixed(0)}/s (SQLite ${r.sqliteConc.toFixed(0)}/s)`,
      );
    }
  } finally {
    await Promise.all(Object.values(runtimes).map((r) => r.close()));
  }
  return [
    { name: 'pg.sqlite_engine_sequential', unit: 'executions/s', values: values.sqliteSeq },
    { name: 'pg.engine_sequential', unit: 'executions/s', values: values.pgSeq, floor: 'pg.sqlite_engine_sequential' },
    { name: 'pg.sqlite_engine_concurrent', unit: 'executions/s', values: values.sqliteConc },
    { name: 'pg.engine_concurrent', unit: 'executions/s', values: values.pgConc, floor: 'pg.sqlite_engine_concurrent' },
  ];
}

async function reviewFigures(url: string, dir: string, quick: boolean, runs: number): Promise<RawFigure[]> {
  const n = quick ? 400 : 1_500;
  const sqlite = createRuntime({ store: createSqliteStore({ path: join(dir, 'pg-review.db') }) });
  const pg = createRuntime({ store: await createPostgresStore({ url, schema: 'review' }) });
  const sqliteValues: number[] = [];
  const pgValues: number[] = [];
  try {
    const once = async () => ({ sqlite: await reviewAll(sqlite, await flag(sqlite, n)), pg: await reviewAll(pg, await flag(pg, n)) });
    await once(); // warm-up
    for (let run = 1; run <= runs; run++) {
      const r = await once();
      sqliteValues.push(r.sqlite);
      pgValues.push(r.pg);
      progress(`pg review run ${run}/${runs}: pg ${r.pg.toFixed(0)} reviews/s (SQLite ${r.sqlite.toFixed(0)} reviews/s)`);
    }
  } finally {
    await Promise.all([sqlite.close(), pg.close()]);
  }
  return [
    { name: 'pg.sqlite_review', unit: 'reviews/s', values: sqliteValues },
    { name: 'pg.review', unit: 'reviews/s', values: pgValues, floor: 'pg.sqlite_review' },
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// Statements and round trips, on a postgres.js client of our own configured as the store configures its pool.

interface WireCounter {
  statements: number;
  roundTrips: number;
  /** Calls to the socket's write (postgres.js writes a chunk of 1 KiB or more at once, a smaller one on the next turn). */
  writes: number;
}

/**
 * A postgres.js client like the store's own pool (10 connections, pipelines of up to 1024, TCP_NODELAY) that counts
 * the statements it sends (`debug` is called once per query written) and its round trips: each time a connection
 * writes after it last heard the server. On localhost the server can answer the start of a pipeline before its end
 * is written, so the round trips are an upper bound (the store's `postgres-commit.test.ts` counts them exactly,
 * through a proxy that delays the answers).
 */
function countingClient(url: string): { sql: postgres.Sql; counter: WireCounter } {
  const counter: WireCounter = { statements: 0, roundTrips: 0, writes: 0 };
  const socket = (options: { host: readonly string[]; port: readonly number[]; path?: string | false }): Socket => {
    const s = options.path ? connect(options.path) : connect(options.port[0] ?? 5432, options.host[0] ?? 'localhost');
    s.setNoDelay(true);
    let heard = true;
    const write = s.write.bind(s) as (...args: unknown[]) => boolean;
    s.write = ((...args: unknown[]) => {
      if (heard) counter.roundTrips++;
      heard = false;
      counter.writes++;
      return write(...args);
    }) as typeof s.write;
    s.on('data', () => (heard = true));
    return s;
  };
  const sql = postgres(url, {
    max: 10,
    max_pipeline: 1024,
    onnotice: () => {},
    connection: { application_name: 'bank-workflows-bench' },
    socket,
    debug: () => void counter.statements++,
  } as postgres.Options<Record<string, postgres.PostgresType>>);
  return { sql, counter };
}

/** A store that counts its settled steps (commits, one per step, group commits included). */
function countingSteps(store: Store): { store: Store; steps: () => number } {
  let steps = 0;
  return {
    store: {
      ...store,
      commit: (c) => ((steps += 1), store.commit(c)),
      commitMany: (cs) => ((steps += cs.length), store.commitMany(cs)),
    },
    steps: () => steps,
  };
}

async function wireFigures(url: string, quick: boolean, runs: number): Promise<RawFigure[]> {
  const schema = 'counted';
  const { sql, counter } = countingClient(url);
  const counted = countingSteps(await createPostgresStore({ sql, schema }));
  const runtime = createRuntime({ store: counted.store });
  // The counts hardly move from run to run: one run with --quick.
  const n = quick ? { seq: 30, conc: 320, runs: 1 } : { seq: 100, conc: 640, runs: Math.min(runs, 3) };
  const figures = {
    submitStatements: [] as number[],
    submitTrips: [] as number[],
    seqStatementsPerStep: [] as number[],
    seqStatements: [] as number[],
    seqTrips: [] as number[],
    concStatementsPerStep: [] as number[],
    concStatements: [] as number[],
    concTrips: [] as number[],
  };
  /** Statements, round trips and steps of `work`, per `per`. */
  const count = async (per: number, work: () => Promise<unknown>) => {
    const [statements, trips, writes, steps] = [counter.statements, counter.roundTrips, counter.writes, counted.steps()];
    await work();
    return {
      statements: (counter.statements - statements) / per,
      trips: (counter.roundTrips - trips) / per,
      writes: (counter.writes - writes) / per,
      steps: (counted.steps() - steps) / per,
    };
  };
  const workflow = async (id: string) => {
    const app = await runtime.review(id, 'APPROVE', { reviewer: 'bench' });
    if (app.state !== 'APPROVED') throw new Error(`expected APPROVED after review, got ${app.state}`);
  };
  try {
    // Warm-up: every connection of the pool open, its types fetched and every statement prepared on each (postgres.js
    // prepares per connection, and a lone caller rotates through all of them), in groups and one at a time.
    await Promise.all((await flag(runtime, CONCURRENCY * 2)).map(workflow));
    for (const id of await flag(runtime, 30)) await workflow(id);
    await pool(30, 1, () => submitApproved(runtime));
    for (let run = 1; run <= n.runs; run++) {
      // The auto-approve path one at a time: one step per submit.
      const submit = await count(n.seq, () => pool(n.seq, 1, () => submitApproved(runtime)));
      // Whole workflows one at a time: submit (→ flagged), then review (→ approved).
      const seq = await count(n.seq, () =>
        pool(n.seq, 1, async () => {
          const app = await runtime.submit(FLAGGED);
          if (app.state !== 'FLAGGED_FOR_REVIEW') throw new Error(`expected FLAGGED_FOR_REVIEW, got ${app.state}`);
          await workflow(app.id);
        }),
      );
      // The same with 64 in flight, as the benchmark runs them: submits first, then the reviews (group commit on).
      const conc = await count(n.conc, async () => {
        const ids = await flag(runtime, n.conc);
        await pool(ids.length, CONCURRENCY, (i) => workflow(ids[i]!));
      });
      figures.submitStatements.push(submit.statements / submit.steps);
      figures.submitTrips.push(submit.trips / submit.steps);
      figures.seqStatementsPerStep.push(seq.statements / seq.steps);
      figures.seqStatements.push(seq.statements);
      figures.seqTrips.push(seq.trips);
      figures.concStatementsPerStep.push(conc.statements / conc.steps);
      figures.concStatements.push(conc.statements);
      figures.concTrips.push(conc.trips);
      progress(
        `pg statements run ${run}: auto-approve submit ${submit.statements.toFixed(2)} statements, ${submit.trips.toFixed(2)} round trips ` +
          `(${submit.steps} step); workflow one at a time ${seq.statements.toFixed(2)} statements, ${seq.trips.toFixed(2)} round trips ` +
          `(${seq.steps} steps); workflow ×${CONCURRENCY} ${conc.statements.toFixed(2)} statements, ${conc.trips.toFixed(2)} round trips ` +
          `(${conc.steps} steps, ${conc.writes.toFixed(2)} socket writes)`,
      );
    }
  } finally {
    await runtime.close();
    await sql.end({ timeout: 5 });
  }
  return [
    { name: 'pg.statements_per_step', unit: 'statements', values: figures.seqStatementsPerStep },
    { name: 'pg.statements_per_step_x64', unit: 'statements', values: figures.concStatementsPerStep },
    { name: 'pg.statements_per_submit', unit: 'statements', values: figures.submitStatements },
    { name: 'pg.round_trips_per_submit', unit: 'round trips', values: figures.submitTrips },
    { name: 'pg.statements_per_workflow', unit: 'statements', values: figures.seqStatements },
    { name: 'pg.round_trips_per_workflow', unit: 'round trips', values: figures.seqTrips },
    { name: 'pg.statements_per_workflow_x64', unit: 'statements', values: figures.concStatements },
    { name: 'pg.round_trips_per_workflow_x64', unit: 'round trips', values: figures.concTrips },
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP: `startServer` in child processes (http-server.js, as the http case), autocannon here.

interface Served {
  readonly child: ChildProcess;
  readonly url: string;
}

function serve(dbPath: string): Promise<Served> {
  return new Promise((resolve, reject) => {
    const child = fork(SERVER, ['api', dbPath], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`api server exited with ${code}`)));
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

async function httpFigures(url: string, dir: string, quick: boolean, requested: number): Promise<RawFigure[]> {
  const seconds = quick ? 1 : 3;
  const runs = Math.min(requested, 3);
  const servers: Served[] = [];
  const started = async (dbPath: string) => {
    const s = await serve(dbPath);
    servers.push(s);
    return s;
  };
  const values = { sqlite: [] as number[], pg: [] as number[], pgP99: [] as number[], pg3: [] as number[], pg3P99: [] as number[] };
  try {
    // The first Postgres instance migrates the database; the other two then open it as it is.
    const [sqlite, first] = await Promise.all([started(join(dir, 'pg-http.db')), started(url)]);
    const three = [first, ...(await Promise.all([started(url), started(url)]))].map((s) => s.url);
    // Warm-up: with --quick all four servers at once (the connections spread over them), else the SQLite server, then
    // the three Postgres instances, each under all the connections.
    if (quick) await loadSubmits([sqlite.url, ...three], 1);
    else for (const target of [sqlite.url, ...three]) await loadSubmits([target], 1);
    for (let run = 1; run <= runs; run++) {
      const s = await loadSubmits([sqlite.url], seconds);
      const p = await loadSubmits([first.url], seconds);
      const p3 = await loadSubmits(three, seconds);
      values.sqlite.push(s.rps);
      values.pg.push(p.rps);
      values.pgP99.push(p.p99);
      values.pg3.push(p3.rps);
      values.pg3P99.push(p3.p99);
      progress(
        `pg http run ${run}/${runs}: POST /applications SQLite ${s.rps.toFixed(0)} req/s (p99 ${s.p99} ms), ` +
          `pg ×1 ${p.rps.toFixed(0)} req/s (p99 ${p.p99} ms), pg ×3 ${p3.rps.toFixed(0)} req/s (p99 ${p3.p99} ms)`,
      );
    }
  } finally {
    await Promise.all(servers.map(stop));
  }
  return [
    { name: 'pg.sqlite_http_submit', unit: 'requests/s', values: values.sqlite },
    { name: 'pg.http_submit', unit: 'requests/s', values: values.pg, floor: 'pg.sqlite_http_submit' },
    { name: 'pg.http_submit_p99', unit: 'ms', values: values.pgP99 },
    { name: 'pg.http_submit_x3', unit: 'requests/s', values: values.pg3, floor: 'pg.http_submit' },
    { name: 'pg.http_submit_x3_p99', unit: 'ms', values: values.pg3P99 },
  ];
}

runCase(async ({ quick, runs, dir }) => {
  const base = process.env['DATABASE_URL']?.trim();
  if (!base) throw new CaseSkipped(SKIP_NOTE);
  const db = await createBenchDatabase(base);
  progress(`pg: database ${describeUrl(db.url)}`);
  try {
    const admin = postgres(db.url, { max: 1, onnotice: () => {}, fetch_types: false });
    const [row] = await admin<{ server_version: string }[]>`SHOW server_version`;
    await admin.end({ timeout: 5 });
    progress(`pg: PostgreSQL ${row?.server_version ?? 'unknown'}`);
    const section = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
      const start = nowMs();
      const result = await work();
      progress(`pg ${name} in ${((nowMs() - start) / 1000).toFixed(1)} s`);
      return result;
    };
    return [
      ...(await section('engine', () => engineFigures(db.url, dir, quick, runs))),
      ...(await section('review', () => reviewFigures(db.url, dir, quick, runs))),
      ...(await section('statements', () => wireFigures(db.url, quick, runs))),
      ...(await section('http', () => httpFigures(db.url, dir, quick, runs))),
    ];
  } finally {
    await db.drop();
  }
});
