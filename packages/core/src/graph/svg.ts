// Runtime-neutral SVG string building from the committed layout (elkjs never runs here). The output is meant to be
// inlined into HTML pages: no ids, no <style> (it would leak into the page), only presentation attributes.
import type { Application, HistoryEvent } from '../application.js';
import { defaultWorkflowDescription, type WorkflowDescription, type WorkflowNode } from './describe.js';
import { REGENERATE_LAYOUT_COMMAND, startEdgeId, startId, type LayoutBox, type LayoutEdge, type WorkflowLayout } from './layout.js';
import { WORKFLOW_LAYOUT } from './layout.generated.js';
import { FONT_FAMILY, FONT_SIZE, textWidth } from './metrics.js';
import { applicationPath, type ApplicationPath, type NodeMark } from './path.js';

interface Look {
  readonly fill: string;
  readonly stroke: string;
  readonly strokeWidth: number;
  readonly dash?: string | undefined;
  readonly text: string;
  /** The text that says the mark without colour. */
  readonly badge?: string;
}

const PLAIN: Look = { fill: '#ffffff', stroke: '#334155', strokeWidth: 1.5, text: '#0f172a' };
const CONTAINER: Look = { fill: '#f8fafc', stroke: '#64748b', strokeWidth: 1.25, text: '#334155' };

const MARK_LOOK: Readonly<Record<NodeMark, Look>> = {
  passed: { fill: '#dcfce7', stroke: '#15803d', strokeWidth: 2, text: '#14532d', badge: '✓ passed' },
  current: { fill: '#fef3c7', stroke: '#b45309', strokeWidth: 3, dash: '7 3', text: '#78350f', badge: '‖ waiting' },
  ended: { fill: '#dbeafe', stroke: '#1d4ed8', strokeWidth: 3.5, text: '#1e3a8a', badge: '■ ended here' },
  failed: { fill: '#fee2e2', stroke: '#b91c1c', strokeWidth: 3, dash: '3 2', text: '#7f1d1d', badge: '✗ failed' },
  unvisited: { fill: '#ffffff', stroke: '#cbd5e1', strokeWidth: 1, text: '#64748b' },
};

const FLAGGED_BADGE = '⚑ flagged';
const EDGE_COLOR = '#475569';
const TAKEN_COLOR = '#15803d';
const UNTAKEN_COLOR = '#a3b1c2';
const LEGEND_GAP = 14;
const LINE_HEIGHT = 17;

