import type { Application, HistoryEvent } from '@bank/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatApplication, formatCheck, formatHistory, formatPage } from './format.js';
import { printable, printableJson } from './printable.js';

/** Reads printable()'s output back: the inverse the JSDoc promises, written independently of it. */
function decode(shown: string): string {
  return shown.replace(/\\(?:([\\tnr])|x([0-9A-F]{2})|u([0-9A-F]{4}))|\\/g, (whole, short?: string, x?: string, u?: string) => {
    if (short !== undefined) return ({ '\\': '\\', t: '\t', n: '\n', r: '\r' } as Record<string, string>)[short]!;
    if (x !== undefined || u !== undefined) return String.fromCharCode(parseInt((x ?? u)!, 16));
    return whole; // a backslash that starts no escape is itself
  });
}

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const RAW_UNSAFE = /[\u0000-\u001f\u007f-\u009f]|\p{Cs}/u;

const unit = fc.oneof(
  fc.constantFrom('\\', 'x', 'u', 'n', 't', 'r', '1', 'B', 'D', '8', '\u001b', '\n', '\t', '\r', '\u007f', '\u009b', '\u0000'),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
);
const anyText = fc.oneof(fc.string({ unit }), fc.string({ unit: 'binary' }), fc.string());

describe('printable', () => {
  it('escapes C0 controls, DEL and C1 controls', () => {
    expect(printable('\u001b[2JEvil\nName\u009b31m')).toBe('\\x1B[2JEvil\\nName\\x9B31m');
    expect(printable('a\tb\rc\u0000d\u0007e\u007ff\u0080g\u0085h\u009f')).toBe('a\\tb\\rc\\x00d\\x07e\\x7Ff\\x80g\\x85h\\x9F');
  });

  it('escapes lone surrogates and keeps pairs', () => {
    expect(printable('\ud800 \udfff')).toBe('\\uD800 \\uDFFF');
    expect(printable('\udc69\ud83d\udc69\ud83d')).toBe('\\uDC69👩\\uD83D');
  });

  it('leaves all other Unicode alone, and returns text that needs nothing as it is', () => {
    for (const text of ['Spock', '👩‍🚀 山田 太郎', 'Zoe\u0308', 'שלום', '\u00a0\u00ff\u2028\ufeff', 'C:\\Users\\spock', 'a\\', '']) {
      expect(printable(text)).toBe(text);
    }
  });

  it('doubles a backslash only where it would read as an escape', () => {
    expect(printable('\\x1B')).toBe('\\\\x1B');
    expect(printable('\\n and \\\\')).toBe('\\\\n and \\\\\\');
    expect(printable('\\\u001b')).toBe('\\\\\\x1B');
    expect(printable('\\\ud800')).toBe('\\\\\\uD800');
    expect(printable('\\q')).toBe('\\q');
  });

  it('never lets a control character or lone surrogate through, and always decodes back to the text', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const shown = printable(text);
        expect(shown).not.toMatch(RAW_UNSAFE);
        expect(decode(shown)).toBe(text);
        if (!RAW_UNSAFE.test(text) && !text.includes('\\')) expect(shown).toBe(text);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('printableJson', () => {
  it('escapes DEL, C1 and the line separators that JSON.stringify leaves raw', () => {
    expect(printableJson({ name: '\u001b[2J\u007f\u009b\u2028\u2029\ud800' })).toBe(
      '{"name":"\\u001b[2J\\u007F\\u009B\\u2028\\u2029\\ud800"}',
    );
  });

  it('parses back to the same value and holds no raw control character, whatever the value', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, fc.dictionary(anyText, anyText), fc.jsonValue()), (value) => {
        const json = printableJson(value);
        expect(json).not.toMatch(RAW_UNSAFE);
        expect(json).not.toMatch(/[\u2028\u2029]/);
        expect(JSON.parse(json)).toStrictEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 2000 },
    );
  });
});

// The formatters, fed what an old database or a hostile API could return: every string field carries an escape
// sequence, a newline, a C1 CSI and a lone surrogate.
const EVIL = '\u001b[2JEvil\nName\u009b31m\ud800';
const SHOWN = '\\x1B[2JEvil\\nName\\x9B31m\\uD800';
const hostile = (state: string): Application =>
  ({
    id: `app_${EVIL}`,
    name: EVIL,
    address: `1 ${EVIL}`,
    state,
    checks: { name: { flagged: true, reason: EVIL }, address: { flagged: false } },
    reason: EVIL,
    review: { decision: 'APPROVE', reviewer: EVIL, reviewedAt: EVIL },
    execution: { status: 'FAILED', error: { name: 'Error', message: EVIL, check: 'name' } },
    createdAt: EVIL,
    updatedAt: EVIL,
  }) as Application;

