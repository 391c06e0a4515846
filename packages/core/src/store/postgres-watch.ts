// Wake-ups between processes: every commit that sets a due time also runs pg_notify(channel, dueAt) in its statement,
// and a store that is watched LISTENs on the channel on a dedicated connection (postgres.js `sql.listen`).
import type { ListenMeta, Sql } from 'postgres';

/** The listeners of one store, on one LISTEN subscription. */
export interface DueWatch {
  /** Adds a listener; returns its unsubscribe. The first listener starts the subscription, the last one ends it. */
  watch(listener: (dueAt: string) => void): () => void;
  /** Ends the subscription; later notifications are ignored. */
  close(): Promise<void>;
}

/**
 * Watches `channel` on `sql`. A subscription that cannot start (the server is down) is not retried here: postgres.js
 * subscribes again by itself whenever its listening connection comes back (seen with 3.4.9), and a second `listen`
 * would call the listener twice. Until then the scheduler's own polling bound covers it.
 */
export function createDueWatch(sql: Sql, channel: string): DueWatch {
  const listeners = new Set<(dueAt: string) => void>();
  let subscription: Promise<ListenMeta | undefined> | undefined;
  let closed = false;

  const notify = (payload: string) => {
    if (closed) return;
    for (const listener of [...listeners]) {
      try {
        listener(payload);
      } catch {
        // a listener's failure is its own; the others still hear the wake-up
      }
    }
  };

  // Unlistens once no one listens, unless someone started listening again meanwhile. A subscription that never started
  // is kept: postgres.js may still complete it, and the next listener reuses it rather than subscribing twice.
  const stop = async () => {
    const current = subscription;
    const meta = await current;
    if (!meta || subscription !== current || (listeners.size > 0 && !closed)) return;
    subscription = undefined;
    await meta.unlisten().catch(() => {});
  };

  return {
    watch(listener) {
      if (closed) return () => {};
      const own = (dueAt: string) => listener(dueAt); // a fresh function, so one listener added twice is two entries
      listeners.add(own);
      subscription ??= sql.listen(channel, notify).then(
        (meta) => meta,
        () => undefined,
      );
      return () => {
        if (!listeners.delete(own) || listeners.size > 0) return;
        void stop();
      };
    },
    async close() {
      closed = true;
      listeners.clear();
      await stop();
      subscription = undefined;
    },
  };
}
