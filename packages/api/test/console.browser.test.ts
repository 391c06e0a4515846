// The reviewer console in real Chromium (Debian's, driven by playwright-core) against the real Node server on a SQLite
// file: sign in, find Gabe's application, approve it; lose a review race; the whole flow by keyboard; axe-core on every
// page; 320 px wide; new applications appearing without a reload. It also writes the screenshots the READMEs show
// (docs/images/, resolved from this file).
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, chromiumOrSkip } from './chromium.js';
import { assertBuilt, killServers, serve, type Served } from './served.js';

// The page's globals, as the callbacks run in the page use them (this package compiles without the DOM lib).
declare const document: {
  readonly activeElement: { readonly id: string; readonly outerHTML: string; matches(selector: string): boolean } | null;
  readonly cookie: string;
  readonly documentElement: { readonly scrollWidth: number };
};
declare const window: { readonly innerWidth: number };
declare function getComputedStyle(element: unknown): { readonly outlineStyle: string };

const executablePath = chromiumOrSkip('console browser tests');
const IMAGES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'docs', 'images');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const RIKER = 'riker-console-browser-token';
const TROI = 'troi-console-browser-token';
const SPOCK = { name: 'Spock', address: '123 Enterprise Street' };
const GABE = { name: 'Gabe', address: 'ABadAddress' };
const UNPROCESSABLE = { name: 'UNPROCESSABLE_DATA', address: '123 Street' };

