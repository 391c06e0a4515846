// Finds the Chromium the browser suites drive (Debian's `chromium` package; Playwright's own downloads do not work on
// closed networks), and the flags it needs there.
import { existsSync } from 'node:fs';

/** Where Chromium is looked for, after `BANK_CHROMIUM`. */
export const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'] as const;

/**
 * The flags every launch uses. Without `--disable-background-networking` Chromium stalls on a machine with no route
 * to the internet (it waits for its component updater and variations service).
 */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] as const;

/** The Chromium binary: `BANK_CHROMIUM` if set (it must exist), else the first of {@link CHROMIUM_CANDIDATES} found. */
export function findChromium(env: Readonly<Record<string, string | undefined>> = process.env): string | undefined {
  const configured = env['BANK_CHROMIUM']?.trim();
  if (configured) {
    if (!existsSync(configured)) throw new Error(`BANK_CHROMIUM=${configured} does not exist`);
    return configured;
  }
  return CHROMIUM_CANDIDATES.find((path) => existsSync(path));
}

/**
 * Chromium for a browser suite, or `undefined` to skip it, said loudly. Under CI (`CI` set) a missing Chromium is an
 * error: the suite must run there.
 */
export function chromiumOrSkip(suite: string, env: Readonly<Record<string, string | undefined>> = process.env): string | undefined {
  const found = findChromium(env);
  if (found !== undefined) return found;
  const message = `${suite}: no Chromium found (set BANK_CHROMIUM, or install Debian's chromium: apt-get install chromium); looked in ${CHROMIUM_CANDIDATES.join(', ')}`;
  if (env['CI'] && env['CI'] !== 'false' && env['CI'] !== '0') throw new Error(`${message}. CI must run this suite.`);
  console.warn(`\n${'!'.repeat(100)}\n!! SKIPPED ${message}\n${'!'.repeat(100)}\n`);
  return undefined;
}
