import { checkName } from '@bank/checks';
import { createMemoryStore, createRuntime, isDomainError } from '@bank/core';
import { createSqliteStore } from '@bank/core/sqlite';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LogLine } from './logger.js';
import { DEFAULT_DB_PATH, DEFAULT_HOST, DEFAULT_PORT, serverOptionsFromEnv, startServer } from './node.js';
import { GABE, SPOCK } from './testing/harness.js';

const dir = mkdtempSync(join(tmpdir(), 'bank-api-node-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('serverOptionsFromEnv', () => {
  it('defaults to 127.0.0.1:8787 and .bank/bank.db, with no tokens', () => {
    expect(serverOptionsFromEnv({})).toStrictEqual({
      port: DEFAULT_PORT,
      host: DEFAULT_HOST,
      dbPath: DEFAULT_DB_PATH,
      reviewerTokens: [],
      submitTokens: [],
      dev: false,
    });
    expect([DEFAULT_PORT, DEFAULT_HOST, DEFAULT_DB_PATH]).toStrictEqual([8787, '127.0.0.1', '.bank/bank.db']);
  });

  it('reads every variable', () => {
    expect(
      serverOptionsFromEnv({
        PORT: '0',
        HOST: '::1',
        BANK_DB: '/tmp/x.db',
        BANK_REVIEWER_TOKENS: 'a, b',
        BANK_SUBMIT_TOKENS: 'c',
        BANK_DEV: '1',
      }),
    ).toStrictEqual({ port: 0, host: '::1', dbPath: '/tmp/x.db', reviewerTokens: ['a', 'b'], submitTokens: ['c'], dev: true });
  });

  it.each(['-1', '65536', '80.5', 'http', '1e3x'])('refuses PORT=%s', (port) => {
    expect(() => serverOptionsFromEnv({ PORT: port })).toThrow(RangeError);
  });
});

describe('startServer', () => {
  it('serves the app over HTTP on a free port of 127.0.0.1 and logs where', async () => {
    const logs: LogLine[] = [];
    const server = await startServer({ port: 0, dbPath: join(dir, 'a.db'), reviewerTokens: ['t'], logger: (l) => logs.push(l) });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(server.generatedReviewerToken).toBeUndefined();
      expect(logs).toContainEqual(expect.objectContaining({ msg: 'listening', url: server.url, recovered: 0 }));
      const created = await post(`${server.url}/applications`, SPOCK);
      expect(created.status).toBe(201);
      const { id } = (await created.json()) as { id: string };
      const read = await fetch(`${server.url}/applications/${id}`, { headers: { Authorization: 'Bearer t' } });
      expect(await read.json()).toMatchObject({ id, state: 'APPROVED' });
    } finally {
      await server.close();
    }
  });

  it('generates a reviewer token when none is configured, so reviewer routes are never open', async () => {
    const server = await startServer({ port: 0, dbPath: join(dir, 'b.db'), logger: () => {} });
    try {
      const token = server.generatedReviewerToken;
      expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect((await fetch(`${server.url}/applications`)).status).toBe(401);
      expect((await fetch(`${server.url}/applications`, { headers: { Authorization: 'Bearer ' } })).status).toBe(401);
      expect((await fetch(`${server.url}/applications`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('finishes in-flight requests on close, refuses new ones, then closes the runtime', async () => {
    let started!: () => void;
    const checkStarted = new Promise<void>((resolve) => (started = resolve));
    const runtime = createRuntime({
      store: createMemoryStore(),
      checks: {
        name: async (name) => {
          started();
          await new Promise((resolve) => setTimeout(resolve, 300));
          return checkName(name);
        },
      },
    });
    const server = await startServer({ port: 0, runtime, reviewerTokens: ['t'], logger: () => {} });
    const inFlight = post(`${server.url}/applications`, GABE, { Connection: 'keep-alive' });
    await checkStarted;
    const closed = server.close();
    const late = await fetch(`${server.url}/healthz`).then(
      (res) => res.status,
      () => 'refused',
    );
    expect(late).toBe('refused');
    const res = await inFlight;
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ state: 'FLAGGED_FOR_REVIEW' });
    await closed;
    const error = await runtime.ping().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isDomainError(error) && error.code).toBe('store_unavailable');
    await server.close(); // closing twice is harmless
  });

  it('recovers executions left due before it listens', async () => {
    const dbPath = join(dir, 'c.db');
    let failing = true;
    const flaky = createRuntime({
      store: createSqliteStore({ path: dbPath }),
      retry: { intervalMs: 0, jitter: 0 },
      checks: {
        address: () => {
          if (failing) throw new Error('address service down');
          return { flagged: false };
        },
      },
    });
    const pending = await flaky.submit(SPOCK);
    expect(pending.execution.status).toBe('RUNNING');
    await flaky.close();
    failing = false;
    const logs: LogLine[] = [];
    const server = await startServer({ port: 0, dbPath, reviewerTokens: ['t'], logger: (l) => logs.push(l) });
    try {
      expect(logs).toContainEqual(expect.objectContaining({ msg: 'listening', recovered: 1 }));
      const read = await fetch(`${server.url}/applications/${pending.id}`, { headers: { Authorization: 'Bearer t' } });
      expect(await read.json()).toMatchObject({ state: 'APPROVED' });
    } finally {
      await server.close();
    }
  });

  it('fails to start, and closes the store, when the port is taken', async () => {
    const first = await startServer({ port: 0, dbPath: join(dir, 'd.db'), reviewerTokens: ['t'], logger: () => {} });
    try {
      const runtime = createRuntime({ store: createMemoryStore() });
      const port = Number(new URL(first.url).port);
      await expect(startServer({ port, runtime, reviewerTokens: ['t'], logger: () => {} })).rejects.toThrow(/EADDRINUSE/);
      await expect(runtime.ping()).rejects.toMatchObject({ code: 'store_unavailable' });
    } finally {
      await first.close();
    }
  });
});
