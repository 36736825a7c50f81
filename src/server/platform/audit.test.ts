import { execFile } from 'node:child_process';
import path from 'node:path';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/server';
import { ApiClient, signUp, STRONG_PASSWORD, uniqueEmail, type Reply } from '../../../test/helpers/client';
import { canonicalJson, chainHash, GENESIS_HASH, verifyAuditChain, type ChainedContent } from './audit';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const ADMIN_IP = '198.51.100.23';

async function events(dossierId: string) {
  return server.ctx.db.selectFrom('audit_events').selectAll().where('dossier_id', '=', dossierId).orderBy('seq').execute();
}

/** A dossier whose trail holds its creation and `n` settings changes (n + 1 events). */
async function dossierWithEvents(n: number) {
  const admin = await signUp(server.app, { name: 'Camille Durand', dossierName: 'Atelier Durand', ip: ADMIN_IP });
  for (let i = 0; i < n; i++) expect((await admin.client.patch(`/api/d/${admin.dossierId}/settings`, { phone: `01 23 45 67 ${String(i).padStart(2, '0')}` })).status).toBe(200);
  return admin;
}

async function asSuperuser<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: server.db.url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** `npm run audit:verify -- <id>` against the test database: exit code and output. */
function auditVerifyCommand(dossierId: string): Promise<{ code: number; stdout: string }> {
  const tsx = path.resolve('node_modules/.bin/tsx');
  return new Promise((resolve) => {
    execFile(tsx, ['scripts/audit-verify.ts', dossierId], { env: { ...process.env, DATABASE_URL: server.db.url } }, (error, stdout) => {
      resolve({ code: error ? Number(error.code) : 0, stdout });
    });
  });
}

