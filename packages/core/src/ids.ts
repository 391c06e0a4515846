// Runtime-neutral: Web Crypto's getRandomValues exists in Node ≥ 19, browsers and Workers.

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

// One getRandomValues call fills a pool for 256 ids or tokens: the call itself, not the bytes, is the cost.
const POOL_SIZE = 4096;
const pool = new Uint8Array(POOL_SIZE);
let poolOffset = POOL_SIZE;

/** 16 fresh random bytes (a copy, so callers may change them). */
function random16(): Uint8Array {
  if (poolOffset + 16 > POOL_SIZE) {
    crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  const bytes = pool.slice(poolOffset, poolOffset + 16);
  pool.fill(0, poolOffset, poolOffset + 16); // used bytes never linger in memory
  poolOffset += 16;
  return bytes;
}

/** A UUID version 7: 48 bits of milliseconds, then 74 random bits. Sorts by creation time. */
export function uuidv7(nowMs: number): string {
  const bytes = random16();
  let ms = Math.max(0, Math.floor(nowMs));
  for (let i = 5; i >= 0; i--) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes[6] = (bytes[6]! & 0x0f) | 0x70; // version 7
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 9562 variant
  const h = hex(bytes);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A new application id: `app_` and a UUID v7, unguessable and time-ordered. */
export const newApplicationId = (nowMs: number): string => `app_${uuidv7(nowMs)}`;

/** A new single-use task token for a review: 128 random bits. */
export function newTaskToken(): string {
  return `tt_${hex(random16())}`;
}

/** Application ids look like `app_` + a UUID; anything else is rejected before touching the store. */
export const APPLICATION_ID_PATTERN = /^app_[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
