import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/server';
import { signUp } from '../../../test/helpers/client';
import { createCustomer, createDraft, issue, LINE, SELLER } from '../../../test/helpers/invoicing';

describe('without prepared statements (DB_PREPARED_STATEMENTS=false, e.g. behind a transaction-pooling proxy)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ DB_PREPARED_STATEMENTS: 'false' });
  });
  afterAll(() => server.close());

  it('serves cached reads and changes inside the tenant transaction, and refuses outsiders', async () => {
    expect(server.ctx.config.preparedStatements).toBe(false);
    const { client, dossierId } = await signUp(server.app, { name: 'Camille Durand' });
    const outsider = await signUp(server.app);
    expect((await client.get(`/api/d/${dossierId}/members`)).body.members[0].name).toBe('Camille Durand');
    const saved = await client.patch(`/api/d/${dossierId}/settings`, SELLER);
    expect(saved.status).toBe(200);
    expect((await client.get(`/api/d/${dossierId}`)).body.dossier.legalName).toBe(SELLER.legalName);
    expect((await outsider.client.get(`/api/d/${dossierId}`)).status).toBe(404);
    expect((await outsider.client.patch(`/api/d/${dossierId}/settings`, { legalName: 'X' })).status).toBe(404);
    // Issuing commits with its last statement (thenCommit), unprepared too.
    const customerId = await createCustomer(client, dossierId);
    const first = await issue(client, dossierId, await createDraft(client, dossierId, { type: 'invoice', customerId, lines: [LINE] }));
    expect(first.status).toBe(200);
    expect(first.body.document.number).toMatch(/^F-\d{4}-0001$/);
    const again = await issue(client, dossierId, await createDraft(client, dossierId, { type: 'invoice', customerId, lines: [LINE] }));
    expect(again.body.document.number).toMatch(/^F-\d{4}-0002$/);
  });
});