describe('what each mutation records', () => {
  it('records every member, invitation and profile mutation as exactly one complete event', async () => {
    const { client: admin, dossierId, user } = await dossierWithEvents(0);
    const base = `/api/d/${dossierId}`;
    let n = 0;
    /** Runs one request with its own request id and user agent, and returns its single audit row. */
    async function audited(send: (headers: Record<string, string>) => Promise<Reply>, expected: Record<string, unknown>, actor = { name: 'Camille Durand', profile: 'Administrateur', ip: ADMIN_IP }) {
      const headers = { 'x-request-id': `audit-step-${++n}-${Date.now()}`, 'user-agent': `AuditTest/${n} (Ardoise)` };
      const res = await send(headers);
      expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
      const rows = await server.ctx.db.selectFrom('audit_events').selectAll().where('request_id', '=', headers['x-request-id']).execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ dossier_id: dossierId, actor_name: actor.name, actor_profile: actor.profile, ip: actor.ip, user_agent: headers['user-agent'], ...expected });
      expect(rows[0]!.changes).toEqual(expected.changes ?? null);
      expect(res.headers['x-request-id']).toBe(headers['x-request-id']);
      return res;
    }

    await audited((headers) => admin.patch(`${base}/settings`, { phone: '01 23 45 67 89' }, { headers }), {
      action: 'dossier.settings_updated', entity_type: 'dossier', entity_id: dossierId, entity_label: 'Atelier Durand', actor_user_id: user.id,
      summary: 'Modification des paramètres du dossier (phone)', changes: { phone: { before: null, after: '01 23 45 67 89' } },
    });
    const created = await audited((headers) => admin.post(`${base}/profiles`, { name: 'Relecture', permissions: ['quotes.read'] }, { headers }), {
      action: 'profile.created', entity_type: 'profile', entity_label: 'Relecture', summary: 'Création du profil « Relecture »',
      changes: { permissions: { before: null, after: ['dossier.read', 'quotes.read'] } },
    });
    const profileId = created.body.profile.id as string;
    await audited((headers) => admin.patch(`${base}/profiles/${profileId}`, { name: 'Relecture devis' }, { headers }), {
      action: 'profile.updated', entity_id: profileId, summary: 'Modification du profil « Relecture devis »', changes: { name: { before: 'Relecture', after: 'Relecture devis' } },
    });
    const hugo = await signUp(server.app, { name: 'Hugo Martin' });
    await audited((headers) => admin.post(`${base}/members`, { email: hugo.email, profileId: 'adv' }, { headers }), {
      action: 'member.added', entity_type: 'member', entity_id: hugo.user.id, entity_label: 'Hugo Martin',
      summary: `Ajout de Hugo Martin (${hugo.email}) avec le profil ADV`, changes: { profile: { before: null, after: 'ADV' } },
    });
    await audited((headers) => admin.patch(`${base}/members/${hugo.user.id}`, { profileId }, { headers }), {
      action: 'member.profile_changed', entity_id: hugo.user.id, summary: 'Profil de Hugo Martin : ADV → Relecture devis', changes: { profile: { before: 'ADV', after: 'Relecture devis' } },
    });
    await audited((headers) => admin.delete(`${base}/members/${hugo.user.id}`, { headers }), {
      action: 'member.removed', entity_id: hugo.user.id, summary: `Retrait de Hugo Martin (${hugo.email}) du dossier`, changes: { profile: { before: 'Relecture devis', after: null } },
    });
    const dropped = uniqueEmail('dropped');
    await audited((headers) => admin.post(`${base}/members`, { email: dropped, profileId: 'commercial' }, { headers }), {
      action: 'invitation.sent', entity_type: 'invitation', entity_label: dropped, summary: `Invitation de ${dropped} avec le profil Commercial`,
    });
    const invitationId = (await admin.get(`${base}/members`)).body.invitations[0].id as string;
    await audited((headers) => admin.delete(`${base}/invitations/${invitationId}`, { headers }), {
      action: 'invitation.revoked', entity_id: invitationId, summary: `Annulation de l'invitation de ${dropped}`,
    });
    const yann = uniqueEmail('yann');
    await admin.post(`${base}/members`, { email: yann, profileId: 'commercial' });
    const token = (await server.ctx.mailer.listOutbox()).find((m) => m.to === yann)!.links[0]!.split('/invitation/')[1]!;
    const anon = new ApiClient(server.app, { ip: '203.0.113.9' });
    await audited((headers) => anon.post(`/api/invitations/${token}/accept`, { name: 'Yann Nouveau', password: STRONG_PASSWORD }, { headers }), {
      action: 'invitation.accepted', entity_type: 'member', entity_label: 'Yann Nouveau',
      summary: `Yann Nouveau (${yann}) rejoint le dossier avec le profil Commercial`, changes: { profile: { before: null, after: 'Commercial' } },
    }, { name: 'Yann Nouveau', profile: 'Commercial', ip: '203.0.113.9' });
    await audited((headers) => admin.delete(`${base}/profiles/${profileId}`, { headers }), {
      action: 'profile.deleted', entity_id: profileId, entity_label: 'Relecture devis', summary: 'Suppression du profil « Relecture devis »',
    });

    // A refused mutation records nothing.
    const refused = await admin.patch(`${base}/members/${user.id}`, { profileId: 'readonly' }, { headers: { 'x-request-id': 'audit-refused' } });
    expect(refused.status).toBe(409);
    expect(await server.ctx.db.selectFrom('audit_events').select('seq').where('request_id', '=', 'audit-refused').execute()).toEqual([]);
    expect((await events(dossierId)).map((e) => Number(e.seq))).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });
});

describe('the chain', () => {
  it('verifies, counting every event', async () => {
    const { client, dossierId } = await dossierWithEvents(4);
    const res = await client.get(`/api/d/${dossierId}/audit/verify`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true, checked: 5, firstBrokenSeq: null, reason: null });
  });

  it('stays one gapless, unforked chain under 50 concurrent audited mutations', async () => {
    const { client, dossierId } = await dossierWithEvents(0);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        i % 2 === 0
          ? client.patch(`/api/d/${dossierId}/settings`, { phone: `06 00 00 00 ${String(i).padStart(2, '0')}` })
          : client.post(`/api/d/${dossierId}/profiles`, { name: `Profil ${i}`, permissions: [] }),
      ),
    );
    expect(results.map((r) => r.status).filter((s) => s >= 300)).toEqual([]);
    const rows = await events(dossierId);
    expect(rows.map((e) => Number(e.seq))).toEqual(Array.from({ length: 51 }, (_, i) => i + 1));
    rows.forEach((row, i) => expect(row.prev_hash).toBe(i === 0 ? GENESIS_HASH : rows[i - 1]!.hash));
    expect(new Set(rows.map((e) => e.hash)).size).toBe(51);
    expect((await client.get(`/api/d/${dossierId}/audit/verify`)).body).toEqual({ ok: true, checked: 51, firstBrokenSeq: null, reason: null });
    const head = await server.ctx.db.selectFrom('audit_heads').selectAll().where('dossier_id', '=', dossierId).executeTakeFirstOrThrow();
    expect(head).toMatchObject({ last_seq: '51', last_hash: rows[50]!.hash });
  });
});

