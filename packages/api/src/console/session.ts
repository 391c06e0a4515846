// Stateless reviewer sessions for the console: the cookie holds the reviewer's name and an expiry, signed with
// HMAC-SHA-256 (WebCrypto, so it runs on Node and in workerd). Nothing is kept between requests, and the key is
// derived from the configured reviewer credentials and the console secret, so rotating either ends every session. The token itself never
// leaves the sign-in request.

import { parseCredential } from '../auth.js';

const encoder = new TextEncoder();

/** The name of the session cookie. */
export const SESSION_COOKIE = 'bank_console';

/** How long a session lasts: one working day. */
export const SESSION_MAX_AGE_SECONDS = 8 * 60 * 60;

const NAME = /^[A-Za-z0-9._@-]{1,64}$/;

/** Encodes bytes as unpadded base64url. */
export function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/** Decodes unpadded base64url; `undefined` when it is not. */
function fromBase64url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  try {
    return Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (ch) => ch.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/** A signed session, as the console reads it from its cookie. */
export interface Session {
  /** The reviewer, as the credential they signed in with names them. */
  readonly reviewer: string;
  /** When the session ends (ms since the epoch). */
  readonly expiresAt: number;
  /** The cookie value, which the CSRF token is derived from. */
  readonly value: string;
}

/** Issues and checks sessions and their CSRF tokens; see {@link createSessions}. */
export interface Sessions {
  /** A signed cookie value naming `reviewer` until `now` plus {@link SESSION_MAX_AGE_SECONDS}. */
  issue(reviewer: string, now: number): Promise<string>;
  /** The session a cookie value proves, or `undefined` when it is forged, malformed or expired. */
  verify(value: string | undefined, now: number): Promise<Session | undefined>;
  /** The CSRF token of a session: an HMAC of its cookie value, sent back in every form. */
  csrfToken(session: Session): Promise<string>;
  /** Whether `token` is the CSRF token of `session` (compared by WebCrypto, in constant time). */
  checkCsrf(session: Session, token: string | undefined): Promise<boolean>;
}

/**
 * Whether sessions signed for these credentials rest on a secret: the console secret, or at least one plain token. A
 * `sha256:` entry is a digest meant to be safe to show, so a key derived from digests alone could be forged by anyone
 * who reads the configuration.
 */
export function hasSessionSecret(entries: readonly string[], consoleSecret: string | undefined): boolean {
  return (consoleSecret ?? '').length > 0 || entries.some((entry) => entry.length > 0 && !parseCredential(entry).digest);
}

/**
 * Builds the session signer for the configured reviewer credentials (`BANK_REVIEWER_TOKENS` entries) and the optional
 * console secret (`BANK_CONSOLE_SECRET`). The HMAC key is the SHA-256 of both, so only the server can sign, and a
 * change of credentials or secret invalidates every session. With no credentials, or none that is secret (see
 * {@link hasSessionSecret}), nothing verifies: the console is locked like the reviewer routes.
 */
export function createSessions(entries: readonly string[], consoleSecret?: string): Sessions {
  const configured = hasSessionSecret(entries, consoleSecret) ? entries.filter((e) => e.length > 0) : [];
  let key: ReturnType<typeof crypto.subtle.importKey> | undefined;
  const hmacKey = () =>
    (key ??= crypto.subtle
      .digest('SHA-256', encoder.encode(`bank-workflows console session v2\n${consoleSecret ?? ''}\n${configured.join('\n')}`))
      .then((raw) => crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify'])));
  const sign = async (purpose: string, payload: string) =>
    base64url(new Uint8Array(await crypto.subtle.sign('HMAC', await hmacKey(), encoder.encode(`${purpose}\0${payload}`))));
  const check = async (purpose: string, payload: string, signature: string) => {
    const bytes = fromBase64url(signature);
    if (bytes === undefined || bytes.length !== 32) return false;
    return crypto.subtle.verify('HMAC', await hmacKey(), bytes, encoder.encode(`${purpose}\0${payload}`));
  };

  return {
    async issue(reviewer, now) {
      if (configured.length === 0) throw new Error('no secret to sign console sessions with');
      if (!NAME.test(reviewer)) throw new RangeError('a reviewer name is 1-64 of A-Z a-z 0-9 . _ @ -');
      const payload = `${reviewer}~${now + SESSION_MAX_AGE_SECONDS * 1000}`;
      return `${payload}~${await sign('session', payload)}`;
    },
    async verify(value, now) {
      if (configured.length === 0 || value === undefined || value.length > 300) return undefined;
      const [reviewer, expiry, signature, ...rest] = value.split('~');
      if (reviewer === undefined || expiry === undefined || signature === undefined || rest.length > 0) return undefined;
      if (!NAME.test(reviewer) || !/^\d{1,15}$/.test(expiry)) return undefined;
      const expiresAt = Number(expiry);
      if (expiresAt <= now) return undefined;
      if (!(await check('session', `${reviewer}~${expiry}`, signature))) return undefined;
      return { reviewer, expiresAt, value };
    },
    csrfToken: (session) => sign('csrf', session.value),
    checkCsrf: async (session, token) => token !== undefined && check('csrf', session.value, token),
  };
}
