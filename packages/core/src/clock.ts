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