describe('append-only', () => {
  it('refuses UPDATE and DELETE to the application role', async () => {
    const { dossierId } = await dossierWithEvents(1);
    await expect(server.ctx.tx({ dossierId }, (t) => t.updateTable('audit_events').set({ summary: 'Rien à signaler' }).where('dossier_id', '=', dossierId).execute())).rejects.toThrow(
      'permission denied for table audit_events',
    );
    await expect(server.ctx.tx({ dossierId }, (t) => t.deleteFrom('audit_events').where('dossier_id', '=', dossierId).execute())).rejects.toThrow('permission denied for table audit_events');
    expect(await events(dossierId)).toHaveLength(2);
  });

  it('refuses UPDATE, DELETE and TRUNCATE even to the owner through the trigger', async () => {
    const { dossierId } = await dossierWithEvents(1);
    await asSuperuser(async (client) => {
      await expect(client.query(`UPDATE audit_events SET summary = 'Rien' WHERE dossier_id = $1`, [dossierId])).rejects.toThrow('table audit_events is append-only');
      await expect(client.query(`DELETE FROM audit_events WHERE dossier_id = $1`, [dossierId])).rejects.toThrow('table audit_events is append-only');
      await expect(client.query('TRUNCATE audit_events CASCADE')).rejects.toThrow('table audit_events is append-only');
    });
    expect((await events(dossierId)).map((e) => e.summary)).toEqual(['Création du dossier « Atelier Durand »', 'Modification des paramètres du dossier (phone)']);
  });
});

describe('tampering', () => {
  /** Bypasses the triggers as a superuser would. */
  const tamper = (sqlText: string, params: unknown[]) =>
    asSuperuser(async (client) => {
      await client.query('SET session_replication_role = replica');
      await client.query(sqlText, params);
    });

  it('names an edited event in the route, the function and the audit:verify command', async () => {
    const { client, dossierId } = await dossierWithEvents(4);
    const healthy = await dossierWithEvents(2);
    await tamper(`UPDATE audit_events SET summary = 'Rien à signaler' WHERE dossier_id = $1 AND seq = 3`, [dossierId]);
    const expected = { ok: false, checked: 2, firstBrokenSeq: 3, reason: "Le contenu de l'événement n° 3 a été modifié après son enregistrement." };
    expect((await client.get(`/api/d/${dossierId}/audit/verify`)).body).toEqual(expected);
    expect(await server.ctx.tx({ dossierId }, (t) => verifyAuditChain(t, dossierId))).toEqual(expected);

    const [broken, ok] = await Promise.all([auditVerifyCommand(dossierId), auditVerifyCommand(healthy.dossierId)]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain(`${dossierId}  BROKEN  at event 3: ${expected.reason}`);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`${healthy.dossierId}  OK      3 event(s)`);
  }, 60_000);

  it('names a deleted middle event', async () => {
    const { client, dossierId } = await dossierWithEvents(4);
    await tamper('DELETE FROM audit_events WHERE dossier_id = $1 AND seq = 3', [dossierId]);
    expect((await client.get(`/api/d/${dossierId}/audit/verify`)).body).toEqual({ ok: false, checked: 2, firstBrokenSeq: 3, reason: "L'événement n° 3 manque." });
  });

  it('notices events cut off the end of the chain', async () => {
    const { client, dossierId } = await dossierWithEvents(4);
    await tamper('DELETE FROM audit_events WHERE dossier_id = $1 AND seq = 5', [dossierId]);
    expect((await client.get(`/api/d/${dossierId}/audit/verify`)).body).toEqual({ ok: false, checked: 4, firstBrokenSeq: 5, reason: 'Des événements postérieurs au n° 4 ont disparu.' });
  });
});

