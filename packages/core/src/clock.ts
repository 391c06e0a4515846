/** Where the runtime reads the time; tests inject a fake one and never sleep. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** Formats a clock reading as the ISO 8601 string stored everywhere. */
export const toIso = (ms: number): string => new Date(ms).toISOString();
