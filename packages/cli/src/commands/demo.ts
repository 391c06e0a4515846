import type { Application } from '@bank/core';
import { EXIT_OK } from '../exit-codes.js';
import { parseCommand, print, withBackend } from '../context.js';
import { suggestedCommand } from '../invocation.js';
import { formatApplication, palette } from '../format.js';
import { GLOBAL_HELP, type Command } from './command.js';

/** The reference applications every release must get right. */
export const REFERENCE_APPLICATIONS = [
  { name: 'Spock', address: '123 Enterprise Street' },
  { name: 'Gabe', address: 'ABadAddress' },
  { name: 'UNPROCESSABLE_DATA', address: '123 Street' },
] as const;

/** `bank demo`: the three reference applications, and a review of the flagged one. */
export const demo: Command = {
  help: `Usage: bank demo

Submits the reference applications (Spock is approved, Gabe is flagged for review, UNPROCESSABLE_DATA is
flagged as unprocessable), approves Gabe as a reviewer would (recorded as bank-demo embedded, or as the
name bound to the token through the API), and prints every outcome. Each run adds three applications to
the database (see them with bank list).

${GLOBAL_HELP}`,
  async run(argv, ctx) {
    const { values } = parseCommand(argv, {});
    const p = palette(ctx.io.color);
    return withBackend(ctx, values, async (backend) => {
      const steps: { step: string; application: Application }[] = [];
      const show = (step: string, application: Application) => {
        steps.push({ step, application });
        if (!values.json)
          ctx.io.out(`${p.bold(`▶ ${step}`)}\n${formatApplication(application, ctx.io.color, suggestedCommand(ctx.io.env, values))}\n`);
      };
      const submitted: Application[] = [];
      for (const input of REFERENCE_APPLICATIONS) {
        const application = await backend.submit(input);
        submitted.push(application);
        show(`submit ${JSON.stringify(input)}`, application);
      }
      const flagged = submitted.find((a) => a.state === 'FLAGGED_FOR_REVIEW');
      if (flagged) show(`review ${flagged.id} --decision APPROVE`, await backend.review(flagged.id, 'APPROVE', { reviewer: 'bank-demo' }));
      if (values.json) print(ctx.io, true, { steps }, () => '');
      return EXIT_OK;
    });
  },
};
