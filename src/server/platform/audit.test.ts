import { execFile } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/server';
import { ApiClient, signUp, STRONG_PASSWORD, uniqueEmail, type Reply } from '../../../test/helpers/client';
import { createCustomer, createDraft, issue, LINE, setUpSeller } from '../../../test/helpers/invoicing';
import { startServer, type RunningServer } from '../boot';
import { verifyDossier } from '../audit/verify';
import { canonicalJson, chainHash, GENESIS_HASH, verifyAuditChain, type ChainedContent } from './audit';
import { ANCHOR_DIR, ANCHOR_KEY_FILE, anchorFile, anchorKeyFromSeed, loadAnchorKey, readAnchors, signCheckpoint } from './audit-anchors';

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
    execFile(tsx, ['scripts/audit-verify.ts', dossierId], { env: { ...process.env, DATABASE_URL: server.db.url, DATA_DIR: server.dataDir } }, (error, stdout) => {
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

    // A refused mutation records nothing (nobody changes their own profile).
    const refused = await admin.patch(`${base}/members/${user.id}`, { profileId: 'readonly' }, { headers: { 'x-request-id': 'audit-refused' } });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('own_profile');
    expect(await server.ctx.db.selectFrom('audit_events').select('seq').where('request_id', '=', 'audit-refused').execute()).toEqual([]);
    expect((await events(dossierId)).map((e) => Number(e.seq))).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });
});

describe('the chain', () => {
  it('verifies, counting every event', async () => {
    const { client, dossierId } = await dossierWithEvents(4);
    const res = await client.get(`/api/d/${dossierId}/audit/verify`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true, checked: 5, firstBrokenSeq: null, reason: null, documents: 0, anchor: { seq: 5, at: expect.any(String) } });
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
    expect((await client.get(`/api/d/${dossierId}/audit/verify`)).body).toMatchObject({ ok: true, checked: 51, firstBrokenSeq: null, reason: null });
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
    expect((await client.get(`/api/d/${dossierId}/audit/verify`)).body).toEqual({ ...expected, documents: 0, anchor: null });
    expect(await server.ctx.tx({ dossierId }, (t) => verifyAuditChain(t, dossierId))).toEqual(expected);

    const [broken, ok] = await Promise.all([auditVerifyCommand(dossierId), auditVerifyCommand(healthy.dossierId)]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain(`${dossierId}  BROKEN  at event 3: ${expected.reason}`);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`${healthy.dossierId}  OK      3 event(s)`);
  }, 180_000);

  it('names a deleted middle event', async () => {
    const { client, dossierId } = await dossierWithEvents(4);
    await tamper('DELETE FROM audit_events WHERE dossier_id = $1 AND seq = 3', [dossierId]);
    expect((await client.get(`/api/d/${dossierId}/audit/verify`)).body).toMatchObject({ ok: false, checked: 2, firstBrokenSeq: 3, reason: "L'événement n° 3 manque." });
  });

  it('notices events cut off the end of the chain', async () => {
    const { client, dossierId } = await dossierWithEvents(4);
    await tamper('DELETE FROM audit_events WHERE dossier_id = $1 AND seq = 5', [dossierId]);
    expect((await client.get(`/api/d/${dossierId}/audit/verify`)).body).toMatchObject({ ok: false, checked: 4, firstBrokenSeq: 5, reason: 'Des événements postérieurs au n° 4 ont disparu.' });
  });
});

