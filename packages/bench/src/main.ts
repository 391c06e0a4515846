/**
 * The benchmark suite's entry: `node dist/main.js [--quick] [--json] [--case engine,http,…]`. Each case runs in
 * its own child process (fresh heap, honest RSS); progress goes to stderr; with `--json`, stdout gets exactly one
 * JSON document. A missed target is reported, not an error: the exit code is non-zero only when a case crashes.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CaseReport } from './child.js';
import { machineInfo } from './machine.js';
import { summarize, type Figure, type RawFigure } from './stats.js';
import { evaluateTargets, type TargetResult } from './targets.js';

const CASES = ['engine', 'parallel', 'review', 'http', 'edge', 'memory', 'cli', 'pg'] as const;
type CaseName = (typeof CASES)[number];

interface Args {
  readonly quick: boolean;
  readonly json: boolean;
  readonly cases: readonly CaseName[];
}

function parseArgs(argv: readonly string[]): Args {
  let quick = false;
  let json = false;
  let cases: CaseName[] = [...CASES];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') continue;
    else if (arg === '--quick') quick = true;
    else if (arg === '--json') json = true;
    else if (arg === '--case' || arg.startsWith('--case=')) {
      const value = arg === '--case' ? argv[++i] : arg.slice('--case='.length);
      const names = (value ?? '').split(',').filter(Boolean);
      const unknown = names.filter((n) => !(CASES as readonly string[]).includes(n));
      if (unknown.length > 0 || names.length === 0) throw new Error(`--case takes a list of: ${CASES.join(', ')}`);
      cases = names as CaseName[];
    } else if (arg === '--help' || arg === '-h') {
      process.stderr.write(`usage: pnpm bench [--quick] [--json] [--case ${CASES.join(',')}]\n`);
      process.exit(0);
    } else throw new Error(`unknown argument ${arg} (try --help)`);
  }
  return { quick, json, cases };
}

function runCase(name: CaseName, options: { quick: boolean; runs: number; dir: string }): Promise<CaseReport> {
  const file = fileURLToPath(new URL(`./cases/${name}.js`, import.meta.url));
  return new Promise((resolve, reject) => {
    // The child's stdout goes to our stderr: nothing but the final document reaches stdout.
    const child = fork(file, [], {
      stdio: ['ignore', 2, 'inherit', 'ipc'],
      env: { ...process.env, BENCH_OPTIONS: JSON.stringify(options) },
    });
    let report: CaseReport | undefined;
    child.on('message', (m) => (report = m as CaseReport));
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0 && report ? resolve(report) : reject(new Error(`case ${name} failed (exit ${code ?? signal})`)),
    );
  });
}

const fmt = (v: number | null | undefined) =>
  v === undefined || v === null ? '' : v.toLocaleString('en-US', { maximumFractionDigits: 4 });

function table(figures: readonly Figure[], targets: readonly TargetResult[]): string {
  const rows = [
    ['figure', 'unit', 'median', 'min', 'max', 'runs', 'floor', 'ratio'],
    ...figures.map((f) => [f.name, f.unit, fmt(f.median), fmt(f.min), fmt(f.max), String(f.runs), f.floor ?? '', fmt(f.ratio)]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: readonly string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  const out = [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line), '', 'targets:'];
  for (const t of targets) out.push(`  ${t.met ? 'met   ' : 'MISSED'}  ${t.target}  (measured ${fmt(t.value)})`);
  return out.join('\n') + '\n';
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const runs = args.quick ? 3 : 5;
  const dir = mkdtempSync(join(tmpdir(), 'bank-bench-'));
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const raw: RawFigure[] = [];
  // Cases that could not run here (e.g. pg without DATABASE_URL): a note, not a failure, and no targets.
  const skipped: { case: CaseName; reason: string }[] = [];
  let failed = false;
  try {
    for (const name of args.cases) {
      process.stderr.write(`case ${name}${args.quick ? ' (quick)' : ''}…\n`);
      const caseStart = performance.now();
      const caseDir = join(dir, name);
      try {
        const report = await runCase(name, { quick: args.quick, runs, dir: caseDir });
        raw.push(...report.figures);
        if (report.skipped !== undefined) {
          skipped.push({ case: name, reason: report.skipped });
          process.stderr.write(`case ${name} skipped: ${report.skipped}\n`);
        }
      } catch (e) {
        failed = true;
        process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      }
      process.stderr.write(`case ${name} done in ${((performance.now() - caseStart) / 1000).toFixed(1)} s\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const figures = summarize(raw);
  const targets = evaluateTargets(figures);
  const durationS = Math.round((performance.now() - started) / 100) / 10;
  const document = { machine: machineInfo(), startedAt, durationS, quick: args.quick, figures, targets, skipped };
  if (args.json) process.stdout.write(JSON.stringify(document, null, 2) + '\n');
  else {
    process.stdout.write(`${JSON.stringify(document.machine)}\n\n`);
    process.stdout.write(table(figures, targets));
    for (const s of skipped) process.stdout.write(`\nskipped: case ${s.case}: ${s.reason}\n`);
    process.stdout.write(`\n${args.quick ? 'quick run' : 'full run'} in ${durationS} s\n`);
  }
  process.exitCode = failed ? 1 : 0;
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 2;
});
