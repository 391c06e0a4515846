/** A rectangle in the graph's coordinates (px, origin top left). */
export interface LayoutBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Where a state node (or a start dot, id `start:<state id>`) is drawn. */
export interface LayoutNode extends LayoutBox {
  readonly id: string;
}

/** Where a transition (or the arrow from a start dot) is drawn: a polyline from source to target, and its label. */
export interface LayoutEdge {
  readonly id: string;
  /** Start point, bend points, end point. */
  readonly points: readonly (readonly [number, number])[];
  /** The label's box, when the edge has a label. */
  readonly label?: LayoutBox;
}

/** A laid-out workflow: every node and edge of a `WorkflowDescription` plus start dots, in one coordinate space. */
export interface WorkflowLayout {
  readonly width: number;
  readonly height: number;
  readonly nodes: readonly LayoutNode[];
  readonly edges: readonly LayoutEdge[];
}

/** The id of the start dot that points at an initial state. */
export const startId = (stateId: string): string => `start:${stateId}`;

/** The id of the arrow from a start dot to its initial state. */
export const startEdgeId = (stateId: string): string => `start:${stateId}->${stateId}`;

/** The command that regenerates `layout.generated.ts` after the machine changed. */
export const REGENERATE_LAYOUT_COMMAND = 'npx -y pnpm@10.34.9 nx run core:graph-layout';
