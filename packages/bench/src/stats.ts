/** Pure helpers: medians, percentiles, ratios and the figure records the suite reports. */

/** One reported figure: the median of its runs, with the floor it is compared with. */
export interface Figure {
  readonly name: string;
  readonly unit: string;
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
  /** The name of the figure this one is compared with. */
  readonly floor?: string;
  /** `median / floor.median`. */
  readonly ratio?: number;
}

/** What a case reports for one figure: the value of each measured run (the warm-up is not included). */
export interface RawFigure {
  readonly name: string;
  readonly unit: string;
  readonly values: readonly number[];
  readonly floor?: string;
}

/** The median of a non-empty list (the mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of an empty list');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The p-th percentile (0–100) of a non-empty list, nearest-rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError('percentile of an empty list');
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** Rounds to a number of significant digits that keeps tables readable. */
export function round(value: number): number {
  if (!Number.isFinite(value) || value === 0) return value;
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 1 ? 2 : 4;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Turns raw runs into figures and fills in each figure's ratio to its floor (measured in the same run). */
export function summarize(raw: readonly RawFigure[]): Figure[] {
  const base = raw.map((r) => ({
    name: r.name,
    unit: r.unit,
    median: round(median(r.values)),
    min: round(Math.min(...r.values)),
    max: round(Math.max(...r.values)),
    runs: r.values.length,
    ...(r.floor === undefined ? {} : { floor: r.floor }),
  }));
  const byName = new Map(base.map((f) => [f.name, f]));
  return base.map((f) => {
    const floor = f.floor === undefined ? undefined : byName.get(f.floor);
    return floor && floor.median !== 0 ? { ...f, ratio: Math.round((f.median / floor.median) * 1000) / 1000 } : f;
  });
}
