// How many connections the Node server holds, and for how long it waits for a request: the settings, read from the
// environment, and the per-client cap. No node: imports (sockets are typed by the little this file uses), so the
// logic is unit-tested without a network; node.ts wires it to the http.Server.

/** How many connections the Node server holds and how long it waits for each request. */
export interface ConnectionLimits {
  /** Open connections at most, from all clients together; more are closed as they arrive. */
  readonly maxConnections: number;
  /** Open connections at most from one client address; more from that address are closed as they arrive. */
  readonly maxConnectionsPerClient: number;
  /** Time for a client to send a request's complete headers (from the first byte, or from connecting). */
  readonly headersTimeoutMs: number;
  /** Time for a client to send a complete request, headers and body. */
  readonly requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open after its last response. */
  readonly keepAliveTimeoutMs: number;
}

/**
 * The defaults: 1,024 connections, 128 from one address (room for a load balancer's or load tester's pool), 10 s
 * for the headers, 30 s for a whole request (bodies are at most 16 KiB), 5 s of keep-alive (Node's default).
 */
export const DEFAULT_CONNECTION_LIMITS: Readonly<ConnectionLimits> = {
  maxConnections: 1024,
  maxConnectionsPerClient: 128,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
};

/** Each setting: its environment variable and the range it accepts. */
export const CONNECTION_LIMIT_VARIABLES: Readonly<
  Record<keyof ConnectionLimits, { readonly name: string; readonly min: number; readonly max: number }>
> = {
  maxConnections: { name: 'BANK_MAX_CONNECTIONS', min: 1, max: 1_000_000 },
  maxConnectionsPerClient: { name: 'BANK_MAX_CONNECTIONS_PER_CLIENT', min: 1, max: 1_000_000 },
  headersTimeoutMs: { name: 'BANK_HEADERS_TIMEOUT_MS', min: 100, max: 3_600_000 },
  requestTimeoutMs: { name: 'BANK_REQUEST_TIMEOUT_MS', min: 100, max: 3_600_000 },
  keepAliveTimeoutMs: { name: 'BANK_KEEP_ALIVE_TIMEOUT_MS', min: 100, max: 3_600_000 },
};

const KEYS = Object.keys(CONNECTION_LIMIT_VARIABLES) as (keyof ConnectionLimits)[];

const format = (n: number) => n.toLocaleString('en-US');

/**
 * Reads the limits that are set in the environment (`BANK_MAX_CONNECTIONS`, `BANK_MAX_CONNECTIONS_PER_CLIENT`,
 * `BANK_HEADERS_TIMEOUT_MS`, `BANK_REQUEST_TIMEOUT_MS`, `BANK_KEEP_ALIVE_TIMEOUT_MS`); unset or blank ones are left
 * out, so the defaults apply.
 * @throws {RangeError} naming the variable, when a value is not an integer in its range.
 */
export function connectionLimitsFromEnv(env: Readonly<Record<string, string | undefined>>): Partial<ConnectionLimits> {
  const limits: Partial<Record<keyof ConnectionLimits, number>> = {};
  for (const key of KEYS) {
    const { name, min, max } = CONNECTION_LIMIT_VARIABLES[key];
    const raw = env[name]?.trim();
    if (!raw) continue;
    const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw new RangeError(`${name} must be an integer from ${format(min)} to ${format(max)}`);
    }
    limits[key] = value;
  }
  checkOrder(limits, 'BANK_HEADERS_TIMEOUT_MS', 'BANK_REQUEST_TIMEOUT_MS');
  return limits;
}

function checkOrder(limits: Partial<ConnectionLimits>, headers: string, request: string): void {
  const h = limits.headersTimeoutMs ?? DEFAULT_CONNECTION_LIMITS.headersTimeoutMs;
  const r = limits.requestTimeoutMs ?? DEFAULT_CONNECTION_LIMITS.requestTimeoutMs;
  if (h > r) throw new RangeError(`${headers} (${h}) must not exceed ${request} (${r})`);
}

/** Any subset of the {@link ConnectionLimits}, as `ServerOptions` carries them; the rest take their defaults. */
export type ConnectionLimitOptions = { readonly [K in keyof ConnectionLimits]?: number | undefined };

