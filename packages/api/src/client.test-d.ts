// Type-level checks of the typed client, run by `tsc` (the typecheck target).
import type { Application } from '@bank/core';
import { hc, type InferRequestType, type InferResponseType } from 'hono/client';
import { expectTypeOf } from 'vitest';
import type { AppType } from './index.js';

const client = hc<AppType>('http://127.0.0.1:8787');

// Submitting takes the application input as JSON.
expectTypeOf<InferRequestType<typeof client.applications.$post>>().toEqualTypeOf<{ json: { name: string; address: string } }>();

// A created application has the fields of the core Application.
type Created = InferResponseType<typeof client.applications.$post, 201>;
expectTypeOf<Created['state']>().toEqualTypeOf<Application['state']>();
expectTypeOf<Created['execution']['status']>().toEqualTypeOf<Application['execution']['status']>();
expectTypeOf<keyof Created>().toEqualTypeOf<keyof Application>();

// Reviews need the id and a decision.
type ReviewRequest = InferRequestType<(typeof client.applications)[':id']['review']['$post']>;
expectTypeOf<ReviewRequest['param']>().toEqualTypeOf<{ id: string }>();
expectTypeOf<ReviewRequest['json']['decision']>().toEqualTypeOf<'APPROVE' | 'REJECT'>();

// The list is paged.
type Page = InferResponseType<typeof client.applications.$get, 200>;
expectTypeOf<Page['nextCursor']>().toEqualTypeOf<string | undefined>();
expectTypeOf<Page['items'][number]['id']>().toEqualTypeOf<string>();

// Problems are typed too.
type Conflict = InferResponseType<(typeof client.applications)[':id']['review']['$post'], 409>;
expectTypeOf<Conflict['code']>().toEqualTypeOf<string>();

// Never called: these lines only have to fail to compile.
export const _doesNotCompile = () => {
  // @ts-expect-error -- a decision outside the enum does not compile
  void client.applications[':id'].review.$post({ param: { id: 'x' }, json: { decision: 'MAYBE' } });
  // @ts-expect-error -- the body needs an address
  void client.applications.$post({ json: { name: 'Spock' } });
};