describe('canonical JSON and the chain hash (properties)', () => {
  /** The same value rebuilt with every object's keys inserted in another order. */
  function reorder(value: unknown, seed: number): unknown {
    if (Array.isArray(value)) return value.map((v) => reorder(v, seed));
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value);
    const rotated = entries.map((_, i) => entries[(i + seed) % entries.length]!).reverse();
    return Object.fromEntries(rotated.map(([k, v]) => [k, reorder(v, seed + 1)]));
  }

  it('gives the same text whatever the order in which keys were inserted', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), (value, seed) => {
        expect(canonicalJson(reorder(value, seed))).toBe(canonicalJson(value));
        expect(canonicalJson(JSON.parse(canonicalJson(value)))).toBe(canonicalJson(value));
      }),
    );
  });

  const text = fc.string({ maxLength: 20 });
  const content: fc.Arbitrary<ChainedContent> = fc.record({
    dossierId: fc.uuid(), seq: fc.integer({ min: 1, max: 1e9 }), id: fc.uuid(), occurredAt: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    actorUserId: fc.option(fc.uuid()), actorName: text, actorProfile: fc.option(text), action: text, entityType: text, entityId: fc.option(text),
    entityLabel: fc.option(text), summary: text, ip: fc.option(text), userAgent: fc.option(text), requestId: fc.option(text),
    changes: fc.option(fc.dictionary(text, fc.record({ before: fc.jsonValue(), after: fc.jsonValue() }), { minKeys: 1 })),
  });
  const FIELDS = ['dossierId', 'seq', 'id', 'occurredAt', 'actorUserId', 'actorName', 'actorProfile', 'action', 'entityType', 'entityId', 'entityLabel', 'summary', 'changes', 'ip', 'userAgent', 'requestId'] as const;

  /** The content with one field given another value of its type. */
  function altered(c: ChainedContent, field: (typeof FIELDS)[number]): ChainedContent {
    const value = c[field];
    if (field === 'seq') return { ...c, seq: c.seq + 1 };
    if (field === 'changes') return { ...c, changes: value === null ? { total: { before: 1, after: 2 } } : null };
    return { ...c, [field]: value === null ? '' : `${String(value)}x` };
  }

  it('changes the hash when any field of the content, or the previous hash, changes', () => {
    fc.assert(
      fc.property(content, fc.constantFrom(...FIELDS), fc.stringMatching(/^[0-9a-f]{64}$/), (c, field, prev) => {
        const hash = chainHash(prev, c);
        expect(hash).toMatch(/^[0-9a-f]{64}$/);
        expect(chainHash(prev, reorder(c, 3) as ChainedContent)).toBe(hash);
        expect(chainHash(prev, altered(c, field))).not.toBe(hash);
        expect(chainHash(prev === GENESIS_HASH ? 'f'.repeat(64) : GENESIS_HASH, c)).not.toBe(hash);
      }),
    );
  });
});

describe('the audit list', () => {
  it('pages newest first and filters by action and entity type', async () => {
    const { client, dossierId } = await dossierWithEvents(12);
    for (const name of ['Un', 'Deux', 'Trois']) await client.post(`/api/d/${dossierId}/profiles`, { name, permissions: [] }, { headers: { 'user-agent': 'AuditList/1' } });
    const url = `/api/d/${dossierId}/audit`;
    const first = await client.get(`${url}?pageSize=5`);
    expect(first.status).toBe(200);
    expect(first.body.total).toBe(16);
    expect(first.body.events.map((e: { seq: number }) => e.seq)).toEqual([16, 15, 14, 13, 12]);
    expect(first.body.events[0]).toEqual({
      seq: 16, occurredAt: expect.any(String), actorName: 'Camille Durand', actorProfile: 'Administrateur', action: 'profile.created', entityType: 'profile',
      entityId: expect.any(String), entityLabel: 'Trois', summary: 'Création du profil « Trois »', changes: { permissions: { before: null, after: ['dossier.read'] } },
      ip: ADMIN_IP, userAgent: 'AuditList/1', requestId: expect.any(String),
    });
    expect((await client.get(`${url}?pageSize=5&page=4`)).body.events.map((e: { seq: number }) => e.seq)).toEqual([1]);
    expect((await client.get(`${url}?pageSize=5&page=5`)).body).toEqual({ total: 16, events: [] });
    const byAction = await client.get(`${url}?action=profile.created`);
    expect(byAction.body.total).toBe(3);
    expect(byAction.body.events.map((e: { entityLabel: string }) => e.entityLabel)).toEqual(['Trois', 'Deux', 'Un']);
    const byType = await client.get(`${url}?entityType=dossier&pageSize=2&page=2`);
    expect(byType.body.total).toBe(13);
    expect(byType.body.events.map((e: { seq: number }) => e.seq)).toEqual([11, 10]);
    expect((await client.get(`${url}?pageSize=500`)).status).toBe(400);
  });

  it('is closed to a member without audit.read', async () => {
    const { client, dossierId } = await dossierWithEvents(0);
    const seller = await signUp(server.app);
    await client.post(`/api/d/${dossierId}/members`, { email: seller.email, profileId: 'commercial' });
    expect((await seller.client.get(`/api/d/${dossierId}/audit`)).status).toBe(403);
    expect((await seller.client.get(`/api/d/${dossierId}/audit/verify`)).status).toBe(403);
  });
});
