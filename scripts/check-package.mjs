// `check-package` target: packs the package in the current folder, then checks the tarball a user would get:
// publint (strict) and Are The Types Wrong, plus our own rules on what the tarball may contain and import.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { packPackage } from './pack.mjs';

const DEPENDENCY_FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies'];
// Static and dynamic imports and re-exports as tsc emits them in .js and .d.ts files.
const IMPORT = /\b(?:import|export)\s[^'";]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|^import\s*['"]([^'"]+)['"]/gm;

/** What in the packed manifest and code would break an npm install outside the workspace. */
function leaks(extracted, files) {
  const found = [];
  const manifest = JSON.parse(readFileSync(join(extracted, 'package/package.json'), 'utf8'));
  for (const field of DEPENDENCY_FIELDS) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      if (/^(workspace|link|file|catalog):/.test(range)) found.push(`${field}.${name} is "${range}" in the packed package.json`);
    }
  }
  // Honoured only with customConditions, but it points at ./src, which is not published.
  if (JSON.stringify(manifest.exports ?? {}).includes('@bank/source'))
    found.push('packed exports keep the workspace-only @bank/source condition');
  // publishConfig.exports repeats the exports map without that condition: a subpath added to one only is caught here.
  const workspaceExports = Object.keys(JSON.parse(readFileSync('package.json', 'utf8')).exports ?? {});
  for (const subpath of workspaceExports) if (!(subpath in (manifest.exports ?? {}))) found.push(`packed exports lack ${subpath}`);
  for (const subpath of Object.keys(manifest.exports ?? {}))
    if (!workspaceExports.includes(subpath)) found.push(`packed exports add ${subpath}`);
  // Only what an install brings may be imported: runtime dependencies, Node's built-ins, the package itself.
  const installed = new Set([
    manifest.name,
    ...Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies, ...manifest.optionalDependencies }),
  ]);
  for (const file of files.filter((f) => /\.(d\.[cm]?ts|[cm]?js)$/.test(f))) {
    for (const match of readFileSync(join(extracted, file), 'utf8').matchAll(IMPORT)) {
      const specifier = match[1] ?? match[2] ?? match[3];
      if (specifier.startsWith('.') || specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0])) continue;
      const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
      if (!installed.has(name)) found.push(`${file} imports ${specifier}, which is not a dependency`);
    }
  }
  return found;
}

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
  execFileSync('tar', ['-xzf', path, '-C', dirname(path)]);
  problems.push(...leaks(dirname(path), files));
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