describe('anchors outside the database', () => {
  /** Runs statements as a superuser with the triggers off (`session_replication_role = replica`). */
  const tamper = (...statements: [string, unknown[]][]) =>
    asSuperuser(async (client) => {
      await client.query('SET session_replication_role = replica');
      for (const [text, params] of statements) await client.query(text, params);
    });
  const verify = async (client: ApiClient, dossierId: string) => (await client.get(`/api/d/${dossierId}/audit/verify`)).body;
  const anchorLines = async (dossierId: string) => (await fs.readFile(anchorFile(path.join(server.dataDir, ANCHOR_DIR), dossierId), 'utf8')).trimEnd().split('\n');
  const rewindTo = (dossierId: string, seq: number): [string, unknown[]][] => [
    ['DELETE FROM audit_events WHERE dossier_id = $1 AND seq > $2', [dossierId, seq]],
    ['UPDATE audit_heads SET last_seq = $2, last_hash = coalesce((SELECT hash FROM audit_events WHERE dossier_id = $1 AND seq = $2), $3) WHERE dossier_id = $1', [dossierId, seq, GENESIS_HASH]],
  ];

  it('PDF hashes recorded at the same moment are each on a signed line of their own, a checkpoint among them', async () => {
    const { dossierId } = await dossierWithEvents(1);
    const documents = Array.from({ length: 25 }, (_, i) => ({ id: randomUUID(), sha256: createHash('sha256').update(`pdf ${i}`).digest('hex') }));
    await Promise.all([
      ...documents.slice(0, 12).map((d) => server.ctx.anchors.recordPdf(dossierId, d.id, d.sha256)),
      server.ctx.anchors.checkpoint(server.ctx.db, dossierId),
      ...documents.slice(12).map((d) => server.ctx.anchors.recordPdf(dossierId, d.id, d.sha256)),
    ]);
    expect(await anchorLines(dossierId)).toHaveLength(documents.length + 1);
    const reading = await readAnchors(path.join(server.dataDir, ANCHOR_DIR), dossierId, server.ctx.anchors.key);
    expect(reading.problem).toBeNull();
    expect(reading.newest?.seq).toBe(2);
    expect(new Map([...reading.pdfs!].map(([id, r]) => [id, r.sha256]))).toEqual(new Map(documents.map((d) => [d.id, d.sha256])));
  });

  it('each verification signs a checkpoint of the head it checks, in a file of DATA_DIR', async () => {
    const { client, dossierId } = await dossierWithEvents(2);
    expect(await verify(client, dossierId)).toMatchObject({ ok: true, anchor: { seq: 3 } });
    const [line] = await anchorLines(dossierId);
    const head = await server.ctx.db.selectFrom('audit_heads').selectAll().where('dossier_id', '=', dossierId).executeTakeFirstOrThrow();
    expect(JSON.parse(line!)).toEqual({ v: 1, dossierId, seq: 3, hash: head.last_hash, at: expect.any(String), key: server.ctx.anchors.key.id, sig: expect.any(String) });
    const key = await fs.stat(path.join(server.dataDir, ANCHOR_KEY_FILE));
    expect(key.mode & 0o777).toBe(0o600);
  });

  it('reports events cut off the end with the head rewound to match, in the route and the command', async () => {
    const { client, dossierId } = await dossierWithEvents(6);
    expect(await verify(client, dossierId)).toMatchObject({ ok: true, checked: 7 });
    await tamper(...rewindTo(dossierId, 4));
    expect(await verify(client, dossierId)).toEqual({
      ok: false, checked: 4, firstBrokenSeq: 5, documents: 0, anchor: null,
      reason: expect.stringMatching(/^Des événements postérieurs au n° 4 ont disparu : le point d'ancrage du \d\d\/\d\d\/\d{4} à \d\d:\d\d en attestait 7\.$/),
    });
    const command = await auditVerifyCommand(dossierId);
    expect(command.code).toBe(1);
    expect(command.stdout).toContain(`${dossierId}  BROKEN  at event 5: Des événements postérieurs au n° 4 ont disparu`);
  }, 180_000);

  it('reports a deleted head row, with or without the events it pointed to', async () => {
    const { client, dossierId } = await dossierWithEvents(3);
    await tamper(['DELETE FROM audit_heads WHERE dossier_id = $1', [dossierId]]);
    expect(await verify(client, dossierId)).toMatchObject({ ok: false, firstBrokenSeq: null, reason: "La tête de la chaîne (le n° et l'empreinte du dernier événement) a été supprimée." });

    const other = await dossierWithEvents(3);
    expect(await verify(other.client, other.dossierId)).toMatchObject({ ok: true });
    await tamper(['DELETE FROM audit_events WHERE dossier_id = $1 AND seq > 2', [other.dossierId]], ['DELETE FROM audit_heads WHERE dossier_id = $1', [other.dossierId]]);
    expect(await verify(other.client, other.dossierId)).toMatchObject({ ok: false, reason: expect.stringContaining('a été supprimée') });
  });

  it('reports a trail deleted whole, and a dossier deleted with its trail', async () => {
    const { client, dossierId } = await dossierWithEvents(4);
    expect(await verify(client, dossierId)).toMatchObject({ ok: true });
    await tamper(...rewindTo(dossierId, 0));
    expect(await verify(client, dossierId)).toMatchObject({ ok: false, checked: 0, firstBrokenSeq: 1, reason: expect.stringMatching(/^Le journal a été effacé : le point d'ancrage du .+ attestait 5 événement\(s\)\.$/) });

    const gone = await dossierWithEvents(1);
    expect(await verify(gone.client, gone.dossierId)).toMatchObject({ ok: true });
    await tamper(...rewindTo(gone.dossierId, 0), ['DELETE FROM audit_heads WHERE dossier_id = $1', [gone.dossierId]], ['DELETE FROM memberships WHERE dossier_id = $1', [gone.dossierId]], ['DELETE FROM dossiers WHERE id = $1', [gone.dossierId]]);
    const command = await auditVerifyCommand(gone.dossierId);
    expect(command.code).toBe(1);
    expect(command.stdout).toMatch(new RegExp(`${gone.dossierId}  BROKEN  Le dossier a disparu de la base de données : le point d'ancrage du .+ attestait 2 événement\\(s\\)`));
  }, 180_000);

  it('reports a trail rewritten and re-hashed up to a checkpoint', async () => {
    const { client, dossierId } = await dossierWithEvents(4);
    expect(await verify(client, dossierId)).toMatchObject({ ok: true });
    // A superuser edits event 2 and recomputes every hash after it, and the head: the chain alone holds.
    const rows = await events(dossierId);
    let prev = rows[0]!.hash;
    const statements: [string, unknown[]][] = [];
    for (const row of rows.slice(1)) {
      const summary = row.seq === '2' ? 'Rien à signaler' : row.summary;
      const hash = chainHash(prev, {
        dossierId, seq: Number(row.seq), id: row.id, occurredAt: row.occurred_at.toISOString(), actorUserId: row.actor_user_id, actorName: row.actor_name, actorProfile: row.actor_profile,
        action: row.action, entityType: row.entity_type, entityId: row.entity_id, entityLabel: row.entity_label, summary, changes: row.changes, ip: row.ip, userAgent: row.user_agent, requestId: row.request_id,
      });
      statements.push(['UPDATE audit_events SET summary = $3, prev_hash = $4, hash = $5 WHERE dossier_id = $1 AND seq = $2', [dossierId, row.seq, summary, prev, hash]]);
      prev = hash;
    }
    statements.push(['UPDATE audit_heads SET last_hash = $2 WHERE dossier_id = $1', [dossierId, prev]]);
    await tamper(...statements);
    expect(await server.ctx.tx({ dossierId }, (t) => verifyAuditChain(t, dossierId))).toMatchObject({ ok: true, checked: 5 });
    expect(await verify(client, dossierId)).toMatchObject({ ok: false, firstBrokenSeq: null, reason: expect.stringMatching(/^Le journal a été réécrit : l'événement n° 5 ne correspond plus au point d'ancrage du /) });
  });

  it('reports a checkpoint whose signature does not hold, or signed by another key', async () => {
    const { client, dossierId } = await dossierWithEvents(2);
    expect(await verify(client, dossierId)).toMatchObject({ ok: true });
    const file = anchorFile(path.join(server.dataDir, ANCHOR_DIR), dossierId);
    const [line] = await anchorLines(dossierId);
    const signed = JSON.parse(line!) as Record<string, unknown>;
    // Pushed further than the chain went: the signature no longer matches.
    await fs.writeFile(file, `${JSON.stringify({ ...signed, seq: 40 })}\n`);
    expect(await verify(client, dossierId)).toMatchObject({ ok: false, reason: "La ligne 1 du fichier d'ancrage porte une signature invalide : le point d'ancrage a été modifié." });
    // Signed, but with a key that is not this instance's.
    const stranger = anchorKeyFromSeed(randomBytes(32).toString('base64'), 'test');
    await fs.writeFile(file, `${signCheckpoint(stranger, { dossierId, seq: 3, hash: signed.hash as string, at: signed.at as string })}\n`);
    expect(await verify(client, dossierId)).toMatchObject({ ok: false, reason: `La ligne 1 du fichier d'ancrage est signée par une autre clé (${stranger.id}) que celle de cette instance (${server.ctx.anchors.key.id}).` });
    await fs.writeFile(file, `${line}\n{"v":1,"dossierId"\n`);
    expect(await verify(client, dossierId)).toMatchObject({ ok: false, reason: "La ligne 2 du fichier d'ancrage est illisible : le fichier a été modifié." });
  });

  it('the hourly sweep anchors every dossier whose head moved since its last checkpoint, and only those', async () => {
    const { client, dossierId } = await dossierWithEvents(1);
    expect(await verify(client, dossierId)).toMatchObject({ ok: true, anchor: { seq: 2 } });
    await server.ctx.anchors.sweep(server.ctx.db);
    expect(await anchorLines(dossierId)).toHaveLength(1);
    expect((await client.patch(`/api/d/${dossierId}/settings`, { phone: '04 00 00 00 00' })).status).toBe(200);
    await server.ctx.anchors.sweep(server.ctx.db);
    const lines = await anchorLines(dossierId);
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[1]!)).toMatchObject({ seq: 3 });
  });
});

describe('anchors across a restart', () => {
  it('a dossier with many events and checkpoints verifies after a restart, with the head anchored at stop', async () => {
    const first = await startTestServer();
    let second: RunningServer | null = null;
    try {
      const admin = await signUp(first.app, { name: 'Camille Durand', dossierName: 'Atelier Durand' });
      for (let i = 0; i < 60; i++) {
        expect((await admin.client.patch(`/api/d/${admin.dossierId}/settings`, { phone: `01 23 45 67 ${String(i).padStart(2, '0')}` })).status).toBe(200);
        if (i % 15 === 0) expect((await admin.client.get(`/api/d/${admin.dossierId}/audit/verify`)).body).toMatchObject({ ok: true, anchor: { seq: i + 2 } });
      }
      await first.stop();
      // Stopping anchored the head (61 events), which no verification had.
      const dir = path.join(first.dataDir, ANCHOR_DIR);
      expect((await readAnchors(dir, admin.dossierId, first.ctx.anchors.key)).newest).toMatchObject({ seq: 61 });
      second = await startServer(first.ctx.config, { databaseUrl: first.db.url });
      expect(second.ctx.anchors.key.id).toBe(first.ctx.anchors.key.id);
      const verdict = await second.ctx.tx({ dossierId: admin.dossierId }, (t) => verifyDossier(t, admin.dossierId, second!.ctx.anchors));
      expect(verdict).toEqual({ ok: true, checked: 61, firstBrokenSeq: null, reason: null, documents: 0, anchor: { seq: 61, at: expect.any(String) } });
      // The events of the stopped server's last minutes are anchored: cutting them is seen after the restart.
      const client = new pg.Client({ connectionString: first.db.url });
      await client.connect();
      await client.query('SET session_replication_role = replica');
      await client.query('DELETE FROM audit_events WHERE dossier_id = $1 AND seq > 58', [admin.dossierId]);
      await client.query('UPDATE audit_heads SET last_seq = 58, last_hash = (SELECT hash FROM audit_events WHERE dossier_id = $1 AND seq = 58) WHERE dossier_id = $1', [admin.dossierId]);
      await client.end();
      expect(await second.ctx.tx({ dossierId: admin.dossierId }, (t) => verifyDossier(t, admin.dossierId, second!.ctx.anchors))).toMatchObject({ ok: false, firstBrokenSeq: 59 });
    } finally {
      await second?.stop();
      await first.close();
    }
  }, 120_000);

  it('signs with AUDIT_ANCHOR_KEY when it is set, and a verifier holding only the public key checks the checkpoints', async () => {
    const seed = randomBytes(32).toString('base64');
    const keyed = await startTestServer({ AUDIT_ANCHOR_KEY: seed });
    try {
      const admin = await signUp(keyed.app, { name: 'Camille Durand', dossierName: 'Atelier Durand' });
      expect((await admin.client.get(`/api/d/${admin.dossierId}/audit/verify`)).body).toMatchObject({ ok: true, anchor: { seq: 1 } });
      await expect(fs.stat(path.join(keyed.dataDir, ANCHOR_KEY_FILE))).rejects.toThrow('ENOENT');
      const publicOnly = loadAnchorKey({ dataDir: keyed.dataDir, auditAnchorKey: null, auditAnchorPublicKey: anchorKeyFromSeed(seed, 'test').publicBase64 }, { create: false })!;
      expect(publicOnly).toMatchObject({ id: keyed.ctx.anchors.key.id, privateKey: null });
      const dir = path.join(keyed.dataDir, ANCHOR_DIR);
      expect(await readAnchors(dir, admin.dossierId, publicOnly)).toMatchObject({ newest: { seq: 1 }, problem: null });
      expect(() => signCheckpoint(publicOnly, { dossierId: admin.dossierId, seq: 9, hash: GENESIS_HASH, at: new Date().toISOString() })).toThrow('but not sign them');
      expect(() => loadAnchorKey({ dataDir: keyed.dataDir, auditAnchorKey: 'trop court', auditAnchorPublicKey: null }, { create: true })).toThrow('AUDIT_ANCHOR_KEY must be the base64 of 32 bytes');
    } finally {
      await keyed.close();
    }
  });
});

describe('issued documents', () => {
  const anchorLinesOf = async (dossierId: string) => (await fs.readFile(anchorFile(path.join(server.dataDir, ANCHOR_DIR), dossierId), 'utf8')).trimEnd().split('\n');
  const tamper = (...statements: [string, unknown[]][]) =>
    asSuperuser(async (client) => {
      await client.query('SET session_replication_role = replica');
      for (const [text, params] of statements) await client.query(text, params);
    });

  /** A dossier with an issued invoice and a finalised quote; returns the invoice and its issue event's sequence number. */
  async function withIssuedInvoice() {
    const admin = await dossierWithEvents(0);
    await setUpSeller(admin.client, admin.dossierId);
    const customerId = await createCustomer(admin.client, admin.dossierId);
    const lines = [LINE, { ...LINE, designation: 'Plinthes', quantity: '3', unitPrice: '12.5' }];
    const issued = [];
    for (const type of ['invoice', 'quote']) {
      const res = await issue(admin.client, admin.dossierId, await createDraft(admin.client, admin.dossierId, { type, customerId, lines }));
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      issued.push(res.body.document as { id: string; number: string });
    }
    const invoice = issued[0]!;
    const event = await server.ctx.db.selectFrom('audit_events').selectAll().where('dossier_id', '=', admin.dossierId).where('entity_id', '=', invoice.id).where('action', '=', 'document.issued').executeTakeFirstOrThrow();
    return { ...admin, invoice, issueSeq: Number(event.seq), event };
  }

  it('each issue event records the hash of what the document froze, and untouched documents verify', async () => {
    const { client, dossierId, event } = await withIssuedInvoice();
    expect(event.changes).toMatchObject({ contentSha256: { before: null, after: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    expect((await client.get(`/api/d/${dossierId}/audit/verify`)).body).toMatchObject({ ok: true, documents: 2, reason: null });
  });

  it("reports an issued invoice whose lines or totals a superuser rewrote with the triggers off", async () => {
    const lines = await withIssuedInvoice();
    await tamper(['UPDATE document_lines SET unit_price = 4.28 WHERE dossier_id = $1 AND document_id = $2 AND position = 0', [lines.dossierId, lines.invoice.id]]);
    const reason = `Facture n° ${lines.invoice.number} : son contenu a été modifié après son émission (il ne correspond plus à l'empreinte enregistrée par l'événement n° ${lines.issueSeq}).`;
    expect((await lines.client.get(`/api/d/${lines.dossierId}/audit/verify`)).body).toMatchObject({ ok: false, firstBrokenSeq: null, reason });

    const totals = await withIssuedInvoice();
    await tamper([
      `UPDATE documents SET gross_cents = gross_cents - 10000, totals = jsonb_set(totals, '{grossCents}', to_jsonb((totals->>'grossCents')::bigint - 10000)) WHERE dossier_id = $1 AND id = $2`,
      [totals.dossierId, totals.invoice.id],
    ]);
    expect((await totals.client.get(`/api/d/${totals.dossierId}/audit/verify`)).body).toMatchObject({ ok: false, reason: expect.stringContaining(`Facture n° ${totals.invoice.number} : son contenu a été modifié après son émission`) });
  });

  it("signs each frozen PDF's hash outside the database, and reports a PDF rewritten with the hash beside it", async () => {
    const { client, dossierId, invoice } = await withIssuedInvoice();
    await server.ctx.pdfs.idle();
    const pdf = await server.ctx.db
      .selectFrom('documents as d')
      .innerJoin('files as f', (j) => j.onRef('f.dossier_id', '=', 'd.dossier_id').onRef('f.id', '=', 'd.pdf_file_id'))
      .select(['f.id', 'f.sha256'])
      .where('d.dossier_id', '=', dossierId)
      .where('d.id', '=', invoice.id)
      .executeTakeFirstOrThrow();
    const records = (await anchorLinesOf(dossierId)).map((l) => JSON.parse(l)).filter((l) => l.kind === 'pdf');
    expect(records).toContainEqual(expect.objectContaining({ dossierId, documentId: invoice.id, sha256: pdf.sha256.toString('hex') }));
    expect((await client.get(`/api/d/${dossierId}/audit/verify`)).body).toMatchObject({ ok: true, documents: 2 });

    const forged = Buffer.from('%PDF-1.7 une autre facture');
    await tamper(['UPDATE files SET content = $3, sha256 = sha256($3), size = $4 WHERE dossier_id = $1 AND id = $2', [dossierId, pdf.id, forged, forged.length]]);
    expect((await client.get(`/api/d/${dossierId}/audit/verify`)).body).toMatchObject({
      ok: false,
      firstBrokenSeq: null,
      reason: expect.stringMatching(new RegExp(`^Facture n° ${invoice.number} : son PDF figé a été modifié \\(il ne correspond plus à l'empreinte signée du .+\\)\\.$`)),
    });
  });

  it('reports a rewritten frozen snapshot, a changed number, and a deleted issued document', async () => {
    const snapshot = await withIssuedInvoice();
    await tamper([`UPDATE documents SET customer_snapshot = jsonb_set(customer_snapshot, '{name}', '"Boulangerie Dupont"') WHERE dossier_id = $1 AND id = $2`, [snapshot.dossierId, snapshot.invoice.id]]);
    expect((await snapshot.client.get(`/api/d/${snapshot.dossierId}/audit/verify`)).body).toMatchObject({ ok: false, reason: expect.stringContaining('son contenu a été modifié après son émission') });

    const renumbered = await withIssuedInvoice();
    await tamper([`UPDATE documents SET number = 'F-1999-0001' WHERE dossier_id = $1 AND id = $2`, [renumbered.dossierId, renumbered.invoice.id]]);
    expect((await renumbered.client.get(`/api/d/${renumbered.dossierId}/audit/verify`)).body).toMatchObject({
      ok: false, reason: `Facture n° F-1999-0001 : ce numéro n'est pas celui que l'événement n° ${renumbered.issueSeq} a donné (${renumbered.invoice.number}).`,
    });

    const deleted = await withIssuedInvoice();
    await tamper(['DELETE FROM document_lines WHERE dossier_id = $1 AND document_id = $2', [deleted.dossierId, deleted.invoice.id]], ['DELETE FROM documents WHERE dossier_id = $1 AND id = $2', [deleted.dossierId, deleted.invoice.id]]);
    expect((await deleted.client.get(`/api/d/${deleted.dossierId}/audit/verify`)).body).toMatchObject({
      ok: false, reason: `Le document n° ${deleted.invoice.number} émis par l'événement n° ${deleted.issueSeq} a disparu.`,
    });
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
  it('pages newest first by keyset and filters by action and entity type', async () => {
    const { client, dossierId } = await dossierWithEvents(12);
    for (const name of ['Un', 'Deux', 'Trois']) await client.post(`/api/d/${dossierId}/profiles`, { name, permissions: [] }, { headers: { 'user-agent': 'AuditList/1' } });
    const url = `/api/d/${dossierId}/audit`;
    const first = await client.get(`${url}?pageSize=5`);
    expect(first.status).toBe(200);
    expect(first.body.events.map((e: { seq: number }) => e.seq)).toEqual([16, 15, 14, 13, 12]);
    expect(first.body.events[0]).toMatchObject({
      seq: 16, occurredAt: expect.any(String), actorName: 'Camille Durand', actorProfile: 'Administrateur', action: 'profile.created', entityType: 'profile',
      entityId: expect.any(String), entityLabel: 'Trois', summary: 'Création du profil « Trois »', changes: { permissions: { before: null, after: ['dossier.read'] } },
      ip: ADMIN_IP, hash: expect.stringMatching(/^[0-9a-f]{64}$/), documentType: null, customerName: null, grossCents: null,
    });
    // Following the cursors walks every event once, down to the first.
    const seen: number[] = [];
    for (let cursor: string | null = null, pages = 0; pages < 10; pages++) {
      const page: Reply = await client.get(`${url}?pageSize=5${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.body.events.map((e: { seq: number }) => e.seq));
      cursor = page.body.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(Array.from({ length: 16 }, (_, i) => 16 - i));
    const oldestFirst = await client.get(`${url}?pageSize=3&order=asc`);
    expect(oldestFirst.body.events.map((e: { seq: number }) => e.seq)).toEqual([1, 2, 3]);
    expect((await client.get(`${url}?pageSize=3&order=asc&cursor=${oldestFirst.body.nextCursor}`)).body.events.map((e: { seq: number }) => e.seq)).toEqual([4, 5, 6]);
    const byAction = await client.get(`${url}?action=profile.created`);
    expect(byAction.body.events.map((e: { entityLabel: string }) => e.entityLabel)).toEqual(['Trois', 'Deux', 'Un']);
    expect(byAction.body.nextCursor).toBeNull();
    const byType = await client.get(`${url}?entityType=dossier&pageSize=2`);
    expect(byType.body.events.map((e: { seq: number }) => e.seq)).toEqual([13, 12]);
    expect((await client.get(`${url}?pageSize=500`)).status).toBe(400);
  });

  it('refuses forged cursors, cursors of another dossier or order, unknown users and actions, and absurd periods', async () => {
    const { client, dossierId } = await dossierWithEvents(6);
    const other = await dossierWithEvents(6);
    const url = `/api/d/${dossierId}/audit`;
    const foreign = (await other.client.get(`/api/d/${other.dossierId}/audit?pageSize=2`)).body.nextCursor;
    const mine = (await client.get(`${url}?pageSize=2`)).body.nextCursor;
    const forged = Buffer.from('{"d":1,"s":"x"}').toString('base64url');
    for (const [query, field] of [
      [`cursor=${foreign}`, 'cursor'],
      [`cursor=${forged}`, 'cursor'],
      ['cursor=%%%', 'cursor'],
      [`cursor=${mine}&order=asc`, 'cursor'],
      [`user=${randomUUID()}`, 'user'],
      ['user=nobody', 'user'],
      ['action=document.hacked', 'action'],
      ['from=2026-05-01&to=2026-04-01', 'to'],
      ['from=1850-01-01', 'from'],
      ['from=2026-02-30', 'from'],
      ['documentType=receipt', 'documentType'],
      ['group=everything', 'group'],
      ['sort=seq', null],
    ] as const) {
      const res = await client.get(`${url}?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.code, query).toBe('validation_failed');
      if (field) expect(Object.keys(res.body.error.details.fields), query).toContain(field);
    }
    // The user filter knows the dossier's own people: another dossier's owner is unknown here.
    expect((await client.get(`${url}?user=${other.user.id}`)).status).toBe(400);
    expect((await client.get(`/api/d/${dossierId}/audit/summary?user=${other.user.id}`)).status).toBe(400);
  });

  it('is closed to a member without audit.read', async () => {
    const { client, dossierId } = await dossierWithEvents(0);
    const seller = await signUp(server.app);
    await client.post(`/api/d/${dossierId}/members`, { email: seller.email, profileId: 'commercial' });
    expect((await seller.client.get(`/api/d/${dossierId}/audit`)).status).toBe(403);
    expect((await seller.client.get(`/api/d/${dossierId}/audit/verify`)).status).toBe(403);
  });
});