describe.skipIf(executablePath === undefined)('the reviewer console in Chromium', () => {
  let dir: string;
  let server: Served;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    assertBuilt();
    dir = mkdtempSync(join(tmpdir(), 'bank-console-browser-'));
    server = await serve({ BANK_DB: join(dir, 'bank.db'), BANK_REVIEWER_TOKENS: `riker:${RIKER},troi:${TROI}` });
    browser = await chromium.launch({ executablePath: executablePath!, args: [...CHROMIUM_ARGS] });
    mkdirSync(IMAGES, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    killServers();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const submit = async (input: { name: string; address: string }): Promise<string> => {
    const res = await fetch(`${server.url}/applications`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(input),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  };

  const newPage = async (viewport = { width: 1000, height: 760 }): Promise<Page> => {
    const context = await browser.newContext({ viewport, baseURL: server.url });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    return page;
  };

  const signIn = async (page: Page, token: string) => {
    await page.goto('/console');
    await page.getByLabel('Reviewer token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/console/applications');
  };

  /** Runs axe-core on the page and returns the serious and critical violations. */
  const axeViolations = async (page: Page) => {
    // Evaluated over the DevTools protocol: the page's CSP (rightly) refuses an injected <script>.
    await page.evaluate(AXE);
    const results = await page.evaluate(async () => {
      const axe = (
        globalThis as unknown as {
          axe: { run(): Promise<{ passes: unknown[]; violations: { id: string; impact: string; nodes: unknown[] }[] }> };
        }
      ).axe;
      return axe.run();
    });
    expect(results.passes.length).toBeGreaterThan(10); // axe really looked at the page
    return results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
  };

  /** The text of an element with its whitespace folded, as a reader hears it. */
  const textOf = async (locator: Locator) => ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();

  const openApplication = async (page: Page, id: string) => {
    await page.locator(`li[data-id="${id}"] a`).click();
    await page.waitForURL(`**/console/applications/${id}`);
  };

  const decide = async (page: Page, decision: 'Approve' | 'Reject') => {
    await page.getByRole('button', { name: decision, exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm your decision' });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await dialog.getByRole('button', { name: `Yes, ${decision.toLowerCase()}` }).click();
    await page.waitForLoadState('load');
  };

  it('refuses a wrong token: 401, the sign-in page again with the error, no session', async () => {
    const page = await newPage();
    await page.goto('/console');
    expect(await axeViolations(page)).toStrictEqual([]);
    await page.getByLabel('Reviewer token').fill('not-a-reviewer-token');
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/console/sign-in')),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    expect(response.status()).toBe(401);
    await expect.poll(() => textOf(page.getByRole('alert'))).toBe('That reviewer token is not valid.');
    expect(await page.context().cookies()).toStrictEqual([]);
    expect(await axeViolations(page)).toStrictEqual([]);
    await page.goto('/console/applications');
    expect(new URL(page.url()).pathname).toBe('/console');
  });

  it("signs in, finds Gabe's application, approves it, and sees APPROVED and the graph's path change", async () => {
    const spock = await submit(SPOCK);
    const gabe = await submit(GABE);
    const unprocessable = await submit(UNPROCESSABLE);
    await submit({ name: 'Ada Lovelace', address: 'Somewhere without a number' });
    const page = await newPage();
    await signIn(page, RIKER);
    const cookies = await page.context().cookies();
    expect(cookies).toMatchObject([{ name: 'bank_console', httpOnly: true, sameSite: 'Strict', path: '/console' }]);
    expect(cookies[0]!.value).not.toContain(RIKER);
    expect(await page.evaluate(() => document.cookie)).toBe('');
    await expect.poll(() => textOf(page.getByRole('heading', { level: 1 }))).toBe('Applications waiting for review');
    expect(await page.locator(`li[data-id="${spock}"]`).count()).toBe(0);
    expect(await axeViolations(page)).toStrictEqual([]);
    await page.screenshot({ path: join(IMAGES, 'console-list.png') });

    await openApplication(page, gabe);
    expect(await textOf(page.locator('#state'))).toBe('FLAGGED_FOR_REVIEW');
    expect(await textOf(page.locator('.checks'))).toContain('Address check: flagged. Address has no house number next to a street name.');
    const current = page.locator('figure svg [data-mark="current"]');
    expect(await current.count()).toBe(1);
    expect(await current.getAttribute('data-state')).toBe('pendingReview');
    const pathBefore = await textOf(page.locator('#path'));
    expect(pathBefore).toBe('Path: checking → reviewRequired → pendingReview');
    expect(await page.locator('.timeline li').count()).toBeGreaterThanOrEqual(5);
    expect(await axeViolations(page)).toStrictEqual([]);
    await page.locator('figure svg').screenshot({ path: join(IMAGES, 'graph-review.png') });
    await page.screenshot({ path: join(IMAGES, 'console-application.png'), fullPage: true });

    await decide(page, 'Approve');
    await expect.poll(() => textOf(page.locator('#state'))).toBe('APPROVED');
    expect(await textOf(page.getByRole('status').filter({ hasText: 'Decision recorded' }))).toBe('Decision recorded: APPROVED by riker.');
    const pathAfter = await textOf(page.locator('#path'));
    expect(pathAfter).not.toBe(pathBefore);
    expect(pathAfter).toMatch(/^Path: checking → reviewRequired → pendingReview → (deciding → )?reviewApproved → approved$/);
    const markOf = (state: string) => page.locator(`figure svg [data-state="${state}"]`).first().getAttribute('data-mark');
    expect(await markOf('approved')).toBe('ended');
    expect(await markOf('pendingReview')).toBe('passed');
    expect(await markOf('rejected')).toBe('unvisited');
    expect(await textOf(page.locator('.timeline'))).toContain('APPROVE by riker.');

    // The graphs of the other two reference executions, for the README.
    for (const [id, file] of [
      [spock, 'graph-approved.png'],
      [unprocessable, 'graph-unprocessable.png'],
    ] as const) {
      await page.goto(`/console/applications/${id}`);
      await page.locator('figure svg').screenshot({ path: join(IMAGES, file) });
    }
  });

  it('shows the reviewer who loses a race the conflict and the current state, in a second browser context', async () => {
    const id = await submit(GABE);
    const riker = await newPage();
    const troi = await newPage();
    await signIn(riker, RIKER);
    await signIn(troi, TROI);
    await riker.goto(`/console/applications/${id}`);
    await troi.goto(`/console/applications/${id}`);
    await decide(riker, 'Approve');
    await expect.poll(() => textOf(riker.locator('#state'))).toBe('APPROVED');

    // Troi's page is from before riker decided.
    const [response] = await Promise.all([
      troi.waitForResponse((r) => r.url().endsWith('/review') && r.request().method() === 'POST'),
      decide(troi, 'Reject'),
    ]);
    expect(response.status()).toBe(409);
    await expect
      .poll(() => textOf(troi.getByRole('alert')))
      .toBe('Another reviewer already decided: APPROVED by riker. Your decision was not recorded.');
    expect(await textOf(troi.locator('#state'))).toBe('APPROVED');
    expect(await troi.getByRole('button', { name: 'Reject', exact: true }).count()).toBe(0);
    expect(await axeViolations(troi)).toStrictEqual([]);
  });

  it('does the whole flow by keyboard alone: sign in, open the application, approve, confirm, sign out', async () => {
    const id = await submit(GABE);
    const page = await newPage();
    await page.goto('/console');
    const focused = () => page.evaluate(() => document.activeElement?.outerHTML.slice(0, 120) ?? '');
    /** Presses Tab until the focused element matches `selector` (at most 40 times). */
    const tabTo = async (selector: string) => {
      for (let i = 0; i < 40; i++) {
        await page.keyboard.press('Tab');
        if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
      }
      throw new Error(`Tab never reached ${selector}; focus is on ${await focused()}`);
    };
    await page.keyboard.press('Tab');
    expect(await focused()).toContain('Skip to content');
    await tabTo('#token');
    await page.keyboard.type(RIKER);
    await page.keyboard.press('Enter');
    await page.waitForURL('**/console/applications');
    await tabTo(`li[data-id="${id}"] a`);
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/console/applications/${id}`);
    await tabTo('button[value="APPROVE"]');
    // Focus is visible: the outline is drawn.
    expect(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).toBe('solid');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('confirm-yes');
    expect(await textOf(page.locator('#confirm-text'))).toBe('Do you want to approve the application of Gabe?');
    // Escape cancels: nothing is decided.
    await page.keyboard.press('Escape');
    expect(await page.locator('#confirm-dialog').isVisible()).toBe(false);
    expect(await textOf(page.locator('#state'))).toBe('FLAGGED_FOR_REVIEW');
    await page.locator('button[value="APPROVE"]').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('confirm-yes');
    await page.keyboard.press('Enter');
    await expect.poll(() => textOf(page.locator('#state'))).toBe('APPROVED');
    await page.keyboard.press('Tab');
    await tabTo('header button');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/console');
    expect(await page.getByLabel('Reviewer token').count()).toBe(1);
    expect(await page.context().cookies()).toStrictEqual([]);
  });

  it('reads at 320 px wide without sideways scrolling, and shows new applications without a reload', async () => {
    const page = await newPage({ width: 320, height: 640 });
    await signIn(page, RIKER);
    const noSideScroll = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    expect(await noSideScroll()).toBe(true);
    const id = await submit({ name: 'Grace Hopper, who arrived while the page was open', address: 'A street with no number at all' });
    await page.locator(`li[data-id="${id}"]`).waitFor({ timeout: 15_000 });
    await expect.poll(() => textOf(page.locator('#live'))).toMatch(/^\d+ new applications?\.$/);
    expect(await page.locator(`li[data-id="${id}"]`).getAttribute('class')).toBe('new');
    expect(await noSideScroll()).toBe(true);
    await openApplication(page, id);
    expect(await noSideScroll()).toBe(true);
    const svg = await page.locator('figure svg').boundingBox();
    expect(svg!.width).toBeLessThanOrEqual(320);
    expect(await axeViolations(page)).toStrictEqual([]);
  });
});
