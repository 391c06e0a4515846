import { describe, expect, it } from 'vitest';
import { isDomainError } from '../errors.js';
import { createMemoryStore } from '../store/memory-store.js';
import type { Store } from '../store/store.js';
import { createCommit, testApplication } from '../testing/describe-store.js';
import { createGroupCommitter } from './group-commit.js';
import { createRuntime } from './runtime.js';

/** A memory store that records the size of every write transaction. */
function countingStore(): Store & { batches: number[] } {
  const store = createMemoryStore();
  const batches: number[] = [];
  return {
    ...store,
    batches,
    commit: async (c) => {
      batches.push(1);
      return store.commit(c);
    },
    commitMany: async (cs) => {
      batches.push(cs.length);
      return store.commitMany(cs);
    },
  };
}

describe('createGroupCommitter', () => {
  it('writes the commits of one turn in one transaction', async () => {
    const store = countingStore();
    const committer = createGroupCommitter(store);
    await Promise.all(Array.from({ length: 10 }, () => committer.commit(createCommit(testApplication()))));
    expect(store.batches).toStrictEqual([10]);
    expect(await store.list({ limit: 20 })).toHaveLength(10);
  });

  it('fails only the commit that conflicts', async () => {
    const store = countingStore();
    const committer = createGroupCommitter(store);
    const app = testApplication();
    await committer.commit(createCommit(app));
    const results = await Promise.allSettled([
      committer.commit({ ...createCommit({ ...app, state: 'APPROVED' }), expectedVersion: 1 }),
      committer.commit({ ...createCommit({ ...app, state: 'REJECTED' }), expectedVersion: 1 }),
      committer.commit(createCommit(testApplication())),
    ]);
    expect(results.map((r) => r.status)).toStrictEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(isDomainError((results[1] as PromiseRejectedResult).reason) && (results[1] as PromiseRejectedResult).reason.code).toBe(
      'conflict',
    );
    expect((await store.get(app.id))?.state).toBe('APPROVED');
  });

  it('splits a large turn into bounded transactions', async () => {
    const store = countingStore();
    const committer = createGroupCommitter(store, 4);
    await Promise.all(Array.from({ length: 10 }, () => committer.commit(createCommit(testApplication()))));
    expect(store.batches).toStrictEqual([4, 4, 2]);
  });

  it('lets a runtime group the commits of concurrent submissions', async () => {
    const store = countingStore();
    const runtime = createRuntime({ store });
    const apps = await Promise.all(Array.from({ length: 16 }, (_, i) => runtime.submit({ name: `Spock ${i}`, address: '1 Main' })));
    expect(apps.every((a) => a.state === 'APPROVED')).toBe(true);
    expect(store.batches.length).toBeLessThan(16);
    expect(store.batches.reduce((a, b) => a + b, 0)).toBe(16);
  });
});