// Control characters, the two non-characters and lone surrogates: XML 1.0 cannot hold them, escaped or not.
const NOT_XML =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Escapes text for XML content and attribute values, and drops characters XML 1.0 cannot hold. */
export function escapeXml(text: string): string {
  return text
    .replace(NOT_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const n = (value: number): string => String(Math.round(value * 10) / 10);
const attrs = (pairs: Record<string, string | number | undefined>): string =>
  Object.entries(pairs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${typeof v === 'number' ? n(v) : escapeXml(v as string)}"`)
    .join('');

const text = (
  x: number,
  y: number,
  content: string,
  options: { size: number; fill: string; anchor?: string | undefined; weight?: string | undefined },
) =>
  `<text${attrs({
    x,
    y,
    'font-family': FONT_FAMILY,
    'font-size': options.size,
    'font-weight': options.weight,
    fill: options.fill,
    'text-anchor': options.anchor,
  })}>${escapeXml(content)}</text>`;

const rect = (box: LayoutBox, look: Look, radius: number, extra: Record<string, string | number | undefined> = {}) =>
  `<rect${attrs({
    x: box.x,
    y: box.y,
    width: box.width,
    height: box.height,
    rx: radius,
    fill: look.fill,
    stroke: look.stroke,
    'stroke-width': look.strokeWidth,
    'stroke-dasharray': look.dash,
    ...extra,
  })}/>`;

/** Shortens `text` with an ellipsis until it fits `width` px at `size`. */
function fit(content: string, width: number, size: number): string {
  if (textWidth(content, size) <= width) return content;
  let cut = [...content];
  while (cut.length > 1 && textWidth(`${cut.join('')}…`, size) > width) cut = cut.slice(0, -1);
  return `${cut.join('')}…`;
}

function arrow(points: readonly (readonly [number, number])[], color: string, width: number): string {
  const path = points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${n(x)} ${n(y)}`).join(' ');
  const [x2, y2] = points.at(-1)!;
  const [x1, y1] = points.at(-2) ?? points.at(-1)!;
  const length = Math.hypot(x2 - x1, y2 - y1) || 1;
  const [dx, dy] = [(x2 - x1) / length, (y2 - y1) / length];
  const size = 3.2 + width * 0.6;
  const head = [
    [x2, y2],
    [x2 - dx * size * 2.2 - dy * size, y2 - dy * size * 2.2 + dx * size],
    [x2 - dx * size * 2.2 + dy * size, y2 - dy * size * 2.2 - dx * size],
  ]
    .map(([x, y]) => `${n(x!)},${n(y!)}`)
    .join(' ');
  return (
    `<path${attrs({ d: path, fill: 'none', stroke: color, 'stroke-width': width, 'stroke-linejoin': 'round' })}/>` +
    `<polygon${attrs({ points: head, fill: color })}/>`
  );
}

interface Scene {
  readonly description: WorkflowDescription;
  readonly layout: WorkflowLayout;
  readonly path?: ApplicationPath;
}

/** The layout of a node, or an error that says how to bring the committed layout up to date. */
function boxOf(layout: WorkflowLayout, id: string): LayoutBox {
  const box = layout.nodes.find((node) => node.id === id);
  if (!box) throw new Error(`the workflow layout has no node '${id}': regenerate it with ${REGENERATE_LAYOUT_COMMAND}`);
  return box;
}

function edgeOf(layout: WorkflowLayout, id: string): LayoutEdge {
  const edge = layout.edges.find((e) => e.id === id);
  if (!edge) throw new Error(`the workflow layout has no edge '${id}': regenerate it with ${REGENERATE_LAYOUT_COMMAND}`);
  return edge;
}

function nodeTitle(node: WorkflowNode, scene: Scene): string {
  const kind = { atomic: 'state', compound: 'compound state', parallel: 'parallel state', final: 'final state', history: 'history state' }[
    node.type
  ];
  const mark = scene.path?.marks[node.id];
  const notes = scene.path?.notes[node.id] ?? [];
  return [`${node.id} (${kind})${mark ? `: ${mark}` : ''}`, ...notes].join('\n');
}

function renderContainer(node: WorkflowNode, scene: Scene): string {
  const box = boxOf(scene.layout, node.id);
  const mark = scene.path?.marks[node.id];
  const isRegion = scene.description.nodes.find((p) => p.id === node.parent)?.type === 'parallel';
  const base =
    mark === undefined
      ? CONTAINER
      : mark === 'unvisited'
        ? { ...CONTAINER, stroke: MARK_LOOK.unvisited.stroke }
        : mark === 'passed'
          ? { ...CONTAINER, stroke: MARK_LOOK.passed.stroke, strokeWidth: 2 }
          : MARK_LOOK[mark];
  const look = isRegion ? { ...base, fill: '#ffffff', dash: '7 4' } : base;
  const title =
    node.type === 'parallel' ? `${node.label} (parallel: both regions run at once)` : isRegion ? `${node.label} region` : node.label;
  const badge = mark === undefined ? undefined : MARK_LOOK[mark].badge;
  return (
    `<g${attrs({ class: `bank-graph-node bank-graph-container${mark ? ` bank-graph-${mark}` : ''}`, 'data-state': node.id, 'data-mark': mark })}>` +
    `<title>${escapeXml(nodeTitle(node, scene))}</title>` +
    rect(box, look, 14) +
    text(box.x + 14, box.y + 21, title, { size: FONT_SIZE.title, fill: look.text, weight: '600' }) +
    (badge
      ? text(box.x + box.width - 14, box.y + 21, badge, {
          size: FONT_SIZE.badge,
          fill: MARK_LOOK[mark!].text,
          anchor: 'end',
          weight: '600',
        })
      : '') +
    `</g>`
  );
}

function renderState(node: WorkflowNode, scene: Scene): string {
  const box = boxOf(scene.layout, node.id);
  const mark = scene.path?.marks[node.id];
  const look = mark === undefined ? PLAIN : MARK_LOOK[mark];
  const flagged = scene.path?.flagged.includes(node.id) === true;
  const badge = flagged && mark === 'passed' ? FLAGGED_BADGE : look.badge;
  const cx = box.x + box.width / 2;
  const inner = { x: box.x + 4, y: box.y + 4, width: box.width - 8, height: box.height - 8 };
  return (
    `<g${attrs({ class: `bank-graph-node bank-graph-${node.type}${mark ? ` bank-graph-${mark}` : ''}`, 'data-state': node.id, 'data-mark': mark })}>` +
    `<title>${escapeXml(nodeTitle(node, scene))}</title>` +
    rect(box, look, 12) +
    // A final state is double-bordered, as in UML state diagrams.
    (node.type === 'final'
      ? rect(inner, { ...look, fill: 'none', strokeWidth: Math.min(look.strokeWidth, 1.5), dash: undefined }, 9)
      : '') +
    text(cx, badge ? box.y + 22 : box.y + box.height / 2 + 4.5, node.label, {
      size: FONT_SIZE.state,
      fill: look.text,
      anchor: 'middle',
      weight: '600',
    }) +
    (badge ? text(cx, box.y + 38, badge, { size: FONT_SIZE.badge, fill: flagged ? '#9a3412' : look.text, anchor: 'middle' }) : '') +
    `</g>`
  );
}

function renderEdge(edge: { id: string; source: string; target: string; label: string }, scene: Scene): string {
  const layout = edgeOf(scene.layout, edge.id);
  const taken = scene.path === undefined ? undefined : scene.path.edges.includes(edge.id);
  const color = taken === undefined ? EDGE_COLOR : taken ? TAKEN_COLOR : UNTAKEN_COLOR;
  return (
    `<g${attrs({ class: `bank-graph-edge${taken ? ' bank-graph-taken' : ''}`, 'data-edge': edge.id, 'data-taken': taken === undefined ? undefined : String(taken) })}>` +
    `<title>${escapeXml(`${edge.source} → ${edge.target}: ${edge.label}${taken ? ' (taken)' : ''}`)}</title>` +
    arrow(layout.points, color, taken ? 2.75 : 1.4) +
    `</g>`
  );
}

function renderEdgeLabel(edge: { id: string; label: string }, scene: Scene): string {
  const box = edgeOf(scene.layout, edge.id).label;
  if (!box) return '';
  const taken = scene.path?.edges.includes(edge.id);
  const fill = scene.path === undefined ? '#334155' : taken ? '#14532d' : '#64748b';
  return (
    `<g class="bank-graph-edge-label">` +
    rect(box, { fill: '#ffffff', stroke: 'none', strokeWidth: 0, text: fill }, 3, { 'fill-opacity': 0.9 }) +
    text(box.x + box.width / 2, box.y + box.height / 2 + 3.7, edge.label, {
      size: FONT_SIZE.edge,
      fill,
      anchor: 'middle',
      weight: taken ? '600' : undefined,
    }) +
    `</g>`
  );
}

function renderStarts(scene: Scene): string {
  return scene.description.nodes
    .filter((node) => node.initial)
    .map((node) => {
      const dot = boxOf(scene.layout, startId(node.id));
      const line = edgeOf(scene.layout, startEdgeId(node.id));
      return (
        `<g class="bank-graph-start"><title>${escapeXml(`start: ${node.id} is entered first`)}</title>` +
        `<circle${attrs({ cx: dot.x + dot.width / 2, cy: dot.y + dot.height / 2, r: dot.width / 2, fill: '#0f172a' })}/>` +
        arrow(line.points, '#0f172a', 1.4) +
        `</g>`
      );
    })
    .join('');
}

interface LegendItem {
  readonly sample: (x: number, y: number) => string;
  readonly sampleWidth: number;
  readonly caption: string;
}

/** A legend entry showing an arrow drawn as the graph draws its transitions. */
const arrowSample = (color: string, width: number, caption: string): LegendItem => ({
  sample: (x, y) =>
    arrow(
      [
        [x, y + 13],
        [x + 40, y + 13],
      ],
      color,
      width,
    ),
  sampleWidth: 40,
  caption,
});

function legendItems(marked: boolean): LegendItem[] {
  const box =
    (look: Look, label: string, final = false) =>
    (x: number, y: number) => {
      const b = { x, y, width: 86, height: 26 };
      return (
        rect(b, look, 8) +
        (final
          ? rect({ x: x + 3, y: y + 3, width: 80, height: 20 }, { ...look, fill: 'none', strokeWidth: 1.2, dash: undefined }, 6)
          : '') +
        text(x + 43, y + 17, label, { size: FONT_SIZE.badge, fill: look.text, anchor: 'middle', weight: '600' })
      );
    };
  if (marked) {
    return [
      ...(['passed', 'current', 'ended', 'failed'] as const).map((mark) => ({
        sample: box(MARK_LOOK[mark], MARK_LOOK[mark].badge!),
        sampleWidth: 86,
        caption: { passed: 'entered and left', current: 'waits here now', ended: 'finished here', failed: 'failed here' }[mark],
      })),
      { sample: box(MARK_LOOK.unvisited, 'state'), sampleWidth: 86, caption: 'not entered' },
      { sample: box(MARK_LOOK.passed, FLAGGED_BADGE), sampleWidth: 86, caption: 'check result flagged it' },
      arrowSample(TAKEN_COLOR, 2.75, 'transition taken'),
    ];
  }
  return [
    { sample: box(PLAIN, 'state'), sampleWidth: 86, caption: 'state' },
    { sample: box(PLAIN, 'final', true), sampleWidth: 86, caption: 'final state (double border)' },
    { sample: box({ ...CONTAINER, fill: '#ffffff', dash: '7 4' }, 'region'), sampleWidth: 86, caption: 'parallel region' },
    {
      sample: (x, y) => `<circle${attrs({ cx: x + 6, cy: y + 13, r: 6, fill: '#0f172a' })}/>`,
      sampleWidth: 12,
      caption: 'start: the initial state',
    },
    arrowSample(EDGE_COLOR, 1.4, 'transition: event [guard]'),
  ];
}

/** Lays legend items out in rows across `width`; returns the markup and the height used. */
function renderLegend(items: LegendItem[], top: number, width: number): { svg: string; height: number } {
  let x = 16;
  let y = top + 22;
  const parts = [text(16, top + 12, 'Legend', { size: FONT_SIZE.title, fill: '#334155', weight: '600' })];
  for (const item of items) {
    const itemWidth = item.sampleWidth + 8 + textWidth(item.caption, FONT_SIZE.edge) + 22;
    if (x + itemWidth > width - 16 && x > 16) {
      x = 16;
      y += 34;
    }
    parts.push(item.sample(x, y), text(x + item.sampleWidth + 8, y + 17, item.caption, { size: FONT_SIZE.edge, fill: '#334155' }));
    x += itemWidth;
  }
  return { svg: `<g class="bank-graph-legend">${parts.join('')}</g>`, height: y + 30 - top };
}

function renderNotes(scene: Scene, top: number, width: number): { svg: string; height: number } {
  const path = scene.path;
  if (path === undefined) return { svg: '', height: 0 };
  const lines = scene.description.nodes.flatMap((node) => (path.notes[node.id] ?? []).map((note) => `${node.id}: ${note}`));
  if (lines.length === 0) return { svg: '', height: 0 };
  const parts = [text(16, top + 12, 'What happened', { size: FONT_SIZE.title, fill: '#334155', weight: '600' })];
  lines.forEach((line, i) => {
    parts.push(
      `<g><title>${escapeXml(line)}</title>${text(16, top + 32 + i * LINE_HEIGHT, fit(line, width - 32, FONT_SIZE.edge + 1), { size: FONT_SIZE.edge + 1, fill: '#0f172a' })}</g>`,
    );
  });
  return { svg: `<g class="bank-graph-notes">${parts.join('')}</g>`, height: 24 + lines.length * LINE_HEIGHT };
}

function render(scene: Scene, title: string, desc: string): string {
  const { description, layout } = scene;
  const depth = (node: WorkflowNode): number => {
    let d = 0;
    for (let p = node.parent; p !== undefined; p = description.nodes.find((q) => q.id === p)?.parent) d++;
    return d;
  };
  const containers = description.nodes.filter((node) => description.nodes.some((child) => child.parent === node.id));
  const states = description.nodes.filter((node) => !containers.includes(node));
  const legend = renderLegend(legendItems(scene.path !== undefined), layout.height + LEGEND_GAP, layout.width);
  const notes = renderNotes(scene, layout.height + LEGEND_GAP + legend.height + 8, layout.width);
  const width = layout.width;
  const height = layout.height + LEGEND_GAP + legend.height + (notes.height > 0 ? notes.height + 16 : 0) + 8;
  // Containers under edges under states; labels last so no line crosses them.
  return (
    `<svg${attrs({
      xmlns: 'http://www.w3.org/2000/svg',
      class: 'bank-graph',
      viewBox: `0 0 ${n(width)} ${n(height)}`,
      width,
      height,
      role: 'img',
    })}>` +
    `<title>${escapeXml(title)}</title><desc>${escapeXml(desc)}</desc>` +
    `<rect${attrs({ x: 0, y: 0, width, height, fill: '#ffffff' })}/>` +
    [...containers]
      .sort((a, b) => depth(a) - depth(b))
      .map((node) => renderContainer(node, scene))
      .join('') +
    renderStarts(scene) +
    description.edges.map((edge) => renderEdge(edge, scene)).join('') +
    states.map((node) => renderState(node, scene)).join('') +
    description.edges.map((edge) => renderEdgeLabel(edge, scene)).join('') +
    legend.svg +
    notes.svg +
    `</svg>`
  );
}

let plain: string | undefined;

/**
 * The workflow as a self-contained SVG state diagram: states, the parallel check regions side by side,
 * transitions with their events, and a legend. Laid out at build time by elkjs; this only builds a string.
 * @example
 * ```ts
 * import { renderWorkflowSvg } from '@bank/core';
 * const svg = renderWorkflowSvg(); // '<svg xmlns="http://www.w3.org/2000/svg" … role="img">…</svg>'
 * ```
 */
export function renderWorkflowSvg(): string {
  const description = defaultWorkflowDescription();
  plain ??= render(
    { description, layout: WORKFLOW_LAYOUT },
    'The bank account application workflow',
    `A state diagram of the workflow machine with ${description.nodes.length} states and ${description.edges.length} transitions: ` +
      'the name and address checks run in parallel regions of the checking state; then review is required or not; ' +
      'a flagged application waits in pendingReview for a reviewer; it ends approved, rejected or unprocessable, or fails.',
  );
  return plain;
}

/**
 * The workflow as a self-contained SVG with an application's path marked: every state carries `data-state` (its
 * id) and `data-mark` (`passed`, `current`, `ended`, `failed` or `unvisited`), a text badge for the mark, and a
 * `<title>` with the check results, reasons and review; taken transitions are drawn thick and carry `data-taken="true"`.
 * @param application The application.
 * @param history Its history, as `Runtime.history` returns it.
 * @example
 * ```ts
 * import { createMemoryStore, createRuntime, renderApplicationSvg } from '@bank/core';
 * const runtime = createRuntime({ store: createMemoryStore() });
 * const spock = await runtime.submit({ name: 'Spock', address: '123 Enterprise Street' });
 * const svg = renderApplicationSvg(spock, await runtime.history(spock.id)); // approved marked data-mark="ended"
 * ```
 */
export function renderApplicationSvg(application: Application, history: readonly HistoryEvent[]): string {
  const description = defaultWorkflowDescription();
  const path = applicationPath(application, history);
  const where = path.at.map((id) => `${id} (${path.marks[id]})`).join(' and ') || 'nowhere yet';
  const notes = description.nodes.flatMap((node) => (path.notes[node.id] ?? []).map((note) => `${node.id}: ${note}.`));
  return render(
    { description, layout: WORKFLOW_LAYOUT, path },
    `The workflow path of application ${application.id}: ${application.state}`,
    [`Passed through ${path.visited.join(', ')}.`, `Now at ${where}.`, ...notes].join(' '),
  );
}
