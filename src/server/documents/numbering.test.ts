import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, parisDate } from '../../core/dates';
import { startTestServer, type TestServer } from '../../../test/helpers/server';
import { signUp } from '../../../test/helpers/client';
import { createCustomer, createDraft, issue, LINE, setUpSeller } from '../../../test/helpers/invoicing';
import { sql } from 'kysely';
import { eventTemplate, verifyAuditChain } from '../platform/audit';

/** Legal numbering: unique, chronological and continuous, under real concurrency against PostgreSQL. */

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ DB_POOL_SIZE: '12' });
});
afterAll(() => server.close());

async function seller() {
  const owner = await signUp(server.app);
  await setUpSeller(owner.client, owner.dossierId);
  const customerId = await createCustomer(owner.client, owner.dossierId);
  return { ...owner, customerId };
}

async function issuedNumbers(dossierId: string, series = 'invoice'): Promise<string[]> {
  const rows = await server.ctx.db.selectFrom('documents').select('number').where('dossier_id', '=', dossierId).where('series', '=', series).where('number', 'is not', null).orderBy('number').execute();
  return rows.map((r) => r.number!);
}

const year = parisDate().slice(0, 4);
const expected = (n: number, prefix = 'F') => Array.from({ length: n }, (_, i) => `${prefix}-${year}-${String(i + 1).padStart(4, '0')}`);

