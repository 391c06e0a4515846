// The TCP sockets of the store's own pool, with Nagle's algorithm off (TCP_NODELAY), as `pg` and libpq do. postgres.js
// 3.4.9 leaves it on: a pipeline larger than 1 KiB leaves the driver in two writes, and the kernel holds the second
// until the server acknowledges the first, so a group commit took two round trips instead of one, and concurrent
// commits pipelined on one connection waited the same way (measured in postgres-commit.test.ts and the README).
// Node-only, like the driver's own sockets; this subpath is never part of an edge bundle.
import { connect, type Socket } from 'node:net';

/** What postgres.js passes to a `socket` factory: its parsed options. */
interface SocketOptions {
  readonly host: readonly string[];
  readonly port: readonly number[];
  readonly path?: string | false | undefined;
}

/**
 * A postgres.js `socket` option: a socket to the first host (or the Unix socket `path`) with TCP_NODELAY, handed over
 * while it is still connecting. postgres.js writes its startup message at once (Node queues it until the socket
 * connects) and watches the socket's `error` and `close` as for its own sockets, so a refused or timed-out connection
 * goes through its usual reconnect path. (A factory that waited for `connect` and rejected instead would leave the
 * pool's connection stuck in its connecting state for good: seen with postgres.js 3.4.9.) Only for a single host: with
 * several, the store leaves postgres.js to pick and fail over.
 */
export function noDelaySocket(options: SocketOptions): Socket {
  const socket = options.path ? connect(options.path) : connect(options.port[0] ?? 5432, options.host[0] ?? 'localhost');
  socket.setNoDelay(true);
  return socket;
}
