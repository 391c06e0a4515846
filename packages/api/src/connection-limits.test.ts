import { EventEmitter } from 'node:events';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  capConnectionsPerClient,
  connectionLimitsFromEnv,
  connectionsCheckingIntervalFor,
  createRefusalReporter,
  DEFAULT_CONNECTION_LIMITS,
  resolveConnectionLimits,
  type ClientSocket,
} from './connection-limits.js';
import { serverOptionsFromEnv } from './node.js';

describe('connectionLimitsFromEnv', () => {
  it('returns only what is set, so the defaults apply to the rest', () => {
    expect(connectionLimitsFromEnv({})).toStrictEqual({});
    expect(connectionLimitsFromEnv({ BANK_MAX_CONNECTIONS: ' ', BANK_HEADERS_TIMEOUT_MS: '' })).toStrictEqual({});
  });

  it('reads every variable', () => {
    const env = {
      BANK_MAX_CONNECTIONS: '2000',
      BANK_MAX_CONNECTIONS_PER_CLIENT: '16',
      BANK_HEADERS_TIMEOUT_MS: '5000',
      BANK_REQUEST_TIMEOUT_MS: ' 20000 ',
      BANK_KEEP_ALIVE_TIMEOUT_MS: '65000',
    };
    const limits = {
      maxConnections: 2000,
      maxConnectionsPerClient: 16,
      headersTimeoutMs: 5000,
      requestTimeoutMs: 20_000,
      keepAliveTimeoutMs: 65_000,
    };
    expect(connectionLimitsFromEnv(env)).toStrictEqual(limits);
    expect(serverOptionsFromEnv(env)).toMatchObject(limits);
    expect(serverOptionsFromEnv({})).not.toHaveProperty('maxConnections');
  });

  it.each([
    ['BANK_MAX_CONNECTIONS', '0'],
    ['BANK_MAX_CONNECTIONS', '-5'],
    ['BANK_MAX_CONNECTIONS', '1e3'],
    ['BANK_MAX_CONNECTIONS', '10.5'],
    ['BANK_MAX_CONNECTIONS', 'many'],
    ['BANK_MAX_CONNECTIONS_PER_CLIENT', '0'],
    ['BANK_MAX_CONNECTIONS_PER_CLIENT', '0x10'],
    ['BANK_HEADERS_TIMEOUT_MS', '99'],
    ['BANK_HEADERS_TIMEOUT_MS', '10s'],
    ['BANK_REQUEST_TIMEOUT_MS', '3600001'],
    ['BANK_KEEP_ALIVE_TIMEOUT_MS', '0'],
  ])('refuses %s=%s with a RangeError naming the variable', (name, value) => {
    expect(() => connectionLimitsFromEnv({ [name]: value })).toThrow(new RegExp(`^${name} must be an integer from`));
    expect(() => serverOptionsFromEnv({ [name]: value })).toThrow(RangeError);
  });

  it('refuses a headers timeout longer than the request timeout', () => {
    expect(() => connectionLimitsFromEnv({ BANK_HEADERS_TIMEOUT_MS: '40000' })).toThrow(
      /^BANK_HEADERS_TIMEOUT_MS \(40000\) must not exceed BANK_REQUEST_TIMEOUT_MS \(30000\)$/,
    );
    expect(() => connectionLimitsFromEnv({ BANK_REQUEST_TIMEOUT_MS: '5000' })).toThrow(RangeError);
    expect(connectionLimitsFromEnv({ BANK_HEADERS_TIMEOUT_MS: '5000', BANK_REQUEST_TIMEOUT_MS: '5000' })).toMatchObject({
      requestTimeoutMs: 5000,
    });
  });
});

describe('resolveConnectionLimits', () => {
  it('fills in the defaults', () => {
    expect(resolveConnectionLimits()).toStrictEqual(DEFAULT_CONNECTION_LIMITS);
    expect(DEFAULT_CONNECTION_LIMITS).toStrictEqual({
      maxConnections: 1024,
      maxConnectionsPerClient: 128,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 5_000,
    });
    expect(resolveConnectionLimits({ maxConnectionsPerClient: 4, headersTimeoutMs: undefined })).toMatchObject({
      maxConnectionsPerClient: 4,
      headersTimeoutMs: 10_000,
    });
  });

  it('refuses values out of range', () => {
    expect(() => resolveConnectionLimits({ maxConnections: 0 })).toThrow(/^maxConnections must be an integer from 1 to/);
    expect(() => resolveConnectionLimits({ requestTimeoutMs: 1.5 })).toThrow(RangeError);
    expect(() => resolveConnectionLimits({ headersTimeoutMs: 20_000, requestTimeoutMs: 10_000 })).toThrow(/must not exceed/);
  });
});

