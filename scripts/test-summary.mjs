// Sums the vitest JSON reports that each package's `test` target writes to test-results/vitest.json
// and prints one closing line: "tests: N passed, N failed" (", N skipped" when any were skipped).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const totals = { passed: 0, failed: 0, skipped: 0 };
for (const pkg of readdirSync('packages')) {
  const report = join('packages', pkg, 'test-results', 'vitest.json');
  if (!existsSync(report)) continue;
  const r = JSON.parse(readFileSync(report, 'utf8'));
  totals.passed += r.numPassedTests;
  totals.failed += r.numFailedTests;
  totals.skipped += r.numPendingTests + r.numTodoTests;
  console.log(`${pkg}: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
}
const skipped = totals.skipped > 0 ? `, ${totals.skipped} skipped` : '';
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed${skipped}`);
if (totals.passed === 0 || totals.failed > 0) process.exitCode = 1;
