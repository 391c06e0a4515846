import { DomainError } from '@bank/core';
import type { MiddlewareHandler } from 'hono';
import { HttpProblem } from './problem.js';

/** The largest request body accepted, in bytes (16 KiB). */
export const MAX_BODY_BYTES = 16 * 1024;

// `application/json`, optionally with `charset=utf-8` (JSON is UTF-8 by definition; RFC 8259).
const JSON_MEDIA_TYPE = /^application\/json(;[ \t]*charset=(utf-8|"utf-8"))?$/i;

/** Tells whether a `Content-Type` header names JSON the way this API accepts it. */
export const isJsonContentType = (header: string | undefined): boolean => header !== undefined && JSON_MEDIA_TYPE.test(header.trim());

const tooLarge = (limit: number) => new HttpProblem('payload_too_large', `the request body must be at most ${limit} bytes`);

const malformed = (message: string) => new DomainError('invalid_input', message, { issues: [{ code: 'invalid_json', path: [], message }] });

/** Reads a request body, giving up as soon as it grows past `limit` bytes. */
async function readLimited(request: Request, limit: number): Promise<Uint8Array> {
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * A middleware for routes that take a JSON body: the media type must be `application/json` (`415` otherwise),
 * the body at most `limit` bytes by `Content-Length` and by what actually arrives (`413`), and the bytes valid
 * UTF-8 JSON (`400`). The parsed text is left in Hono's body cache, so the route's validator reads it from there.
 * @throws {HttpProblem} `unsupported_media_type` or `payload_too_large`.
 * @throws {DomainError} `invalid_input` for a body that is not JSON.
 */
export function jsonBody(limit = MAX_BODY_BYTES): MiddlewareHandler {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  return async function jsonBody(c, next) {
    if (!isJsonContentType(c.req.header('content-type'))) {
      throw new HttpProblem('unsupported_media_type', 'the request body must be sent as Content-Type: application/json');
    }
    const declared = c.req.header('content-length')?.trim();
    if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) > limit) throw tooLarge(limit);
    // With a declared length within the limit, HTTP framing bounds the body, so read it whole: the Node adapter
    // reads it straight from the socket, far faster than pulling a web stream. A chunked body is read as a stream,
    // counting bytes, so it is cut off as soon as it grows past the limit.
    const bytes =
      declared !== undefined && /^\d+$/.test(declared) ? new Uint8Array(await c.req.arrayBuffer()) : await readLimited(c.req.raw, limit);
    if (bytes.byteLength > limit) throw tooLarge(limit);
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch {
      throw malformed('the request body is not valid UTF-8');
    }
    try {
      JSON.parse(text);
    } catch {
      throw malformed('the request body is not valid JSON');
    }
    // Hono caches bodies as promises; `c.req.json()` (used by the validator) parses the cached text.
    c.req.bodyCache.text = Promise.resolve(text) as unknown as string;
    await next();
  };
}
