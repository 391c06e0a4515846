import type { AnyActor, SnapshotFrom } from 'xstate';

/**
 * Starts `actor`, runs `kick` (e.g. sends an event), and resolves with its persisted snapshot at the first
 * snapshot `until` accepts; the actor is stopped. The bare-machine floors are built from this.
 */
export function persistWhen<A extends AnyActor>(
  actor: A,
  until: (snapshot: SnapshotFrom<A>) => boolean,
  kick?: () => void,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const subscription = actor.subscribe({
      next: (snapshot) => {
        if (until(snapshot as SnapshotFrom<A>)) {
          subscription.unsubscribe();
          const persisted = actor.getPersistedSnapshot();
          actor.stop();
          resolve(persisted);
        }
      },
      error: reject,
    });
    actor.start();
    kick?.();
  });
}
