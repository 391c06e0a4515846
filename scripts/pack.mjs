// Packs a workspace package the way it is published (pnpm rewrites workspace:* ranges) and lists the tarball.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The pnpm to run: the one running this script when there is one, else the one on PATH. */
export function pnpmCommand() {
  const execPath = process.env.npm_execpath;
  return execPath && /pnpm/.test(execPath) && execPath.endsWith('.cjs')
    ? { file: process.execPath, args: [execPath] }
    : { file: 'pnpm', args: [] };
}

/** Packs the package in `dir` into a fresh temporary folder and returns the tarball's path and file list. */
export function packPackage(dir) {
  const destination = mkdtempSync(join(tmpdir(), 'bank-pack-'));
  const pnpm = pnpmCommand();
  execFileSync(pnpm.file, [...pnpm.args, 'pack', '--pack-destination', destination], { cwd: dir, stdio: 'pipe' });
  const tarball = readdirSync(destination).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error(`pnpm pack wrote no tarball in ${destination}`);
  const path = join(destination, tarball);
  const files = execFileSync('tar', ['-tzf', path], { encoding: 'utf8' }).split('\n').filter(Boolean);
  return { path, files };
}
