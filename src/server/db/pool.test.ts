import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/server';
import { signUp } from '../../../test/helpers/client';
import { SELLER } from '../../../test/helpers/invoicing';

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
  });
});
