import type { Actor, SnapshotFrom } from 'xstate';
import type { ApplicationMachine } from '../machine/application-machine.js';
import { CHECK_NAMES } from '../machine/types.js';

/** A snapshot of the application machine. */
export type ApplicationSnapshot = SnapshotFrom<ApplicationMachine>;

/**
 * A settled point: nothing is running, so the snapshot can be stored and the actor dropped. That is a final
 * state, a wait for an outside event (`pendingReview`, `failed`), or checks that are each done or waiting for a
 * retry time.
 */
export function isSettled(snapshot: ApplicationSnapshot): boolean {
  if (snapshot.status !== 'active') return true;
  if (!snapshot.matches('checking')) return true;
  return CHECK_NAMES.every(
    (check) => snapshot.matches({ checking: { [check]: 'done' } }) || snapshot.matches({ checking: { [check]: 'waiting' } }),
  );
}

/** Resolves with the first settled snapshot of a started actor; rejects if the actor fails. */
export function runToSettle(actor: Actor<ApplicationMachine>): Promise<ApplicationSnapshot> {
  return new Promise((resolve, reject) => {
    let finished = false;
    const finish = (settle: () => void) => {
      finished = true;
      subscription.unsubscribe();
      settle();
    };
    // XState never calls a new subscriber synchronously, so `subscription` is assigned before `check` runs.
    const check = (snapshot: ApplicationSnapshot) => {
      if (finished) return;
      if (snapshot.status === 'error') finish(() => reject(snapshot.error));
      else if (isSettled(snapshot)) finish(() => resolve(snapshot));
    };
    const subscription = actor.subscribe({ next: check, error: (e) => finish(() => reject(e)) });
    check(actor.getSnapshot());
  });
}