describe('continuous numbering', () => {
  it('40 concurrent issuers in one dossier get 40 distinct numbers without a gap', async () => {
    const { client, dossierId, customerId } = await seller();
    const drafts = [];
    for (let i = 0; i < 40; i++) drafts.push(await createDraft(client, dossierId, { type: 'invoice', customerId, lines: [LINE] }));
    const results = await Promise.all(drafts.map((d) => issue(client, dossierId, d)));
    expect(results.map((r) => r.status)).toEqual(drafts.map(() => 200));
    expect(await issuedNumbers(dossierId)).toEqual(expected(40));
    // Each number's event names it, in the order the numbers were given, and the chain holds.
    const events = await server.ctx.db.selectFrom('audit_events').select(['entity_id', 'entity_label', 'summary', 'changes']).where('dossier_id', '=', dossierId).where('action', '=', 'document.issued').orderBy('seq').execute();
    expect(events.map((e) => e.entity_label)).toEqual(expected(40));
    for (const e of events) {
      expect(e.summary).toContain(`n° ${e.entity_label} émise`);
      expect(e.changes).toEqual({ number: { before: null, after: e.entity_label }, status: { before: 'draft', after: 'issued' }, contentSha256: { before: null, after: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    }
    const byId = new Map(results.map((r) => [r.body.document.id as string, r.body.document.number as string]));
    expect(events.map((e) => byId.get(e.entity_id!))).toEqual(expected(40));
    expect(await server.ctx.tx({ dossierId }, (t) => verifyAuditChain(t, dossierId))).toMatchObject({ ok: true, firstBrokenSeq: null });
  }, 180_000);

  it('a transaction that fails after taking a number gives it back', async () => {
    const { client, dossierId, customerId } = await seller();
    await expect(
      server.ctx.tx({ dossierId }, async (t) => {
        const event = eventTemplate(dossierId, { userId: null, name: 'Essai', profile: null }, { ip: null, userAgent: null, requestId: null }, (number) => ({
          action: 'document.issued',
          entityType: 'document',
          entityLabel: number,
          summary: `Facture n° ${number} émise`,
        }));
        const { rows } = await sql<{ number: string; seq: string }>`SELECT * FROM ardoise_take_number(${dossierId}::uuid, 'invoice', ${Number(year)}::int, 1, ${parisDate()}::date,
          ${`F-${year}-`}, 4, '', ${JSON.stringify(event.row)}::jsonb, ${event.canonical}, ${event.marks}::text[])`.execute(t);
        expect(rows[0]!.number).toBe(expected(1)[0]);
        throw new Error('the document could not be written');
      }),
    ).rejects.toThrow('the document could not be written');
    const draft = await createDraft(client, dossierId, { type: 'invoice', customerId, lines: [LINE] });
    expect((await issue(client, dossierId, draft)).body.document.number).toBe(expected(1)[0]);
  });

  it('an issuer killed mid-transaction (its connection dies) consumes no number, and the waiting issuer goes on', async () => {
    const { client, dossierId, customerId } = await seller();
    const draft = await createDraft(client, dossierId, { type: 'invoice', customerId, lines: [LINE] });
    // A "process" that takes the dossier's write lock and a number, then dies before committing.
    const doomed = new pg.Client({ connectionString: server.db.url });
    await doomed.connect();
    doomed.on('error', () => undefined);
    await doomed.query(`BEGIN; SELECT set_config('role', '${server.ctx.config.appRole}', true), set_config('ardoise.dossier_id', '${dossierId}', true)`);
    await doomed.query(`INSERT INTO number_counters (dossier_id, series, period, last_value, last_date) VALUES ($1, 'invoice', $2, 0, '0001-01-01') ON CONFLICT DO NOTHING`, [dossierId, Number(year)]);
    await doomed.query(`SELECT last_seq FROM audit_heads WHERE dossier_id = $1 FOR UPDATE`, [dossierId]);
    await doomed.query(`UPDATE number_counters SET last_value = last_value + 1 WHERE dossier_id = $1 AND series = 'invoice'`, [dossierId]);
    const pid = (await doomed.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
    // Meanwhile a real issuer queues on the lock...
    const waiting = issue(client, dossierId, draft);
    await new Promise((r) => setTimeout(r, 300));
    // ...and the doomed one is killed, as a kill -9 of its process would end its connection.
    const admin = new pg.Client({ connectionString: server.db.adminUrl });
    await admin.connect();
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    await admin.end();
    const res = await waiting;
    expect(res.status).toBe(200);
    expect(res.body.document.number).toBe(expected(1)[0]);
    await doomed.end().catch(() => undefined);
  });

  it('the database refuses a duplicate number even when the application is bypassed', async () => {
    const { client, dossierId, customerId } = await seller();
    const draft = await createDraft(client, dossierId, { type: 'invoice', customerId, lines: [LINE] });
    await issue(client, dossierId, draft);
    const second = await createDraft(client, dossierId, { type: 'invoice', customerId, lines: [LINE] });
    await expect(
      server.ctx.db.updateTable('documents').set({ number: expected(1)[0]!, status: 'issued' }).where('id', '=', second.id).execute(),
    ).rejects.toThrow(/documents_number/);
  });
});

describe('chronological numbering', () => {
  it('refuses an invoice dated before the last issued one, with a clear message, changing nothing', async () => {
    const { client, dossierId, customerId } = await seller();
    const today = parisDate();
    const first = await createDraft(client, dossierId, { type: 'invoice', customerId, issueDate: today, lines: [LINE] });
    await issue(client, dossierId, first);
    const earlierDate = `${year}-01-01` === today ? today : `${year}-01-01`;
    const late = await createDraft(client, dossierId, { type: 'invoice', customerId, issueDate: earlierDate, lines: [LINE] });
    const res = await issue(client, dossierId, late);
    if (earlierDate === today) return; // 1 January: no earlier date in the year to try.
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('not_chronological');
    expect(res.body.error.message).toContain(`(01/01/${year})`);
    const row = await server.ctx.db.selectFrom('documents').select(['number', 'status']).where('id', '=', late.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ number: null, status: 'draft' });
    expect(await issuedNumbers(dossierId)).toEqual(expected(1));
  });

  it('restarts each year (by issue date, in Europe/Paris) and keeps credit notes and quotes in their own series', async () => {
    const { client, dossierId, customerId } = await seller();
    const lastYear = String(Number(year) - 1);
    const old = await createDraft(client, dossierId, { type: 'invoice', customerId, issueDate: `${lastYear}-12-31`, lines: [LINE] });
    expect((await issue(client, dossierId, old)).body.document.number).toBe(`F-${lastYear}-0001`);
    const current = await createDraft(client, dossierId, { type: 'invoice', customerId, lines: [LINE] });
    const invoice = (await issue(client, dossierId, current)).body.document;
    expect(invoice.number).toBe(expected(1)[0]);
    const note = (await client.post(`/api/d/${dossierId}/invoices/${invoice.id}/credit-note`, {})).body.document;
    expect((await issue(client, dossierId, note)).body.document.number).toBe(`AV-${year}-0001`);
    const quote = await createDraft(client, dossierId, { type: 'quote', customerId, lines: [LINE] });
    expect((await issue(client, dossierId, quote)).body.document.number).toBe(`D-${year}-0001`);
  });
});

describe('chronology across years', () => {
  it('refuses an invoice dated 31 December after one dated 5 January of the next year, whatever the yearly restart', async () => {
    const { client, dossierId, customerId } = await seller();
    const issueOn = async (issueDate: string) => issue(client, dossierId, await createDraft(client, dossierId, { type: 'invoice', customerId, issueDate, lines: [LINE] }));
    expect((await issueOn('2025-12-30')).body.document.number).toBe('F-2025-0001');
    expect((await issueOn('2026-01-05')).body.document.number).toBe('F-2026-0001');
    const late = await issueOn('2025-12-31');
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('not_chronological');
    expect(late.body.error.message).toContain('(05/01/2026)');
    expect((await issueOn('2026-01-05')).body.document.number).toBe('F-2026-0002');
    expect(await issuedNumbers(dossierId)).toEqual(['F-2025-0001', 'F-2026-0001', 'F-2026-0002']);
  });

  it('over any sequence of dates, issued dates never go back within a series and a refused issue leaves no gap', async () => {
    const dates = Array.from({ length: 6 }, (_, i) => addDays('2024-12-29', i)); // 29 December to 3 January
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...dates), { minLength: 1, maxLength: 6 }), fc.boolean(), async (sequence, yearlyReset) => {
        const { client, dossierId, customerId } = await seller();
        expect((await client.put(`/api/d/${dossierId}/numbering/invoice`, { format: 'F-{AAAA}-{NNNN}', yearlyReset, firstNumber: 1 })).status).toBe(200);
        const counters = new Map<string, number>();
        let lastDate = '';
        const issuedDates: string[] = [];
        for (const issueDate of sequence) {
          const res = await issue(client, dossierId, await createDraft(client, dossierId, { type: 'invoice', customerId, issueDate, lines: [LINE] }));
          if (issueDate < lastDate) {
            expect(res.status).toBe(409);
            expect(res.body.error.code).toBe('not_chronological');
            continue;
          }
          const period = yearlyReset ? issueDate.slice(0, 4) : 'all';
          const value = (counters.get(period) ?? 0) + 1;
          counters.set(period, value);
          expect(res.status, JSON.stringify(res.body)).toBe(200);
          expect(res.body.document.number).toBe(`F-${issueDate.slice(0, 4)}-${String(value).padStart(4, '0')}`);
          lastDate = issueDate;
          issuedDates.push(issueDate);
        }
        // In the order they were given, the numbers' dates never go back, and no number is missing.
        const rows = await server.ctx.db.selectFrom('documents').select(['number', 'issue_date']).where('dossier_id', '=', dossierId).where('number', 'is not', null).orderBy('issued_at').execute();
        expect(rows.map((r) => String(r.issue_date))).toEqual(issuedDates);
        expect(rows.length).toBe([...counters.values()].reduce((a, b) => a + b, 0));
      }),
      { numRuns: 12, examples: [[['2025-01-02', '2024-12-31', '2025-01-02'], true]] },
    );
  }, 180_000);
});

