import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/server';
import { signUp, uniqueEmail } from '../../../test/helpers/client';
import { makePng } from '../../../test/helpers/images';
import { hashToken } from '../platform/tokens';

/** Row-level security: whatever the application code does, a dossier's transaction sees only that dossier. */

const TENANT_TABLES = ['memberships', 'invitations', 'profiles', 'files', 'audit_events', 'audit_heads'] as const;

let server: TestServer;
let a: Awaited<ReturnType<typeof signUp>>;
let b: Awaited<ReturnType<typeof signUp>>;

async function populate(who: typeof a) {
  const id = who.dossierId;
  expect((await who.client.post(`/api/d/${id}/profiles`, { name: 'Vente', permissions: ['quotes.read'] })).status).toBe(201);
  expect((await who.client.post(`/api/d/${id}/members`, { email: uniqueEmail('inv'), profileId: 'adv' })).status).toBe(201);
  expect((await who.client.put(`/api/d/${id}/logo`, undefined, { raw: makePng(), headers: { 'content-type': 'image/png' } })).status).toBe(200);
}

beforeAll(async () => {
  server = await startTestServer();
  a = await signUp(server.app, { dossierName: 'Dossier A' });
  b = await signUp(server.app, { dossierName: 'Dossier B' });
  await populate(a);
  await populate(b);
});
afterAll(() => server.close());

describe('the application role', () => {
  it('is neither superuser, nor able to bypass RLS, nor owner of the tables', async () => {
    const row = await server.ctx.tx({ dossierId: a.dossierId }, async (t) => {
      const r = await sql<{ who: string; rolsuper: boolean; rolbypassrls: boolean }>`
        SELECT current_user AS who, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user`.execute(t);
      const owners = await sql<{ owner: string }>`
        SELECT DISTINCT tableowner AS owner FROM pg_tables WHERE schemaname = 'public'`.execute(t);
      return { ...r.rows[0]!, owners: owners.rows.map((o) => o.owner) };
    });
    expect(row.who).toBe(server.ctx.config.appRole);
    expect(row.rolsuper).toBe(false);
    expect(row.rolbypassrls).toBe(false);
    expect(row.owners).not.toContain(row.who);
  });

  it('is used even though the connection string names a superuser or the owner', async () => {
    const connecting = await server.ctx.db.executeQuery(sql<{ u: string }>`SELECT current_user AS u`.compile(server.ctx.db));
    expect(connecting.rows[0]!.u).not.toBe(server.ctx.config.appRole);
  });
});

describe('row-level security', () => {
  it.each(TENANT_TABLES)("dossier A's transaction cannot see dossier B's rows in %s", async (table) => {
    const seen = await server.ctx.tx({ dossierId: a.dossierId }, async (t) => {
      const all = await sql<{ dossier_id: string }>`SELECT dossier_id FROM ${sql.table(table)}`.execute(t);
      const targeted = await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(table)} WHERE dossier_id = ${b.dossierId}`.execute(t);
      return { ids: new Set(all.rows.map((r) => r.dossier_id)), targeted: Number(targeted.rows[0]!.n) };
    });
    expect(seen.ids).toEqual(new Set([a.dossierId]));
    expect(seen.targeted).toBe(0);
    // The rows exist: the owner sees both dossiers.
    const owner = await sql<{ n: string }>`SELECT count(DISTINCT dossier_id) AS n FROM ${sql.table(table)}`.execute(server.ctx.db);
    expect(Number(owner.rows[0]!.n)).toBeGreaterThanOrEqual(2);
  });

  it("dossier A's transaction sees only its own dossier row", async () => {
    const rows = await server.ctx.tx({ dossierId: a.dossierId }, (t) => t.selectFrom('dossiers').select('legal_name').execute());
    expect(rows.map((r) => r.legal_name)).toEqual(['Dossier A']);
  });

  it("cannot write rows into dossier B nor change them from dossier A's transaction", async () => {
    await expect(
      server.ctx.tx({ dossierId: a.dossierId }, (t) => t.insertInto('profiles').values({ dossier_id: b.dossierId, id: crypto.randomUUID(), name: 'Intrus', permissions: [] }).execute()),
    ).rejects.toThrow(/row-level security/);
    const updated = await server.ctx.tx({ dossierId: a.dossierId }, (t) => t.updateTable('dossiers').set({ legal_name: 'Piraté' }).where('id', '=', b.dossierId).executeTakeFirst());
    expect(Number(updated.numUpdatedRows)).toBe(0);
    const deleted = await server.ctx.tx({ dossierId: a.dossierId }, (t) => t.deleteFrom('memberships').where('dossier_id', '=', b.dossierId).executeTakeFirst());
    expect(Number(deleted.numDeletedRows)).toBe(0);
    const name = await server.ctx.db.selectFrom('dossiers').select('legal_name').where('id', '=', b.dossierId).executeTakeFirstOrThrow();
    expect(name.legal_name).toBe('Dossier B');
  });

  it('a transaction without a dossier sees no tenant row at all', async () => {
    const counts = await server.ctx.tx({}, async (t) => {
      const result: Record<string, number> = {};
      for (const table of [...TENANT_TABLES, 'dossiers'] as const) {
        result[table] = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(t)).rows[0]!.n);
      }
      return result;
    });
    expect(Object.values(counts).every((n) => n === 0)).toBe(true);
  });

  it("a user's scope shows their own memberships of every dossier, and nobody else's", async () => {
    const rows = await server.ctx.tx({ userId: a.user.id }, (t) => t.selectFrom('memberships').select(['dossier_id', 'user_id']).execute());
    expect(rows).toEqual([{ dossier_id: a.dossierId, user_id: a.user.id }]);
  });

  it('an invitation token opens that one invitation, not the others', async () => {
    const tokenHash = hashToken('not-a-real-token-but-long-enough').toString('hex');
    const none = await server.ctx.tx({ invitationTokenHash: tokenHash }, (t) => t.selectFrom('invitations').select('id').execute());
    expect(none).toEqual([]);
  });

  it('the scope refuses values that are not UUIDs (no SQL can be smuggled in)', async () => {
    await expect(server.ctx.tx({ dossierId: "x'; DROP TABLE users; --" }, async () => 1)).rejects.toThrow(/unexpected value/);
  });

  it('a plain connection as the application role without a scope sees nothing either', async () => {
    const client = new pg.Client({ connectionString: server.db.url });
    await client.connect();
    try {
      await client.query(`SET ROLE ${server.ctx.config.appRole}`);
      const res = await client.query('SELECT count(*)::int AS n FROM memberships');
      expect(res.rows[0].n).toBe(0);
    } finally {
      await client.end();
    }
  });
});
