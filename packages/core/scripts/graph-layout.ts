// Lays out the workflow graph with elkjs. Run at build time only (`pnpm nx run core:graph-layout` writes
// src/graph/layout.generated.ts); the layout test runs it again to prove the committed file is what ELK makes.
// elkjs stays a devDependency: nothing under src/ imports this file.
import { createRequire } from 'node:module';
import type { ELK as ElkApi, ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import type { WorkflowDescription } from '../src/graph/describe.js';
import {
  REGENERATE_LAYOUT_COMMAND,
  startEdgeId,
  startId,
  type LayoutEdge,
  type LayoutNode,
  type WorkflowLayout,
} from '../src/graph/layout.js';
import {
  CONTAINER_TITLE_HEIGHT,
  EDGE_LABEL_HEIGHT,
  FONT_SIZE,
  MIN_STATE_WIDTH,
  START_SIZE,
  STATE_HEIGHT,
  textWidth,
} from '../src/graph/metrics.js';

// elkjs is CommonJS whose typings describe an ES default export; require() gives the constructor either way.
const ELK = createRequire(import.meta.url)('elkjs/lib/elk.bundled.js') as new () => ElkApi;

const ROOT_OPTIONS = {
  'elk.algorithm': 'layered',
  'elk.direction': 'DOWN',
  'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  'elk.layered.crossingMinimization.forceNodeModelOrder': 'true',
  // Break cycles against declaration order, so a retry loop points back up and states read top to bottom.
  'elk.layered.cycleBreaking.strategy': 'MODEL_ORDER',
  'elk.spacing.nodeNode': '36',
  'elk.layered.spacing.nodeNodeBetweenLayers': '34',
  'elk.spacing.edgeNode': '18',
  'elk.spacing.edgeEdge': '14',
  'elk.layered.spacing.edgeNodeBetweenLayers': '16',
  'elk.spacing.edgeLabel': '4',
  'elk.edgeLabels.placement': 'CENTER',
  'elk.padding': '[top=16,left=16,bottom=16,right=16]',
  // Absolute coordinates for every shape and route, so the renderer needs no offsets.
  'elk.json.shapeCoords': 'ROOT',
  'elk.json.edgeCoords': 'ROOT',
};

// With INCLUDE_CHILDREN one layered pass places every level; a container only sets the room around its children.
// The regions of a parallel state come out side by side because nothing orders one region after the other.
const CONTAINER_OPTIONS = {
  'elk.padding': `[top=${CONTAINER_TITLE_HEIGHT + 8},left=16,bottom=16,right=16]`,
  'elk.spacing.nodeNode': '28',
};

/** The ELK graph of a workflow: containers for compound and parallel states, a start dot for each initial state. */
export function toElkGraph(description: WorkflowDescription): ElkNode {
  const root: ElkNode = { id: 'root', layoutOptions: ROOT_OPTIONS, children: [], edges: [] };
  const elkNodes = new Map<string, ElkNode>();
  const edges: ElkExtendedEdge[] = [];
  const parentOf = (id: string | undefined): ElkNode => (id === undefined ? root : elkNodes.get(id)!);

  for (const node of description.nodes) {
    const parent = parentOf(node.parent);
    const hasChildren = description.nodes.some((child) => child.parent === node.id);
    if (node.initial) {
      // The dot sits in the same container as its state, so the arrow stays inside the container.
      parent.children!.push({ id: startId(node.id), width: START_SIZE, height: START_SIZE });
      edges.push({ id: startEdgeId(node.id), sources: [startId(node.id)], targets: [node.id] });
    }
    const elkNode: ElkNode = hasChildren
      ? { id: node.id, layoutOptions: CONTAINER_OPTIONS, children: [] }
      : { id: node.id, width: Math.max(MIN_STATE_WIDTH, textWidth(node.label, FONT_SIZE.state) + 36), height: STATE_HEIGHT };
    elkNodes.set(node.id, elkNode);
    parent.children!.push(elkNode);
  }
  for (const edge of description.edges) {
    edges.push({
      id: edge.id,
      sources: [edge.source],
      targets: [edge.target],
      labels: [{ id: `${edge.id}:label`, text: edge.label, width: textWidth(edge.label, FONT_SIZE.edge) + 8, height: EDGE_LABEL_HEIGHT }],
    });
  }
  // With INCLUDE_CHILDREN one layered pass places everything; edges may cross container borders from the root.
  root.edges = edges;
  return root;
}

// One decimal is plenty for pixels, and keeps the committed file readable.
const round = (n: number | undefined): number => Math.round((n ?? 0) * 10) / 10;

/** Lays out the workflow with elkjs and returns absolute boxes and routes. */
export async function layoutWorkflow(description: WorkflowDescription): Promise<WorkflowLayout> {
  const laidOut = await new ELK().layout(toElkGraph(description));
  const nodes: LayoutNode[] = [];
  const collectNodes = (parent: ElkNode) => {
    for (const child of parent.children ?? []) {
      nodes.push({ id: child.id, x: round(child.x), y: round(child.y), width: round(child.width), height: round(child.height) });
      collectNodes(child);
    }
  };
  collectNodes(laidOut);
  const edges: LayoutEdge[] = [];
  const collectEdges = (parent: ElkNode) => {
    for (const edge of parent.edges ?? []) {
      const section = edge.sections?.[0];
      if (section === undefined) throw new Error(`ELK did not route edge ${edge.id}`);
      const points = [section.startPoint, ...(section.bendPoints ?? []), section.endPoint].map((p) => [round(p.x), round(p.y)] as const);
      const label = edge.labels?.[0];
      edges.push({
        id: edge.id,
        points,
        ...(label ? { label: { x: round(label.x), y: round(label.y), width: round(label.width), height: round(label.height) } } : {}),
      });
    }
    for (const child of parent.children ?? []) collectEdges(child);
  };
  collectEdges(laidOut);
  return { width: round(laidOut.width), height: round(laidOut.height), nodes, edges };
}

/** The TypeScript module that holds a layout (prettier formats it afterwards). */
export function layoutModuleSource(layout: WorkflowLayout): string {
  return [
    `// Generated by packages/core/scripts/graph-layout.mjs from describeWorkflow() with elkjs: do not edit.`,
    `// Regenerate after changing the machine: ${REGENERATE_LAYOUT_COMMAND}`,
    `import type { WorkflowLayout } from './layout.js';`,
    ``,
    `/** The layout of the default workflow machine, made by elkjs at build time. */`,
    `export const WORKFLOW_LAYOUT: WorkflowLayout = ${JSON.stringify(layout)};`,
    ``,
  ].join('\n');
}