/**
 * Fills in the defaults and checks the result.
 * @throws {RangeError} when a limit is not an integer in its range, or the headers timeout exceeds the request timeout.
 */
export function resolveConnectionLimits(options: ConnectionLimitOptions = {}): ConnectionLimits {
  const limits = { ...DEFAULT_CONNECTION_LIMITS };
  for (const key of KEYS) {
    const value = options[key];
    if (value === undefined) continue;
    const { min, max } = CONNECTION_LIMIT_VARIABLES[key];
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw new RangeError(`${key} must be an integer from ${format(min)} to ${format(max)}`);
    }
    limits[key] = value;
  }
  checkOrder(limits, 'headersTimeoutMs', 'requestTimeoutMs');
  return limits;
}

/**
 * How often Node's http server looks for requests past their headers or request timeout. Node checks every 30 s by
 * default, so a 10 s headers timeout would let a slow-header connection live up to 40 s; this checks four times per
 * shortest timeout, at least every second and at most every 25 ms.
 */
export function connectionsCheckingIntervalFor(limits: Pick<ConnectionLimits, 'headersTimeoutMs' | 'requestTimeoutMs'>): number {
  return Math.min(1000, Math.max(25, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4)));
}

/** A socket as the per-client cap sees it; a `net.Socket` is one. */
export interface ClientSocket {
  readonly remoteAddress?: string | undefined;
  readonly destroyed: boolean;
  destroy(): void;
  once(event: 'close', listener: () => void): unknown;
}

/** A server as the per-client cap sees it; a `net.Server` (and so an `http.Server`) is one. */
export interface ConnectionSource {
  prependListener(event: 'connection', listener: (socket: ClientSocket) => void): unknown;
}

/** The per-client cap on a server. */
export interface PerClientCap {
  /** How many connections from `address` are open now. */
  openFrom(address: string): number;
  /** How many addresses have open connections now. */
  readonly clients: number;
}

/**
 * Caps the open connections from each client address at `max`: a connection over the cap is destroyed as soon as it
 * arrives (before it can send a byte that gets parsed), and `onRefused` is called. One client can then hold at most
 * `max` of the server's `maxConnections` slots, so a slow-header flood from one address cannot starve the rest.
 *
 * Behind a reverse proxy every client has the proxy's address: set the cap to the proxy's pool size or more.
 */
export function capConnectionsPerClient(server: ConnectionSource, max: number, onRefused: () => void = () => {}): PerClientCap {
  const open = new Map<string, number>();
  // Prepended, so a refused socket is destroyed before the http server allocates a parser for it: refusing stays
  // cheap while a flood lasts.
  server.prependListener('connection', (socket) => {
    const address = socket.remoteAddress;
    if (address === undefined || socket.destroyed) return; // already gone
    const count = open.get(address) ?? 0;
    if (count >= max) {
      socket.destroy();
      onRefused();
      return;
    }
    open.set(address, count + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
  return {
    openFrom: (address) => open.get(address) ?? 0,
    get clients() {
      return open.size;
    },
  };
}

/** Why a connection was refused. */
export type RefusalReason = 'per_client_cap' | 'server_cap';

/** Counts refused connections and reports them at most once per window, so a flood does not flood the log too. */
export interface RefusalReporter {
  /** Counts one refusal; the first in a window starts it, and the count is reported when it ends. */
  refused(reason: RefusalReason): void;
  /** Reports what is counted now and stops the timer. */
  flush(): void;
}

/** Builds a {@link RefusalReporter} that calls `report` with the counts (never with addresses: those are personal data). */
export function createRefusalReporter(
  report: (counts: Readonly<Record<RefusalReason, number>>) => void,
  windowMs = 10_000,
): RefusalReporter {
  let counts: Record<RefusalReason, number> = { per_client_cap: 0, server_cap: 0 };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (counts.per_client_cap + counts.server_cap === 0) return;
    const reported = counts;
    counts = { per_client_cap: 0, server_cap: 0 };
    report(reported);
  };
  return {
    refused(reason) {
      counts[reason] += 1;
      if (timer === undefined) {
        timer = setTimeout(flush, windowMs);
        // A pending report must not keep the process alive on its own (setTimeout returns an object on Node).
        (timer as { unref?: () => void }).unref?.();
      }
    },
    flush,
  };
}