describe('connectionsCheckingIntervalFor', () => {
  it('checks four times per shortest timeout, from every 25 ms to every second', () => {
    expect(connectionsCheckingIntervalFor(DEFAULT_CONNECTION_LIMITS)).toBe(1000);
    expect(connectionsCheckingIntervalFor({ headersTimeoutMs: 2000, requestTimeoutMs: 5000 })).toBe(500);
    expect(connectionsCheckingIntervalFor({ headersTimeoutMs: 100, requestTimeoutMs: 100 })).toBe(25);
  });
});

class FakeSocket extends EventEmitter implements ClientSocket {
  destroyed = false;
  constructor(readonly remoteAddress: string | undefined) {
    super();
  }
  destroy() {
    if (this.destroyed) return;
    this.destroyed = true;
    queueMicrotask(() => this.emit('close'));
  }
}

describe('capConnectionsPerClient', () => {
  it('closes connections over the cap from one address, leaving other addresses alone', async () => {
    const server = new EventEmitter();
    const refused = vi.fn();
    const cap = capConnectionsPerClient(server, 2, refused);
    const arrive = (address: string | undefined) => {
      const socket = new FakeSocket(address);
      server.emit('connection', socket);
      return socket;
    };
    const [a1, a2, a3] = [arrive('10.0.0.1'), arrive('10.0.0.1'), arrive('10.0.0.1')];
    const b1 = arrive('10.0.0.2');
    expect([a1.destroyed, a2.destroyed, a3.destroyed, b1.destroyed]).toStrictEqual([false, false, true, false]);
    expect(refused).toHaveBeenCalledTimes(1);
    expect([cap.openFrom('10.0.0.1'), cap.openFrom('10.0.0.2'), cap.clients]).toStrictEqual([2, 1, 2]);

    a1.destroy(); // a slot frees up when a connection closes
    await Promise.resolve();
    expect(cap.openFrom('10.0.0.1')).toBe(1);
    expect(arrive('10.0.0.1').destroyed).toBe(false);
    expect(cap.openFrom('10.0.0.1')).toBe(2);

    for (const s of [a2, b1]) s.destroy();
    await Promise.resolve();
    expect(cap.clients).toBe(1);
    expect(arrive(undefined).destroyed).toBe(false); // already gone: nothing to count
    expect(refused).toHaveBeenCalledTimes(1);
  });

  describe('on a real net.Server', () => {
    let server: Server | undefined;
    const sockets: Socket[] = [];
    afterEach(async () => {
      for (const s of sockets.splice(0)) s.destroy();
      await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    });

    it('lets 3 connections from one address stay open and closes the 4th at once', async () => {
      server = createServer(() => {});
      const cap = capConnectionsPerClient(server, 3);
      await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as { port: number };
      const open = () =>
        new Promise<{ socket: Socket; closed: Promise<void> }>((resolve) => {
          const socket = connect({ port, host: '127.0.0.1' }, () => resolve({ socket, closed }));
          const closed = new Promise<void>((done) => socket.once('close', () => done()));
          socket.on('error', () => {});
          sockets.push(socket);
        });
      const kept = [await open(), await open(), await open()];
      const fourth = await open();
      await fourth.closed;
      expect(kept.map((k) => k.socket.destroyed)).toStrictEqual([false, false, false]);
      expect(cap.openFrom('127.0.0.1')).toBe(3);
    });
  });
});

describe('createRefusalReporter', () => {
  it('reports the counts once per window, never per connection', () => {
    vi.useFakeTimers();
    try {
      const reports: unknown[] = [];
      const reporter = createRefusalReporter((counts) => reports.push(counts), 1000);
      for (let i = 0; i < 500; i++) reporter.refused('per_client_cap');
      reporter.refused('server_cap');
      expect(reports).toStrictEqual([]);
      vi.advanceTimersByTime(1000);
      expect(reports).toStrictEqual([{ per_client_cap: 500, server_cap: 1 }]);
      vi.advanceTimersByTime(5000);
      expect(reports).toHaveLength(1); // nothing new, nothing reported
      reporter.refused('server_cap');
      reporter.flush();
      expect(reports).toStrictEqual([
        { per_client_cap: 500, server_cap: 1 },
        { per_client_cap: 0, server_cap: 1 },
      ]);
    } finally {
      vi.useRealTimers();
    }
  });
});
