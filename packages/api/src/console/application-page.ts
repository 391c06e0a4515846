import type { Application, HistoryEvent } from '@bank/core';
import { formatTime, stateBadge } from './format.js';
import { CONSOLE_PATH, csrfField, html, page, raw, type Html, type Viewer } from './layout.js';
import { timeline } from './timeline.js';

/** A message at the top of the application page: an alert (a conflict) or a status (a decision recorded). */
export interface Notice {
  readonly kind: 'alert' | 'status';
  readonly text: string;
}

/** What the application page shows. */
export interface ApplicationView {
  readonly application: Application;
  readonly history: readonly HistoryEvent[];
  /** The workflow graph with this application's path marked: a self-contained SVG from `@bank/core`. */
  readonly graphSvg: string;
  /** The states the application went through, in order. */
  readonly path: readonly string[];
  readonly notice?: Notice | undefined;
}

/** Where one application's page is. */
export const applicationUrl = (id: string): string => `${CONSOLE_PATH}/applications/${encodeURIComponent(id)}`;

const checkLine = (label: string, result: { flagged: boolean; reason?: string } | undefined, unprocessable?: string): Html => {
  if (result === undefined) {
    return html`<li>
      <strong>${label}:</strong> ${unprocessable === undefined ? 'no result yet.' : html`could not be checked. ${unprocessable}`}
    </li>`;
  }
  return result.flagged
    ? html`<li><strong>${label}:</strong> flagged. ${result.reason ?? ''}</li>`
    : html`<li><strong>${label}:</strong> passed.</li>`;
};

/** A review's decision in words: `APPROVED by riker at …`. */
export function decisionText(application: Application): string {
  const review = application.review;
  if (review === undefined) return application.state;
  const outcome = review.decision === 'APPROVE' ? 'APPROVED' : 'REJECTED';
  return `${outcome} by ${review.reviewer ?? 'a reviewer'}`;
}

const reviewForm = (viewer: Viewer, application: Application, taskToken: string): Html =>
  html`<section aria-labelledby="review-h">
    <h2 id="review-h">Decide</h2>
    <form method="post" action="${applicationUrl(application.id)}/review" data-confirm data-applicant="${application.name}">
      ${csrfField(viewer)}<input type="hidden" name="taskToken" value="${taskToken}" />
      <label for="note">Note (optional)</label>
      <textarea id="note" name="note" maxlength="1000"></textarea>
      <div class="actions">
        <button type="submit" name="decision" value="APPROVE" class="approve">Approve</button>
        <button type="submit" name="decision" value="REJECT" class="reject">Reject</button>
      </div>
    </form>
    <dialog id="confirm-dialog" aria-labelledby="confirm-title" aria-describedby="confirm-text">
      <form method="dialog">
        <h2 id="confirm-title">Confirm your decision</h2>
        <p id="confirm-text"></p>
        <div class="actions">
          <button type="submit" value="confirm" id="confirm-yes">Yes</button><button type="submit" value="cancel">Cancel</button>
        </div>
      </form>
    </dialog>
  </section>`;

/** One application: its facts, both checks, the review form while it waits, the graph with its path, the history. */
export function applicationPage(nonce: string, viewer: Viewer, view: ApplicationView): Html {
  const { application: a, history, notice } = view;
  const checks = a.checks ?? {};
  const unprocessable = a.state === 'FLAGGED_WITH_UNPROCESSABLE_DATA' ? a.reason : undefined;
  const waiting = a.state === 'FLAGGED_FOR_REVIEW' && a.taskToken !== undefined;
  return page({
    title: `${a.name}: ${a.state}`,
    nonce,
    viewer,
    main: html`<p><a href="${CONSOLE_PATH}/applications">← Applications waiting for review</a></p>
      <h1>${a.name}</h1>
      ${
        notice === undefined
          ? ''
          : html`<div class="notice${notice.kind === 'alert' ? ' error' : ''}" role="${notice.kind}" id="notice">
              <p>${notice.text}</p>
            </div>`
      }
      <dl class="facts">
        <dt>Name</dt>
        <dd>${a.name}</dd>
        <dt>Address</dt>
        <dd>${a.address}</dd>
        <dt>State</dt>
        <dd id="state">${stateBadge(a.state)}</dd>
        <dt>Submitted</dt>
        <dd>${formatTime(a.createdAt)}</dd>
        <dt>Last change</dt>
        <dd>${formatTime(a.updatedAt)}</dd>
        ${
          a.review === undefined
            ? ''
            : html`<dt>Review</dt>
                <dd>
                  ${decisionText(a)}, ${formatTime(a.review.reviewedAt)}${a.review.note === undefined ? '' : html`. Note: ${a.review.note}`}
                </dd>`
        }
      </dl>
      <section aria-labelledby="checks-h">
        <h2 id="checks-h">Checks</h2>
        <ul class="checks">
          ${checkLine('Name check', checks.name, unprocessable)}
          ${checkLine('Address check', checks.address, checks.name === undefined ? undefined : unprocessable)}
        </ul>
      </section>
      ${waiting ? reviewForm(viewer, a, a.taskToken!) : ''}
      <section aria-labelledby="graph-h">
        <h2 id="graph-h">Workflow</h2>
        <figure>
          ${raw(view.graphSvg)}
          <figcaption id="path">Path: ${view.path.join(' → ')}</figcaption>
        </figure>
      </section>
      <section aria-labelledby="history-h">
        <h2 id="history-h">History</h2>
        ${timeline(history)}
      </section>`,
  });
}

/** The confirmation step for a browser without the script: the same form again, with `confirm=yes`. */
export function confirmPage(
  nonce: string,
  viewer: Viewer,
  application: Application,
  form: { decision: 'APPROVE' | 'REJECT'; taskToken: string; note: string | undefined },
): Html {
  const verb = form.decision === 'APPROVE' ? 'approve' : 'reject';
  return page({
    title: `Confirm: ${verb} ${application.name}`,
    nonce,
    viewer,
    main: html`<h1>Do you want to ${verb} the application of ${application.name}?</h1>
      <dl class="facts">
        <dt>Address</dt>
        <dd>${application.address}</dd>
        <dt>State</dt>
        <dd>${stateBadge(application.state)}</dd>
      </dl>
      <form method="post" action="${applicationUrl(application.id)}/review">
        ${csrfField(viewer)}<input type="hidden" name="taskToken" value="${form.taskToken}" />
        <input type="hidden" name="decision" value="${form.decision}" /><input type="hidden" name="confirm" value="yes" />
        ${form.note === undefined ? '' : html`<input type="hidden" name="note" value="${form.note}" />`}
        <div class="actions">
          <button type="submit" class="${form.decision === 'APPROVE' ? 'approve' : 'reject'}">Yes, ${verb}</button>
          <a class="button" href="${applicationUrl(application.id)}">Cancel</a>
        </div>
      </form>`,
  });
}

/** A page for what went wrong (a `404`, a bad filter, a store that is down), in words, with a way back. */
export function errorPage(nonce: string, viewer: Viewer | undefined, title: string, detail: string): Html {
  return page({
    title,
    nonce,
    viewer,
    main: html`<h1>${title}</h1>
      <p class="notice error" role="alert">${detail}</p>
      <p><a href="${CONSOLE_PATH}/applications">Back to the applications</a></p>`,
  });
}
