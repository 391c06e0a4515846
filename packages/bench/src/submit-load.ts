/** The HTTP load the http, edge and pg cases share: autocannon on `POST /applications` with the Spock body. */
import autocannon from 'autocannon';
import { progress } from './child.js';
import type { RawFigure } from './stats.js';

/** Concurrent connections of every HTTP load. */
export const CONNECTIONS = 50;

/** The body every load submits. */
export const BODY = JSON.stringify({ name: 'Spock', address: '123 Enterprise Street' });

/** What one load measured. */
export interface Load {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
}

/**
 * Loads `POST /applications` of one server, or of several (connection i goes to server i mod n), for `seconds`.
 * @throws {Error} when any request failed, so a figure never hides errors.
 */
export async function loadSubmits(urls: string | readonly string[], seconds: number): Promise<Load> {
  const list = typeof urls === 'string' ? [urls] : urls;
  const result = await autocannon({
    // autocannon 9 takes an array of URLs (client i uses url[i % n]); its types only know a string.
    url: (list.length === 1 ? `${list[0]}/applications` : list.map((u) => `${u}/applications`)) as unknown as string,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: BODY,
    connections: CONNECTIONS,
    duration: seconds,
  });
  const bad = result.non2xx + result.errors + result.timeouts;
  if (bad > 0) throw new Error(`${list.join(', ')}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
  return { rps: result.requests.total / seconds, p50: result.latency.p50, p99: result.latency.p99 };
}

/**
 * Warms up both servers, then loads the floor and the API alternately for `runs` runs of `seconds`, and returns the
 * figures `<prefix>.floor`, `<prefix>.submit` (with its floor), `<prefix>.submit_p50` and `<prefix>.submit_p99`.
 */
export async function submitsAgainstFloor(
  prefix: string,
  floorUrl: string,
  apiUrl: string,
  runs: number,
  seconds: number,
): Promise<RawFigure[]> {
  await loadSubmits(floorUrl, 1);
  await loadSubmits(apiUrl, 1);
  const floorRps: number[] = [];
  const rps: number[] = [];
  const p50: number[] = [];
  const p99: number[] = [];
  for (let run = 1; run <= runs; run++) {
    const f = await loadSubmits(floorUrl, seconds);
    const a = await loadSubmits(apiUrl, seconds);
    floorRps.push(f.rps);
    rps.push(a.rps);
    p50.push(a.p50);
    p99.push(a.p99);
    progress(
      `${prefix} run ${run}/${runs}: floor ${f.rps.toFixed(0)} req/s (p99 ${f.p99} ms), POST /applications ${a.rps.toFixed(0)} req/s (p50 ${a.p50} ms, p99 ${a.p99} ms)`,
    );
  }
  return [
    { name: `${prefix}.floor`, unit: 'requests/s', values: floorRps },
    { name: `${prefix}.submit`, unit: 'requests/s', values: rps, floor: `${prefix}.floor` },
    { name: `${prefix}.submit_p50`, unit: 'ms', values: p50 },
    { name: `${prefix}.submit_p99`, unit: 'ms', values: p99 },
  ];
}
