import { describe, expect, it } from 'vitest';
import { createHarness, problemOf } from '../testing/harness.js';

const post = (path: string, body: unknown) => createHarness().request('POST', path, { body });

describe('POST /checks/name', () => {
  it.each([
    ['Spock', { flagged: false }],
    ['Dr. Evil', { flagged: false }], // the reference term is case-sensitive
    ['Devilish Knight', { flagged: true, reason: "Name contains the flagged term 'evil'." }],
  ])('checks %j', async (name, result) => {
    const res = await post('/checks/name', { name });
    expect(res.status).toBe(200);
    expect(await res.json()).toStrictEqual(result);
  });

  it('answers 422 for a name it cannot process, without quoting the name', async () => {
    const res = await post('/checks/name', { name: 'UNPROCESSABLE_DATA' });
    expect(res.status).toBe(422);
    const problem = await problemOf(res);
    expect(problem).toMatchObject({ code: 'unprocessable_data', status: 422, type: '/problems/unprocessable_data' });
    expect(JSON.stringify(problem)).not.toContain('UNPROCESSABLE_DATA');
  });

  it.each([
    [{}, ['name']],
    [{ name: 7 }, ['name']],
    [{ name: '   ' }, ['name']],
    [{ name: 'Spock', address: 'x' }, []],
    [{ address: '123 Street' }, ['name']],
  ])('rejects %j with a 400 naming %j', async (body, path) => {
    const res = await post('/checks/name', body);
    expect(res.status).toBe(400);
    expect((await problemOf(res)).issues).toContainEqual(expect.objectContaining({ path }));
  });
});

describe('POST /checks/address', () => {
  it.each([
    ['123 Enterprise Street', { flagged: false }],
    ['Main 1', { flagged: false }],
    ['ABadAddress', { flagged: true, reason: 'Address has no house number next to a street name.' }],
  ])('checks %j', async (address, result) => {
    const res = await post('/checks/address', { address });
    expect(res.status).toBe(200);
    expect(await res.json()).toStrictEqual(result);
  });

  it('rejects a missing address', async () => {
    const res = await post('/checks/address', { name: 'Spock' });
    expect(res.status).toBe(400);
    expect((await problemOf(res)).issues).toContainEqual(expect.objectContaining({ path: ['address'] }));
  });
});

describe('POST /data-checks', () => {
  it.each([
    [{ command: 'CHECK_NAME', data: { name: 'Spock' } }, { flagged: false }],
    [
      { command: 'CHECK_NAME', data: { name: 'evil' } },
      { flagged: true, reason: "Name contains the flagged term 'evil'." },
    ],
    [{ command: 'CHECK_ADDRESS', data: { address: '123 Street' } }, { flagged: false }],
    [
      { command: 'CHECK_ADDRESS', data: { address: 'Nowhere' } },
      { flagged: true, reason: 'Address has no house number next to a street name.' },
    ],
  ])('runs %j', async (command, result) => {
    const res = await post('/data-checks', command);
    expect(res.status).toBe(200);
    expect(await res.json()).toStrictEqual(result);
  });

  it('answers 422 for unprocessable data', async () => {
    const res = await post('/data-checks', { command: 'CHECK_NAME', data: { name: 'UNPROCESSABLE_DATA' } });
    expect(res.status).toBe(422);
    expect((await problemOf(res)).code).toBe('unprocessable_data');
  });

  it.each([
    [{ command: 'CHECK_PHONE', data: {} }, ['command']],
    [{ command: 'CHECK_NAME', data: { address: '1 Main' } }, ['data', 'name']],
    [{ command: 'CHECK_ADDRESS' }, ['data']],
    [{ data: { name: 'Spock' } }, ['command']],
  ])('rejects %j with a 400 naming %j', async (command, path) => {
    const res = await post('/data-checks', command);
    expect(res.status).toBe(400);
    expect((await problemOf(res)).issues).toContainEqual(expect.objectContaining({ path }));
  });
});
