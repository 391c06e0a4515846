/** What the scheduler drives. */
export interface SchedulerTarget {
  /** Drives every execution due now; resolves with how many were driven. */
  runDue(): Promise<number>;
  /** The earliest due time of any execution (ms since the epoch), if any. */
  nextDueAt(): Promise<number | undefined>;
  /** The current time (ms since the epoch). */
  now(): number;
  /** Reports an error the loop survived. */
  onError(error: unknown): void;
}

/**
 * A loop that sleeps until the earliest stored due time, fires what is due, and sleeps again. It never keeps an
 * execution in memory: it reads the next due time from the store each round, and re-arms when a commit sets
 * an earlier one (`wake`). `maxSleepMs` bounds each sleep, so due times written by other processes are found.
 */
export function createScheduler(target: SchedulerTarget, maxSleepMs: number) {
  let running = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let round: Promise<void> = Promise.resolve();
  let armedFor = Number.POSITIVE_INFINITY;

  const arm = (at: number) => {
    if (!running) return;
    const wait = Math.max(0, Math.min(at - target.now(), maxSleepMs));
    if (timer !== undefined && target.now() + wait >= armedFor) return; // already waking up sooner
    clearTimeout(timer);
    armedFor = target.now() + wait;
    timer = setTimeout(fire, wait);
  };

  const fire = () => {
    timer = undefined;
    armedFor = Number.POSITIVE_INFINITY;
    round = round.then(async () => {
      try {
        while (running && (await target.runDue()) > 0) {
          // keep draining while work was found
        }
        const next = await target.nextDueAt();
        arm(next ?? target.now() + maxSleepMs);
      } catch (error) {
        target.onError(error);
        arm(target.now() + Math.min(1000, maxSleepMs));
      }
    });
  };

  return {
    /** Starts the loop; the first round runs at once. */
    start() {
      if (running) return;
      running = true;
      arm(target.now());
    },
    /** Tells the loop an execution is due at `at`, so it wakes up in time. */
    wake(at: number) {
      arm(at);
    },
    /** Stops the loop and waits for the round in progress. */
    async stop() {
      running = false;
      clearTimeout(timer);
      timer = undefined;
      await round;
    },
  };
}
