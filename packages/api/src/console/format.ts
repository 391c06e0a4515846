import { html, type Html } from './layout.js';

/** An ISO time as a `<time>` element that reads the same everywhere: `2026-01-01 09:30:00 UTC`. */
export function formatTime(iso: string): Html {
  const readable = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/.test(iso) ? `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC` : iso;
  return html`<time datetime="${iso}">${readable}</time>`;
}

/** An application state as a badge: the state's name in words, its colour only a second cue. */
export const stateBadge = (state: string): Html => html`<span class="state state-${state}">${state}</span>`;
