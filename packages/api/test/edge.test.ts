// The Worker beyond the shared HTTP cases, in workerd (Miniflare 3) on a local D1: the bundle's budget, the schema
// check at startup, retries with no Node process anywhere (a request's `waitUntil`, the cron trigger, overlapping
// cron runs, a cron run after the isolate died), and the CLI's remote mode against the local Worker.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bundleEntry, BUNDLE, migratedCopy, readWranglerConfig, sleep, startWorker, type RunningWorker } from './workerd.js';

const TOKEN = 'edge-reviewer-token';
const auth = { Authorization: `Bearer ${TOKEN}` };
const vars = { BANK_REVIEWER_TOKENS: `riker:${TOKEN}` };
/**
 * How late a retry may fire and still count as on time: far below a cron minute, with room for a loaded machine (here
 * it is 5–15 ms when the machine is idle, and over a second while every package's tests run at once).
 */
const LATE_MS = 5000;
/** The gzipped size the Worker bundle must stay under. */
const BUDGET_BYTES = 400 * 1024;

const dir = mkdtempSync(join(tmpdir(), 'bank-edge-'));
const running = new Set<RunningWorker>();

async function start(persistTo: string, options: { vars?: Record<string, string>; scriptPath?: string } = {}) {
  const worker = await startWorker({
    persistTo,
    vars: { ...vars, ...options.vars },
    ...(options.scriptPath ? { scriptPath: options.scriptPath } : {}),
  });
  running.add(worker);
  return worker;
}

async function stop(worker: RunningWorker) {
  running.delete(worker);
  await worker.dispose();
}

