import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DomainError, renderWorkflowSvg } from '@bank/core';
import { parseCommand, print, withBackend } from '../context.js';
import { EXIT_OK } from '../exit-codes.js';
import { printable } from '../printable.js';
import { GLOBAL_HELP, type Command } from './command.js';

// An SVG holds no character a terminal acts on unless a (remote) server put one there: replace any such, so piping
// a graph to a terminal by mistake cannot drive it. XML cannot hold C0 controls anyway.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const TERMINAL_CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;

/** `bank graph [<id>] [--out file.svg]`: the workflow diagram, or an application's path through it, as SVG. */
export const graph: Command = {
  help: `Usage: bank graph [<id>] [--out <file.svg>]

Writes the workflow as an SVG state diagram to standard output. With an application id, the diagram marks the
path it took: passed states, the state it waits in, where it ended, with check results and reasons.
Remote mode fetches the SVG from the API (GET /machine.svg, or GET /applications/<id>/graph.svg with --token).

Options:
  --out <file>      write the SVG to this file instead, and print its path

${GLOBAL_HELP}`,
  async run(argv, ctx) {
    const { values, positionals } = parseCommand(argv, { out: { type: 'string' } }, 1);
    const id = positionals[0];
    const remote = (values.api ?? ctx.io.env.BANK_API_URL ?? '') !== '';
    // The plain diagram is static: embedded, it needs no store (and so creates none).
    const svg = id === undefined && !remote ? renderWorkflowSvg() : await withBackend(ctx, values, (backend) => backend.graph(id));
    if (values.out === undefined) {
      print(ctx.io, values.json, { svg }, () => svg.replace(TERMINAL_CONTROLS, '\uFFFD').replace(/\n$/, ''));
      return EXIT_OK;
    }
    const path = resolve(ctx.io.cwd, values.out);
    await writeFile(path, svg).catch((e: unknown) => {
      throw new DomainError('invalid_input', `--out: cannot write ${path}: ${(e as Error).message}`);
    });
    print(ctx.io, values.json, { out: path }, () => printable(path));
    return EXIT_OK;
  },
};
