import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommit, testApplication } from '../testing/describe-store.js';
import { createPostgresProxy, createTestSchema, POSTGRES_SKIP_NOTE, TEST_DATABASE_URL, type TestSchema } from '../testing/postgres.js';
import { createPostgresStore } from './postgres-store.js';
import type { Store } from './store.js';

/** Resolves with what `listener` hears within `ms`. */
function collect(store: Store, ms: number): { heard: string[]; done: Promise<string[]>; stop: () => void } {
  const heard: string[] = [];
  const stop = store.watchDue!((dueAt) => heard.push(dueAt));
  return { heard, stop, done: new Promise((resolve) => setTimeout(() => resolve(heard), ms)) };
}

const waitFor = async (check: () => boolean, ms: number) => {
  const until = performance.now() + ms;
  while (!check() && performance.now() < until) await new Promise((resolve) => setTimeout(resolve, 5));
  return check();
};

describe.skipIf(!TEST_DATABASE_URL)(`postgres wake-ups${POSTGRES_SKIP_NOTE}`, () => {
  let schema: TestSchema;
  let other: TestSchema;
  let a: Store;
  let b: Store;
  let elsewhere: Store;

  beforeAll(async () => {
    [schema, other] = await Promise.all([createTestSchema(), createTestSchema()]);
    a = await createPostgresStore({ url: schema.url, schema: schema.schema, max: 2 });
    b = await createPostgresStore({ url: schema.url, schema: schema.schema, max: 2 });
    elsewhere = await createPostgresStore({ url: other.url, schema: other.schema, max: 2 });
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close(), elsewhere.close()]);
    await Promise.all([schema.drop(), other.drop()]);
  });

  it('tells a watching store, within 100 ms, of a due time another store commits, and nothing of other schemas', async () => {
    const watching = collect(a, 0);
    const unrelated = collect(elsewhere, 0);
    // LISTEN starts on a connection of its own; until it is in place wake-ups are missed: commit until one is heard.
    let n = 0;
    const listening = await waitFor(() => {
      if (watching.heard.length === 0 && n++ % 10 === 0)
        void b.commit(createCommit(testApplication(), { dueAt: '2026-01-01T00:00:01.000Z' }));
      return watching.heard.length > 0;
    }, 5000);
    expect(listening).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    watching.heard.length = 0;

    const app = testApplication();
    let heardAt = Number.POSITIVE_INFINITY;
    const stopTiming = a.watchDue!(() => (heardAt = Math.min(heardAt, performance.now())));
    await b.commit(createCommit(app, { dueAt: '2026-01-01T00:00:05.000Z' }));
    const committedAt = performance.now(); // NOTIFY goes out as the commit does: time the delivery, not the commit
    expect(await waitFor(() => watching.heard.length > 0, 1000)).toBe(true);
    expect(Math.max(0, heardAt - committedAt)).toBeLessThan(100);
    stopTiming();
    expect(watching.heard).toStrictEqual(['2026-01-01T00:00:05.000Z']);

    // A commit with no due time says nothing; a group commit tells each due time once it commits.
    await b.commit({ ...createCommit(app), expectedVersion: 1, dueAt: null });
    await b.commitMany([createCommit(testApplication(), { dueAt: '2026-01-01T00:00:07.000Z' }), createCommit(testApplication())]);
    expect(await waitFor(() => watching.heard.length > 1, 1000)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(watching.heard).toStrictEqual(['2026-01-01T00:00:05.000Z', '2026-01-01T00:00:07.000Z']);
    expect(unrelated.heard).toStrictEqual([]);

    // A lost race notifies nobody.
    await b.commit({ ...createCommit(app), expectedVersion: 1, dueAt: '2026-01-01T00:00:09.000Z' }).catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(watching.heard).toHaveLength(2);

    watching.stop();
    unrelated.stop();
    await b.commit(createCommit(testApplication(), { dueAt: '2026-01-01T00:00:11.000Z' }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(watching.heard).toHaveLength(2);
  });

  it('listens again by itself after its connection is lost', async () => {
    const proxy = await createPostgresProxy(schema.url);
    const watched = await createPostgresStore({ url: proxy.url, schema: schema.schema, max: 1 });
    const heard: string[] = [];
    const stop = watched.watchDue!((dueAt) => heard.push(dueAt));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await proxy.cut();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await proxy.restore();
    // postgres.js reconnects its listening connection after a pause and LISTENs again; commits before that are missed
    // (the scheduler's polling covers them), so keep committing until one is heard.
    let n = 0;
    const heardAgain = await waitFor(() => {
      if (heard.length === 0 && n++ % 20 === 0) void b.commit(createCommit(testApplication(), { dueAt: '2026-01-01T00:00:13.000Z' }));
      return heard.length > 0;
    }, 10_000);
    expect(heardAgain).toBe(true);
    stop();
    await watched.close();
    await proxy.close();
  });
});
