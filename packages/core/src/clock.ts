/** Where the runtime reads the time; tests inject a fake one and never sleep. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

let lastMs = Number.NaN;
let lastIso = '';

/** Formats a clock reading as the ISO 8601 string stored everywhere (the last one is remembered: a step stamps many events in the same millisecond). */
export function toIso(ms: number): string {
  if (ms !== lastMs) {
    lastIso = new Date(ms).toISOString();
    lastMs = ms;
  }
  return lastIso;
}

/** A clock that moves only when told to, for tests of retries and timestamps that never sleep. */
export interface FakeClock extends Clock {
  /** Moves the clock forward by `ms`. */
  advance(ms: number): void;
  /** Sets the clock to `ms` since the epoch. */
  set(ms: number): void;
}

/** Creates a {@link FakeClock} starting at `start` (default 2026-01-01T00:00:00Z); pass it to `createRuntime({ clock })`. */
export function createFakeClock(start = Date.UTC(2026, 0, 1)): FakeClock {
  let now = start;
  return {
    now: () => now,
    advance: (ms) => {
      now += ms;
    },
    set: (ms) => {
      now = ms;
    },
  };
}
