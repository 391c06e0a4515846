import { describe, expect, it } from 'vitest';
import { layoutWorkflow } from '../../scripts/graph-layout.js';
import { describeWorkflow } from './describe.js';
import { REGENERATE_LAYOUT_COMMAND, startEdgeId, startId, type LayoutBox } from './layout.js';
import { WORKFLOW_LAYOUT } from './layout.generated.js';

const description = describeWorkflow();
const box = (id: string): LayoutBox => {
  const found = WORKFLOW_LAYOUT.nodes.find((node) => node.id === id);
  if (!found) throw new Error(`no box for ${id}`);
  return found;
};
const inside = (inner: LayoutBox, outer: LayoutBox) =>
  inner.x >= outer.x &&
  inner.y >= outer.y &&
  inner.x + inner.width <= outer.x + outer.width &&
  inner.y + inner.height <= outer.y + outer.height;
const overlap = (a: LayoutBox, b: LayoutBox) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe('the committed workflow layout (layout.generated.ts)', () => {
  it('covers exactly the nodes and edges of the machine', () => {
    const initial = description.nodes.filter((node) => node.initial).map((node) => node.id);
    const expectedNodes = [...description.nodes.map((node) => node.id), ...initial.map(startId)].sort();
    const expectedEdges = [...description.edges.map((edge) => edge.id), ...initial.map(startEdgeId)].sort();
    const stale = `the machine changed since the layout was generated: run ${REGENERATE_LAYOUT_COMMAND} and commit src/graph/layout.generated.ts`;
    expect(WORKFLOW_LAYOUT.nodes.map((node) => node.id).sort(), stale).toStrictEqual(expectedNodes);
    expect(WORKFLOW_LAYOUT.edges.map((edge) => edge.id).sort(), stale).toStrictEqual(expectedEdges);
  });

  it('is what elkjs makes from the machine today', async () => {
    const fresh = await layoutWorkflow(description);
    expect(fresh, `the committed layout is not what elkjs makes now: run ${REGENERATE_LAYOUT_COMMAND}`).toStrictEqual(WORKFLOW_LAYOUT);
  });

  it('nests states in their containers, puts the two check regions side by side, and overlaps no two states', () => {
    for (const node of description.nodes) {
      if (node.parent !== undefined) expect(inside(box(node.id), box(node.parent)), `${node.id} inside ${node.parent}`).toBe(true);
      expect(inside(box(node.id), { x: 0, y: 0, width: WORKFLOW_LAYOUT.width, height: WORKFLOW_LAYOUT.height })).toBe(true);
    }
    const name = box('checking.name');
    const address = box('checking.address');
    expect(name.x + name.width).toBeLessThanOrEqual(address.x);
    expect(overlap({ ...name, x: address.x }, address)).toBe(true); // same band of rows
    const atoms = description.nodes.filter((node) => !description.nodes.some((child) => child.parent === node.id));
    for (const a of atoms) for (const b of atoms) if (a !== b) expect(overlap(box(a.id), box(b.id)), `${a.id} / ${b.id}`).toBe(false);
    for (const edge of WORKFLOW_LAYOUT.edges) expect(edge.points.length, edge.id).toBeGreaterThanOrEqual(2);
  });
});