/** What a terminal would act on: C0 (but the line breaks the formatter itself writes), DEL, C1, lone surrogates. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const ACTIONABLE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]|\p{Cs}/u;
const ESC = '\u001b';
/** Drops the palette's own SGR codes (ESC [ n m), the only escape sequences the formatters may write. */
const withoutPalette = (text: string) => text.replace(new RegExp(`${ESC}\\[\\d+m`, 'g'), '');

describe('the formatters, with hostile stored data', () => {
  it('formatApplication escapes every stored value, one line per field, and keeps its own colours', () => {
    for (const state of ['SUBMITTED', 'APPROVED', EVIL]) {
      for (const color of [false, true]) {
        const text = formatApplication(hostile(state), color);
        expect(withoutPalette(text)).not.toMatch(ACTIONABLE);
        expect(text.split('\n')).toHaveLength(11); // the state, then ten fields
        expect(withoutPalette(text)).toContain(`name           ${SHOWN}`);
        expect(withoutPalette(text)).toContain(`review         APPROVE by ${SHOWN} at ${SHOWN}`);
        if (color) expect(text.startsWith(`${ESC}[1m${ESC}[3`)).toBe(true); // bold, then the state's colour
      }
    }
    expect(formatApplication(hostile('SUBMITTED'), false)).toContain(
      `a check kept failing (${SHOWN}); once the cause is fixed: bank redrive app_${SHOWN}   (details: bank history app_${SHOWN})`,
    );
    const quarantined = { ...hostile('FLAGGED_FOR_REVIEW'), execution: { status: 'FAILED', quarantined: { reason: EVIL, at: EVIL } } };
    expect(formatApplication(quarantined as Application, false)).toContain(`set aside: ${SHOWN}; once the cause is fixed: bank redrive`);
    const waiting = { ...hostile('FLAGGED_FOR_REVIEW'), execution: { status: 'WAITING_FOR_REVIEW' } } as Application;
    expect(formatApplication(waiting, false)).toContain(`bank approve app_${SHOWN}`);
  });

  it('formatPage keeps one line per application, aligned, whatever the names hold', () => {
    const items = [hostile('APPROVED'), { ...hostile('REJECTED'), name: 'Spock' }];
    for (const color of [false, true]) {
      const text = formatPage({ items, nextCursor: EVIL }, color, (cursor) => `bank list --cursor ${cursor}`);
      const lines = withoutPalette(text).split('\n');
      expect(lines).toHaveLength(1 + items.length + 1);
      expect(withoutPalette(text)).not.toMatch(ACTIONABLE);
      expect(lines[1]).toContain(SHOWN);
      expect(lines[2]!.indexOf('Spock')).toBe(lines[0]!.indexOf('NAME'));
      expect(lines[3]).toBe(`more: bank list --cursor ${SHOWN}`);
    }
  });

  it('formatHistory escapes types, keys and values, and shows other values as terminal-safe JSON', () => {
    const events: HistoryEvent[] = [
      { seq: 1, at: EVIL, type: EVIL, data: { [EVIL]: EVIL } },
      { seq: 2, at: '2026-01-01T00:00:00.000Z', type: 'check.failed', data: { error: { message: EVIL }, n: 3 } },
    ];
    for (const color of [false, true]) {
      const lines = withoutPalette(formatHistory(events, color)).split('\n');
      expect(lines).toHaveLength(2);
      expect(lines.join('\n')).not.toMatch(ACTIONABLE);
      expect(lines[0]).toBe(`  1  ${SHOWN}  ${SHOWN}  ${SHOWN}=${SHOWN}`);
      expect(lines[1]).toBe('  2  2026-01-01T00:00:00.000Z  check.failed  error={"message":"\\u001b[2JEvil\\nName\\u009B31m\\ud800"} n=3');
    }
  });

  it('formatCheck shows the value checked as terminal-safe JSON and escapes the reason', () => {
    const text = formatCheck('name', EVIL, { unprocessable: true, reason: EVIL }, false);
    expect(text).not.toMatch(ACTIONABLE);
    expect(text).toBe(`name "\\u001b[2JEvil\\nName\\u009B31m\\ud800": unprocessable (${SHOWN})`);
  });
});
