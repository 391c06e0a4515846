import { describe, expect, it } from 'vitest';
import { isCrossSite } from './same-origin.js';
import { createSessions, hasSessionSecret, SESSION_MAX_AGE_SECONDS } from './session.js';

const ENTRIES = ['riker:riker-token', 'troi:sha256:' + '0'.repeat(64)];
const NOW = Date.parse('2026-01-01T09:00:00Z');

describe('console sessions', () => {
  it('issues a value naming the reviewer and its expiry, never the token, that verifies until it expires', async () => {
    const sessions = createSessions(ENTRIES);
    const value = await sessions.issue('riker', NOW);
    expect(value).toMatch(/^riker~\d+~[A-Za-z0-9_-]{43}$/);
    expect(value).not.toContain('riker-token');
    expect(await sessions.verify(value, NOW)).toStrictEqual({ reviewer: 'riker', expiresAt: NOW + SESSION_MAX_AGE_SECONDS * 1000, value });
    expect(await sessions.verify(value, NOW + SESSION_MAX_AGE_SECONDS * 1000 - 1)).toBeDefined();
    expect(await sessions.verify(value, NOW + SESSION_MAX_AGE_SECONDS * 1000)).toBeUndefined();
  });

  it('refuses a changed name, a changed expiry, a bad signature, garbage, and a value signed for other credentials', async () => {
    const sessions = createSessions(ENTRIES);
    const value = await sessions.issue('riker', NOW);
    const [, expiry, signature] = value.split('~');
    for (const forged of [
      `troi~${expiry}~${signature}`,
      `riker~${Number(expiry) + 1000}~${signature}`,
      `riker~${expiry}~${signature!.slice(0, -2)}AA`,
      `riker~${expiry}`,
      `${value}~extra`,
      'riker-token',
      '',
    ]) {
      expect(await sessions.verify(forged, NOW)).toBeUndefined();
    }
    // Rotating any credential ends every session.
    expect(await createSessions(['riker:riker-token-2', ENTRIES[1]!]).verify(value, NOW)).toBeUndefined();
    // No credentials: the console is locked; it signs nothing.
    await expect(createSessions([]).issue('riker', NOW)).rejects.toThrow(/no secret/);
  });

  it('never signs with a key anyone who reads digest-only credentials could derive; the console secret fixes that', async () => {
    const digests = ['troi:sha256:' + '0'.repeat(64)];
    expect(hasSessionSecret(digests, undefined)).toBe(false);
    expect(hasSessionSecret(digests, 'console-secret')).toBe(true);
    expect(hasSessionSecret(ENTRIES, undefined)).toBe(true);
    await expect(createSessions(digests).issue('troi', NOW)).rejects.toThrow(/no secret/);
    const withSecret = createSessions(digests, 'console-secret');
    const value = await withSecret.issue('troi', NOW);
    expect(await withSecret.verify(value, NOW)).toBeDefined();
    // Another secret, or none, does not verify it.
    expect(await createSessions(digests, 'other-secret').verify(value, NOW)).toBeUndefined();
    expect(await createSessions(digests).verify(value, NOW)).toBeUndefined();
  });

  it('derives a CSRF token per session and accepts only that one', async () => {
    const sessions = createSessions(ENTRIES);
    const riker = (await sessions.verify(await sessions.issue('riker', NOW), NOW))!;
    const later = (await sessions.verify(await sessions.issue('riker', NOW + 1000), NOW))!;
    const token = await sessions.csrfToken(riker);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await sessions.checkCsrf(riker, token)).toBe(true);
    expect(await sessions.checkCsrf(later, token)).toBe(false);
    expect(await sessions.checkCsrf(riker, undefined)).toBe(false);
    expect(await sessions.checkCsrf(riker, `${token.startsWith('A') ? 'B' : 'A'}${token.slice(1)}`)).toBe(false);
  });
});

describe('isCrossSite', () => {
  const post = (headers: Record<string, string>) => new Request('http://bank.test/console/sign-in', { method: 'POST', headers });
  it('trusts Sec-Fetch-Site first, then compares the Origin host, and lets clients that send neither through', () => {
    expect(isCrossSite(post({ 'Sec-Fetch-Site': 'same-origin' }))).toBe(false);
    expect(isCrossSite(post({ 'Sec-Fetch-Site': 'none' }))).toBe(false);
    expect(isCrossSite(post({ 'Sec-Fetch-Site': 'same-site' }))).toBe(true);
    expect(isCrossSite(post({ 'Sec-Fetch-Site': 'cross-site', Origin: 'http://bank.test' }))).toBe(true);
    expect(isCrossSite(post({ Origin: 'http://bank.test' }))).toBe(false);
    expect(isCrossSite(post({ Origin: 'https://evil.test' }))).toBe(true);
    expect(isCrossSite(post({ Origin: 'null' }))).toBe(true);
    expect(isCrossSite(post({}))).toBe(false);
  });
});
