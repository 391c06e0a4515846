// `check-package` target: packs the package in the current folder, then checks the tarball a user would get:
// publint (strict) and Are The Types Wrong, plus our own rules on what the tarball may contain.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { packPackage } from './pack.mjs';

const { path, files } = packPackage(process.cwd());
const problems = [];
for (const file of files) {
  if (/\.test(-d)?\.[cm]?[jt]s$/.test(file) || file.includes('/src/testing/')) problems.push(`test file in tarball: ${file}`);
  if (file.endsWith('.map')) problems.push(`source map in tarball: ${file}`);
  if (file.endsWith('.tsbuildinfo')) problems.push(`build info in tarball: ${file}`);
}
if (!files.includes('package/README.md')) problems.push('README.md is missing from the tarball');
if (!files.includes('package/LICENSE')) problems.push('LICENSE is missing from the tarball');

const run = (bin, args) => execFileSync(bin, args, { stdio: 'inherit' });
try {
  console.log(`tarball: ${path} (${files.length} files)`);
  run('publint', ['run', '--strict', path]);
  run('attw', [path, '--profile', 'esm-only']);
} catch {
  problems.push('publint or attw reported problems (see above)');
} finally {
  rmSync(dirname(path), { recursive: true, force: true });
}
if (problems.length > 0) {
  console.error(problems.map((p) => `✗ ${p}`).join('\n'));
  process.exitCode = 1;
} else {
  console.log('✓ package contents, publint --strict and attw are clean');
}