describe('numbering settings', () => {
  it('takes a custom format and first number, then locks them once a document is issued', async () => {
    const { client, dossierId, customerId } = await seller();
    const set = await client.put(`/api/d/${dossierId}/numbering/invoice`, { format: 'FA{AA}{MM}-{NNNNN}', yearlyReset: true, firstNumber: 500 });
    expect(set.status).toBe(200);
    const draft = await createDraft(client, dossierId, { type: 'invoice', customerId, lines: [LINE] });
    const number = (await issue(client, dossierId, draft)).body.document.number;
    expect(number).toBe(`FA${year.slice(2)}${parisDate().slice(5, 7)}-00500`);
    // A counter longer than its Ns is written whole, as renderNumber does.
    const wide = await client.put(`/api/d/${dossierId}/numbering/credit_note`, { format: 'AV{NN}', yearlyReset: false, firstNumber: 99 });
    expect(wide.status).toBe(200);
    const invoice = (await issue(client, dossierId, await createDraft(client, dossierId, { type: 'invoice', customerId, lines: [LINE] }))).body.document;
    for (const want of ['AV99', 'AV100']) {
      const note = (await client.post(`/api/d/${dossierId}/invoices/${invoice.id}/credit-note`, { lines: [{ position: 0, quantity: '1' }] })).body.document;
      expect(note, JSON.stringify(note)).toBeTruthy();
      expect((await issue(client, dossierId, note)).body.document.number).toBe(want);
    }
    const locked = await client.put(`/api/d/${dossierId}/numbering/invoice`, { format: 'X-{AAAA}-{NNNN}', yearlyReset: true, firstNumber: 1 });
    expect(locked.status).toBe(409);
    expect(locked.body.error.code).toBe('numbering_locked');
    const listed = await client.get(`/api/d/${dossierId}/numbering`);
    expect(listed.body.series.find((s: { series: string }) => s.series === 'invoice')).toMatchObject({ format: 'FA{AA}{MM}-{NNNNN}', locked: true });
  });

  it.each([
    ['no counter', 'F-{AAAA}', 'exactement un compteur'],
    ['two counters', '{NN}-{NNNN}', 'exactement un compteur'],
    ['a space', 'F {NNNN}', 'lettres sans accent'],
    ['an accent', 'Fé-{NNNN}', 'lettres sans accent'],
    ['an unknown tag', 'F-{JJ}-{NNNN}', 'balise inconnue'],
  ])('refuses a format with %s', async (_label, format, message) => {
    const { client, dossierId } = await seller();
    const res = await client.put(`/api/d/${dossierId}/numbering/invoice`, { format, yearlyReset: true, firstNumber: 1 });
    expect(res.status).toBe(400);
    expect(res.body.error.details.fields.format).toContain(message);
  });

  it('refuses a yearly restart with a format that lacks the year, and accepts that format without the restart', async () => {
    const { client, dossierId } = await seller();
    const res = await client.put(`/api/d/${dossierId}/numbering/invoice`, { format: 'F-{NNNN}', yearlyReset: true, firstNumber: 1 });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details.fields.format).toContain('doit contenir l’année ({AAAA} ou {AA})');
    expect((await client.put(`/api/d/${dossierId}/numbering/invoice`, { format: 'F-{NNNN}', yearlyReset: false, firstNumber: 1 })).status).toBe(200);
  });

  it('a format stored before it was checked that gives a number twice is a clear 409, not a 500, and issues nothing', async () => {
    const { client, dossierId, customerId } = await seller();
    await server.ctx.db.insertInto('numbering_series').values({ dossier_id: dossierId, series: 'invoice', format: 'F-{NNNN}', yearly_reset: true, first_number: 1 }).execute();
    const issueOn = async (issueDate: string) => issue(client, dossierId, await createDraft(client, dossierId, { type: 'invoice', customerId, issueDate, lines: [LINE] }));
    expect((await issueOn('2025-12-30')).body.document.number).toBe('F-0001');
    const res = await issueOn('2026-01-05');
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('number_taken');
    expect(res.body.error.message).toContain('(F-{NNNN}) redonne un numéro déjà attribué');
    expect(await issuedNumbers(dossierId)).toEqual(['F-0001']);
    const counters = await server.ctx.db.selectFrom('number_counters').select(['period', 'last_value']).where('dossier_id', '=', dossierId).where('last_value', '>', 0).execute();
    expect(counters).toEqual([{ period: 2025, last_value: 1 }]);
  });

  it('only administrators change numbering', async () => {
    const { dossierId, client } = await seller();
    const member = await signUp(server.app);
    await client.post(`/api/d/${dossierId}/members`, { email: member.email, profileId: 'adv' });
    const res = await member.client.put(`/api/d/${dossierId}/numbering/invoice`, { format: 'X-{AAAA}-{NNNN}', yearlyReset: true, firstNumber: 1 });
    expect(res.status).toBe(403);
  });
});
