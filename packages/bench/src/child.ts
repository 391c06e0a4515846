/** What a case's child process uses: its options, progress lines on stderr, and its report to the parent. */
import type { RawFigure } from './stats.js';

/** The options every case gets from the orchestrator. */
export interface CaseOptions {
  readonly quick: boolean;
  /** Measured runs per figure (after one warm-up). */
  readonly runs: number;
  /** A scratch folder for this case (databases and the like). */
  readonly dir: string;
}

/** Reads the case options passed by the orchestrator in `BENCH_OPTIONS`. */
export function caseOptions(): CaseOptions {
  const raw = process.env['BENCH_OPTIONS'];
  if (!raw) throw new Error('BENCH_OPTIONS is not set: run cases through `pnpm bench`');
  return JSON.parse(raw) as CaseOptions;
}

/** A progress line on stderr (stdout stays clean for `--json`). */
export function progress(message: string): void {
  process.stderr.write(`  ${message}\n`);
}

/** What a case sends its parent: its figures, or why it did not run on this machine. */
export interface CaseReport {
  readonly figures: readonly RawFigure[];
  /** Set when the case was skipped (e.g. no database configured): a note for the reader, not an error. */
  readonly skipped?: string;
}

/**
 * Thrown by a case that cannot run on this machine (a service it needs is not configured): the case is reported as
 * skipped with this message, with no figures and so no targets, and the run does not fail.
 */
export class CaseSkipped extends Error {
  override readonly name = 'CaseSkipped';
}

/** Sends the case's report to the orchestrator (IPC) and exits. */
export function report(message: CaseReport): void {
  if (!process.send) throw new Error('no IPC channel: run cases through `pnpm bench`');
  process.send(message, () => process.exit(0));
}

/** Runs a case's main function, reporting its figures; a crash exits non-zero with the error on stderr. */
export function runCase(main: (options: CaseOptions) => Promise<readonly RawFigure[]>): void {
  main(caseOptions()).then(
    (figures) => report({ figures }),
    (e: unknown) => {
      if (e instanceof CaseSkipped) return report({ figures: [], skipped: e.message });
      process.stderr.write(`case failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}

/** Runs `count` tasks with at most `concurrency` in flight; resolves when all have finished. */
export async function pool(count: number, concurrency: number, task: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

/** Milliseconds since an arbitrary origin, with sub-millisecond precision. */
export const nowMs = (): number => performance.now();

/** Sleeps for `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