afterEach(async () => {
  for (const worker of running) await stop(worker);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Json = Record<string, unknown> & { id: string; state: string; execution: { status: string; nextAttemptAt?: string } };

const submit = async (url: string, input: unknown, expected = 201) => {
  const res = await fetch(`${url}/applications`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(input),
  });
  expect(res.status).toBe(expected);
  return (await res.json()) as Json;
};
const get = async (url: string, id: string) => (await (await fetch(`${url}/applications/${id}`, { headers: auth })).json()) as Json;
const history = async (url: string, id: string) =>
  (
    (await (await fetch(`${url}/applications/${id}/history`, { headers: auth })).json()) as {
      events: { at: string; type: string; data: Record<string, unknown> }[];
    }
  ).events;
const calls = async (url: string) => (await (await fetch(`${url}/__calls`)).json()) as Record<string, number>;

/** How late the retry of the name check ran after its due time, in ms: the succeeded attempt's time minus the due time. */
async function retryDelay(url: string, id: string, dueAt: string): Promise<number> {
  const events = await history(url, id);
  const retried = events.filter((e) => e.type === 'check.succeeded' && e.data['check'] === 'name');
  expect(retried).toHaveLength(1);
  return Date.parse(retried[0]!.at) - Date.parse(dueAt);
}

describe('the Worker bundle', () => {
  it(`stays under ${BUDGET_BYTES / 1024} KiB gzipped, imports nothing from node: nor the layout engine, and needs no nodejs_compat flag`, () => {
    const bundle = readFileSync(BUNDLE);
    const gzipped = gzipSync(bundle).length;
    console.log(`edge bundle: ${(bundle.length / 1024).toFixed(1)} KiB, ${(gzipped / 1024).toFixed(1)} KiB gzipped`);
    expect(gzipped).toBeLessThanOrEqual(BUDGET_BYTES);
    expect(bundle.toString('utf8')).not.toMatch(/\bfrom\s*["']node:|\brequire\(["']node:|\bimport\(["']node:/);
    // The graph renderer ships; the layout engine that computed its layout (elkjs, ~1.5 MB) stays a build-time tool.
    const sources = (JSON.parse(readFileSync(`${BUNDLE}.map`, 'utf8')) as { sources: string[] }).sources;
    expect(sources).toContainEqual(expect.stringMatching(/core\/dist\/graph\/svg\.js$/));
    expect(sources.filter((source) => source.includes('elkjs'))).toStrictEqual([]);
    const config = readWranglerConfig();
    expect(config.compatibility_flags ?? []).toStrictEqual([]);
    expect(config.main).toBe('src/worker.ts');
    expect(config.d1_databases).toMatchObject([{ binding: 'DB', migrations_dir: 'migrations' }]);
    expect(config.triggers.crons).toStrictEqual(['* * * * *']);
  });
});

describe('the schema check at startup', () => {
  it('answers 503 store_unavailable, saying what to run, on a D1 database that is not migrated', async () => {
    const worker = await start(join(dir, 'unmigrated'));
    const ready = await fetch(`${worker.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get('retry-after')).toBe('1');
    expect(await ready.json()).toMatchObject({ code: 'store_unavailable' });
    const submitted = await fetch(`${worker.url}/applications`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Spock', address: '123 Enterprise Street' }),
    });
    expect(submitted.status).toBe(503);
    expect(worker.logs.some((l) => JSON.stringify(l).includes('wrangler d1 migrations apply'))).toBe(true);
  });

  it('refuses a D1 database with a schema newer than the code, as the Node server does', async () => {
    const persistTo = join(dir, 'newer');
    await migratedCopy(persistTo);
    const first = await start(persistTo);
    expect((await fetch(`${first.url}/readyz`)).status).toBe(200);
    const db = await first.mf.getD1Database('DB');
    await db.prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (99, '2026-01-01T00:00:00.000Z')").run();
    await stop(first);
    const second = await start(persistTo);
    const ready = await fetch(`${second.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(second.logs.some((l) => JSON.stringify(l).includes('schema version 99, newer than this release knows'))).toBe(true);
  });
});

describe('retries at the edge, with no Node process anywhere', () => {
  let flaky: string;
  beforeAll(async () => {
    flaky = await bundleEntry('test/edge/flaky-worker.ts', join(dir, 'flaky-bundle'));
  }, 120_000);

  it('drives a retry at its due time after the response, with ctx.waitUntil', async () => {
    const persistTo = join(dir, 'wait-until');
    await migratedCopy(persistTo);
    const worker = await start(persistTo, { scriptPath: flaky });
    const submitted = await submit(worker.url, { name: 'Flaky Spock', address: '123 Enterprise Street' }, 202);
    expect(submitted.execution).toMatchObject({ status: 'RUNNING', nextAttemptAt: expect.any(String) as unknown });
    let app = submitted;
    for (let i = 0; i < 200 && app.state !== 'APPROVED'; i++) {
      await sleep(50);
      app = await get(worker.url, submitted.id);
    }
    expect(app.state).toBe('APPROVED');
    const delay = await retryDelay(worker.url, submitted.id, submitted.execution.nextAttemptAt!);
    console.log(`edge retry, request follow-up (waitUntil): due → fired ${delay} ms`);
    expect(delay).toBeGreaterThanOrEqual(0);
    expect(delay).toBeLessThan(LATE_MS);
    expect((await calls(worker.url))['Flaky Spock']).toBe(2);
  });

  it('lets the cron trigger finish it when no request follows up; two overlapping runs drive it once', async () => {
    const persistTo = join(dir, 'cron');
    await migratedCopy(persistTo);
    const worker = await start(persistTo, { scriptPath: flaky, vars: { BANK_FOLLOW_UP_MS: '0' } });
    const submitted = await submit(worker.url, { name: 'Flaky Kirk', address: '1 Bridge Street' }, 202);
    await sleep(300);
    expect((await get(worker.url, submitted.id)).execution.status).toBe('RUNNING'); // nothing followed it up
    // Two cron runs at once, both before the retry is due: each follows up until it is, and one of them drives it.
    await Promise.all([worker.scheduled(), worker.scheduled()]);
    const app = await get(worker.url, submitted.id);
    expect(app).toMatchObject({ state: 'APPROVED', execution: { status: 'SUCCEEDED' } });
    expect((await calls(worker.url))['Flaky Kirk']).toBe(2); // one failed attempt, one retry: not two retries
    const delay = await retryDelay(worker.url, submitted.id, submitted.execution.nextAttemptAt!);
    console.log(`edge retry, cron trigger following up within its minute: due → fired ${delay} ms`);
    expect(delay).toBeGreaterThanOrEqual(0);
    expect(delay).toBeLessThan(LATE_MS);
    expect(worker.logs.filter((l) => l['msg'] === 'scheduled')).toHaveLength(2);
  });

  it('finishes, on the next cron run, a retry whose isolate died before it was due', async () => {
    const persistTo = join(dir, 'died');
    await migratedCopy(persistTo);
    const first = await start(persistTo, { scriptPath: flaky });
    const submitted = await submit(first.url, { name: 'Flaky Sulu', address: '1 Helm Street' }, 202);
    await stop(first); // the request's waitUntil work dies with workerd
    await sleep(Math.max(0, Date.parse(submitted.execution.nextAttemptAt!) - Date.now()) + 100);
    const second = await start(persistTo, { scriptPath: flaky });
    expect((await get(second.url, submitted.id)).execution.status).toBe('RUNNING');
    await second.scheduled();
    // A new isolate: its check fails once more, and the same cron run follows up the second retry within its minute.
    expect(await get(second.url, submitted.id)).toMatchObject({ state: 'APPROVED', execution: { status: 'SUCCEEDED' } });
    const failed = (await history(second.url, submitted.id)).filter((e) => e.type === 'check.failed');
    expect(failed).toHaveLength(2);
  });
});

describe('the CLI in remote mode against the local Worker', () => {
  const bin = fileURLToPath(new URL('../../cli/dist/bin.js', import.meta.url));
  const bank = (args: string[], env: Record<string, string> = {}) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BANK_')));
      const child = spawn(process.execPath, [bin, ...args], { env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.once('error', reject);
      child.once('close', (code) => resolve({ code, stdout, stderr }));
    });

  it('submits, lists and reviews with `node packages/cli/dist/bin.js … --api http://127.0.0.1:<port>`', async () => {
    const persistTo = join(dir, 'cli');
    await migratedCopy(persistTo);
    const worker = await start(persistTo);
    const api = ['--api', worker.url];
    const json = async (args: string[], env: Record<string, string> = {}) => {
      const run = await bank([...args, ...api, '--json'], env);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      return JSON.parse(run.stdout) as Json & { items: { id: string }[] };
    };
    expect((await json(['submit', '--name', 'Spock', '--address', '123 Enterprise Street'])).state).toBe('APPROVED');
    const gabe = await json(['submit', '--name', 'Gabe', '--address', 'ABadAddress']);
    expect(gabe.state).toBe('FLAGGED_FOR_REVIEW');
    expect((await json(['submit', '--data', '{"name":"UNPROCESSABLE_DATA","address":"123 Street"}'])).state).toBe(
      'FLAGGED_WITH_UNPROCESSABLE_DATA',
    );
    expect((await bank(['list', ...api])).code).toBe(77); // no token
    const page = await json(['list', '--state', 'FLAGGED_FOR_REVIEW'], { BANK_TOKEN: TOKEN });
    expect(page.items.map((a) => a.id)).toStrictEqual([gabe.id]);
    const approved = await json(['approve', gabe.id, '--token', TOKEN, '--note', 'called the applicant']);
    expect(approved).toMatchObject({ state: 'APPROVED', review: { decision: 'APPROVE', reviewer: 'riker', note: 'called the applicant' } });
    const again = await bank(['reject', gabe.id, ...api, '--token', TOKEN]);
    expect(again.code).toBe(75);
    expect(again.stderr).toMatch(/^conflict: /);
  });
});
