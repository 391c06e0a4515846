import type { ExecutionCommit, Store } from '../store/store.js';

type Pending = { commit: ExecutionCommit; resolve: () => void; reject: (error: unknown) => void };

// setImmediate runs right after the current I/O turn (no 1 ms floor like setTimeout); Workers lack it.
const nextTurn: (fn: () => void) => void =
  typeof (globalThis as { setImmediate?: unknown }).setImmediate === 'function'
    ? (fn) => (globalThis as unknown as { setImmediate: (f: () => void) => void }).setImmediate(fn)
    : (fn) => setTimeout(fn, 0);

/**
 * Gathers the commits of executions that settle in the same turn of the event loop into one store transaction
 * (group commit), so one write serves many. Each commit is still version-checked on its own: a conflict fails
 * only its own execution. Commits of one turn are written in the order they were made.
 */
export function createGroupCommitter(store: Store, maxBatch = 256) {
  let queue: Pending[] = [];
  let scheduled = false;

  async function flush(): Promise<void> {
    scheduled = false;
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      try {
        const results =
          batch.length === 1
            ? [
                await store.commit(batch[0]!.commit).then(
                  () => null,
                  (e: unknown) => e,
                ),
              ]
            : await store.commitMany(batch.map((p) => p.commit));
        batch.forEach((p, i) => (results[i] === null ? p.resolve() : p.reject(results[i])));
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
  }

  return {
    /** Resolves when the commit is durable in the store; rejects with its own conflict or the store's error. */
    commit(commit: ExecutionCommit): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        queue.push({ commit, resolve, reject });
        if (!scheduled) {
          scheduled = true;
          nextTurn(() => void flush());
        }
      });
    },
  };
}
