import { DomainError } from '../errors.js';

/** The position a page ends at. */
export interface CursorPosition {
  readonly createdAt: string;
  readonly id: string;
}

const toBase64Url = (s: string) => btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const fromBase64Url = (s: string) => atob(s.replace(/-/g, '+').replace(/_/g, '/'));

/** Encodes a page position as an opaque, URL-safe cursor. */
export const encodeCursor = (position: CursorPosition): string => toBase64Url(JSON.stringify([position.createdAt, position.id]));

/**
 * Decodes a cursor made by {@link encodeCursor}.
 * @throws {DomainError} `invalid_input` for anything else.
 */
export function decodeCursor(cursor: string): CursorPosition {
  try {
    if (!/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) throw new Error('bad alphabet');
    const value: unknown = JSON.parse(fromBase64Url(cursor));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'string' &&
      typeof value[1] === 'string' &&
      !Number.isNaN(Date.parse(value[0]))
    ) {
      return { createdAt: value[0], id: value[1] };
    }
  } catch {
    // fall through to the typed error
  }
  throw new DomainError('invalid_input', 'cursor is not one this API returned', {
    issues: [{ code: 'invalid_cursor', path: ['cursor'], message: 'cursor is not one this API returned' }],
  });
}
