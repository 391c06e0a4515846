import { APPLICATION_STATES, type ApplicationPage } from '@bank/core';
import { CONSOLE_PATH, html, page, type Html, type Viewer } from './layout.js';
import { formatTime, stateBadge } from './format.js';

/** The filter value that lists every state. */
export const ALL_STATES = 'ALL';

/** The state the list shows when none is asked for: what waits for a reviewer. */
export const DEFAULT_STATE = 'FLAGGED_FOR_REVIEW';

/** How often the list asks for new entries. */
export const POLL_INTERVAL_MS = 5000;

/** What the list shows: a state (or {@link ALL_STATES}), the cursor of the page, and the page itself. */
export interface ListView {
  readonly state: string;
  readonly cursor?: string | undefined;
  readonly page: ApplicationPage;
}

/** The URL of one page of the list. */
export function listUrl(state: string, cursor?: string, fragment = false): string {
  const query = new URLSearchParams({ state });
  if (cursor !== undefined) query.set('cursor', cursor);
  if (fragment) query.set('fragment', '1');
  return `${CONSOLE_PATH}/applications?${query.toString()}`;
}

const describeState = (state: string) => (state === ALL_STATES ? 'all states' : state);

/** The part of the list page that polling replaces: the entries and the pager. */
export function listResults({ state, cursor, page: list }: ListView): Html {
  const count = list.items.length;
  return html`<div id="results" data-poll="${listUrl(state, cursor, true)}" data-poll-ms="${POLL_INTERVAL_MS}">
    <p class="meta">${count === 0 ? 'No applications' : count === 1 ? '1 application' : `${count} applications`} on this page.</p>
    <ul class="apps">
      ${list.items.map(
        (a) =>
          html`<li data-id="${a.id}">
            <a href="${CONSOLE_PATH}/applications/${encodeURIComponent(a.id)}">${a.name}</a>
            <p class="meta">${a.address}</p>
            <p class="meta">${stateBadge(a.state)} submitted ${formatTime(a.createdAt)}</p>
          </li> `,
      )}
    </ul>
    <nav class="pager" aria-label="Pages">
      ${cursor === undefined ? '' : html`<a href="${listUrl(state)}">First page</a>`}
      ${list.nextCursor === undefined ? '' : html`<a href="${listUrl(state, list.nextCursor)}" rel="next">Next page</a>`}
    </nav>
  </div>`;
}

/** The list page: a state filter, the entries (polled for new ones) and the pager. */
export function listPage(nonce: string, viewer: Viewer, view: ListView): Html {
  const options = [DEFAULT_STATE, ...APPLICATION_STATES.filter((s) => s !== DEFAULT_STATE), ALL_STATES];
  const heading = view.state === DEFAULT_STATE ? 'Applications waiting for review' : `Applications: ${describeState(view.state)}`;
  return page({
    title: heading,
    nonce,
    viewer,
    main: html`<h1>${heading}</h1>
      <form method="get" action="${CONSOLE_PATH}/applications" class="filters">
        <div>
          <label for="state">State</label>
          <select id="state" name="state">
            ${options.map((s) => html`<option value="${s}" ${s === view.state ? html` selected` : ''}>${s === ALL_STATES ? 'All states' : s}</option>`)}
          </select>
        </div>
        <button type="submit">Show</button>
      </form>
      <h2 class="visually-hidden">Results</h2>
      ${listResults(view)}`,
  });
}
