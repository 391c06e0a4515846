// Packs a workspace package the way it is published (pnpm rewrites workspace:* ranges) and lists the tarball.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The pnpm to run: the one running this script when there is one (`pnpm verify`, `nx run …`), else the version the
 * root package.json pins, through npx (e.g. `npx vitest run` in a package, where no pnpm is on the PATH).
 */
export function pnpmCommand() {
  const execPath = process.env.npm_execpath;
  if (execPath && /pnpm/.test(execPath) && execPath.endsWith('.cjs')) return { file: process.execPath, args: [execPath] };
  const { packageManager } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  return { file: 'npx', args: ['-y', packageManager] };
}

/** Packs the package in `dir` into a fresh temporary folder and returns the tarball's path and file list. */
export function packPackage(dir) {
  const destination = mkdtempSync(join(tmpdir(), 'bank-pack-'));
  try {
    const pnpm = pnpmCommand();
    execFileSync(pnpm.file, [...pnpm.args, 'pack', '--pack-destination', destination], { cwd: dir, stdio: 'pipe' });
    const tarball = readdirSync(destination).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error(`pnpm pack wrote no tarball in ${destination}`);
    const path = join(destination, tarball);
    const files = execFileSync('tar', ['-tzf', path], { encoding: 'utf8' }).split('\n').filter(Boolean);
    return { path, files };
  } catch (error) {
    // The caller removes the folder of a tarball it got; a failed pack must not leave an empty one behind.
    rmSync(destination, { recursive: true, force: true });
    throw error;
  }
}
