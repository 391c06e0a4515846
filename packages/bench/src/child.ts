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

/** Sends the raw figures to the orchestrator (IPC) and exits. */
export function report(figures: readonly RawFigure[]): void {
  if (!process.send) throw new Error('no IPC channel: run cases through `pnpm bench`');
  process.send({ figures }, () => process.exit(0));
}

/** Runs a case's main function, reporting its figures; a crash exits non-zero with the error on stderr. */
export function runCase(main: (options: CaseOptions) => Promise<readonly RawFigure[]>): void {
  main(caseOptions()).then(report, (e: unknown) => {
    process.stderr.write(`case failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
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
