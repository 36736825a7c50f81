import fs from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION_LABELS, describeChanges, fieldLabel, formatValue } from '../../core/audit-labels';
import { draftChanges, type DraftView } from '../../core/draft-changes';
import type { LineInput } from '../../core/document-schema';
import { parisDate } from '../../core/dates';
import { formatEuros } from '../../core/money';
import { signUp, type Reply } from '../../../test/helpers/client';
import { createCustomer, createDraft, issue, LINE, setUpSeller } from '../../../test/helpers/invoicing';
import { startTestServer, type TestServer } from '../../../test/helpers/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

interface Row {
  seq: number;
  action: string;
  actorName: string;
  documentType: string | null;
  documentNumber: string | null;
  customerName: string | null;
  grossCents: number | null;
  changes: Record<string, { before: unknown; after: unknown }> | null;
  references: Record<string, string>;
}

async function all(client: { get(url: string): Promise<Reply> }, url: string): Promise<Row[]> {
  const rows: Row[] = [];
  for (let cursor: string | null = null; ; ) {
    const page: Reply = await client.get(`${url}${url.includes('?') ? '&' : '?'}pageSize=200${cursor ? `&cursor=${cursor}` : ''}`);
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    rows.push(...page.body.events);
    cursor = page.body.nextCursor;
    if (!cursor) return rows;
  }
}

/** Two people of one dossier: an owner who sets up and issues, an ADV member who drafts. */
async function busyDossier() {
  const owner = await signUp(server.app, { name: 'Camille Durand', dossierName: 'Atelier Durand' });
  const adv = await signUp(server.app, { name: 'Bruno Lefèvre', dossierName: 'Ailleurs' });
  const base = `/api/d/${owner.dossierId}`;
  await setUpSeller(owner.client, owner.dossierId);
  expect((await owner.client.post(`${base}/members`, { email: adv.email, profileId: 'adv' })).status).toBe(201);
  const renard = await createCustomer(owner.client, owner.dossierId);
  const merle = await createCustomer(owner.client, owner.dossierId, { name: 'Café du Merle', siren: '552100554', vatNumber: null });
  const invoice = await createDraft(adv.client, owner.dossierId, { type: 'invoice', customerId: renard, issueDate: parisDate(), lines: [LINE, { ...LINE, designation: 'Plinthes', quantity: '3' }] });
  const quote = await createDraft(adv.client, owner.dossierId, { type: 'quote', customerId: merle, issueDate: parisDate(), lines: [LINE] });
  return { owner, adv, base, renard, merle, invoice, quote };
}

describe('the journal as people read it', () => {
  it('names each document event by its type, number, customer and amount, and records a draft change field by field', async () => {
    const { owner, adv, base, renard, merle, invoice } = await busyDossier();
    // One quantity of line 2 and the customer change: only those are recorded.
    const saved = await adv.client.patch(`${base}/invoices/${invoice.id}`, { version: invoice.version, customerId: merle, lines: [LINE, { ...LINE, designation: 'Plinthes', quantity: '5' }] });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    const issued = await issue(owner.client, owner.dossierId, saved.body.document);
    expect(issued.status).toBe(200);
    const number = issued.body.document.number as string;
    const grossCents = issued.body.document.totals.grossCents as number;

    const rows = await all(owner.client, `${base}/audit?documentType=invoice`);
    expect(rows.map((r) => r.action)).toEqual(['document.issued', 'document.updated', 'document.created']);
    for (const r of rows) expect(r).toMatchObject({ documentType: 'invoice', documentNumber: number, customerName: 'Café du Merle', grossCents });
    const updated = rows[1]!;
    expect(updated.actorName).toBe('Bruno Lefèvre');
    expect(Object.keys(updated.changes!).sort()).toEqual(['customerId', 'grossCents', 'lines[1].quantity']);
    expect(updated.changes!['lines[1].quantity']).toEqual({ before: '3', after: '5' });
    expect(updated.references).toEqual({ [renard]: 'Boulangerie Renard', [merle]: 'Café du Merle' });
    expect(describeChanges(updated.changes, updated.references, 'fr').map((c) => `${c.label} ${c.before} → ${c.after}`)).toEqual([
      'client Boulangerie Renard → Café du Merle',
      'ligne 2 : quantité 3 → 5',
      `montant TTC ${formatValue('grossCents', Number((updated.changes!.grossCents as { before: number }).before), {}, 'fr')} → ${formatValue('grossCents', grossCents, {}, 'fr')}`,
    ]);
    // Saving a draft unchanged records no field.
    const quoteRow = (await all(owner.client, `${base}/audit?documentType=quote`))[0]!;
    expect(quoteRow).toMatchObject({ action: 'document.created', documentNumber: null, customerName: 'Café du Merle' });
  });

  it('filters by user, free text, kind of action and Paris period, and sums per user and per day', async () => {
    const { owner, adv, base } = await busyDossier();
    const everything = await all(owner.client, `${base}/audit`);
    const byBruno = await all(owner.client, `${base}/audit?user=${adv.user.id}`);
    expect(byBruno.length).toBe(2);
    expect(byBruno.every((r) => r.actorName === 'Bruno Lefèvre')).toBe(true);
    const merle = await all(owner.client, `${base}/audit?q=${encodeURIComponent('du merle')}`);
    expect(merle.map((r) => r.action).sort()).toEqual(['customer.created', 'document.created']);
    // LIKE's wildcards are plain characters in a search.
    expect(await all(owner.client, `${base}/audit?q=${encodeURIComponent('%')}`)).toEqual([]);
    const documents = await all(owner.client, `${base}/audit?group=document`);
    expect(documents.map((r) => r.action)).toEqual(['document.created', 'document.created']);
    const today = parisDate();
    expect((await all(owner.client, `${base}/audit?from=${today}&to=${today}`)).length).toBe(everything.length);
    expect(await all(owner.client, `${base}/audit?to=2020-12-31`)).toEqual([]);

    const summary = await owner.client.get(`${base}/audit/summary?from=${today}&to=${today}`);
    expect(summary.status).toBe(200);
    expect(summary.body.total).toBe(everything.length);
    const bruno = summary.body.byUser.find((u: { name: string }) => u.name === 'Bruno Lefèvre');
    expect(bruno).toEqual({ userId: adv.user.id, name: 'Bruno Lefèvre', groups: { document: 2 }, total: 2 });
    expect(summary.body.byUser.reduce((n: number, u: { total: number }) => n + u.total, 0)).toBe(everything.length);
    expect(summary.body.byDay).toEqual(expect.arrayContaining([{ day: today, userId: adv.user.id, count: 2 }]));
    const actors = await owner.client.get(`${base}/audit/actors`);
    expect(actors.body.actors).toEqual([
      { userId: adv.user.id, name: 'Bruno Lefèvre' },
      { userId: owner.user.id, name: 'Camille Durand' },
    ]);
  });

  it('is closed to a view-only member, who holds neither audit.read nor audit.export', async () => {
    const owner = await signUp(server.app, { name: 'Camille Durand', dossierName: 'Atelier Durand' });
    const base = `/api/d/${owner.dossierId}`;
    const reader = await signUp(server.app, { name: 'Lecteur', dossierName: 'Autre' });
    const added = await owner.client.post(`${base}/members`, { email: reader.email, profileId: 'readonly' });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    for (const url of [`${base}/audit`, `${base}/audit/summary`, `${base}/audit/actors`]) expect((await reader.client.get(url)).status, url).toBe(403);
  });
});

describe('labels', () => {
  it('has a label for every action the server records', async () => {
    const files: string[] = [];
    async function walk(dir: string) {
      for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) await walk(full);
        else if (/\.ts$/.test(entry.name) && !/\.test\.ts$/.test(entry.name)) files.push(full);
      }
    }
    await walk('src/server');
    const recorded = new Set<string>();
    for (const file of files) {
      const source = await fs.readFile(file, 'utf8');
      for (const m of source.matchAll(/action: '([a-z_]+\.[a-z_]+)'/g)) recorded.add(m[1]!);
      for (const m of source.matchAll(/'(document\.(?:email|reminder)_[a-z_]+)'/g)) recorded.add(m[1]!);
    }
    expect(recorded.size).toBeGreaterThan(30);
    expect([...recorded].filter((a) => !(a in ACTION_LABELS))).toEqual([]);
  });

  it('names line fields « ligne N : champ » and writes amounts in euros, rates and dates the French way', () => {
    expect(fieldLabel('lines[1].quantity', 'fr')).toBe('ligne 2 : quantité');
    expect(fieldLabel('lines[0]', 'en')).toBe('line 1');
    expect(formatValue('grossCents', 82457, {}, 'fr')).toBe(formatEuros(82457));
    expect(formatValue('grossCents', 82457, {}, 'fr')).toMatch(/^824,57\s€$/);
    expect(formatValue('lines[3].vatRate', '5.5', {}, 'fr')).toBe('5,5 %');
    expect(formatValue('issueDate', '2026-12-07', {}, 'fr')).toBe('07/12/2026');
    expect(formatValue('customerId', '2b30c7f5-0000-4000-8000-000000000000', {}, 'fr')).toBe('élément supprimé');
    expect(formatValue('customerId', null, {}, 'fr')).toBe('∅');
  });
});

describe('draft changes', () => {
  const item = fc.record({
    kind: fc.constant('item' as const),
    designation: fc.string({ minLength: 1, maxLength: 8 }),
    quantity: fc.integer({ min: 1, max: 99 }).map(String),
    unitPrice: fc.integer({ min: 0, max: 9999 }).map(String),
    vatRate: fc.constantFrom('20', '10', '5.5', '2.1', '0'),
    nature: fc.constantFrom('goods' as const, 'service' as const),
  });
  const draft: fc.Arbitrary<DraftView> = fc.record({
    customerId: fc.option(fc.uuid()),
    issueDate: fc.constantFrom('2026-12-01', '2026-12-07'),
    serviceDate: fc.option(fc.constant('2026-11-30')),
    validityDate: fc.constant(null),
    paymentTerms: fc.option(fc.record({ days: fc.integer({ min: 0, max: 60 }), endOfMonth: fc.boolean() })),
    vatTreatment: fc.constantFrom('standard', 'franchise'),
    discount: fc.constant(null),
    notes: fc.option(fc.string({ maxLength: 10 })),
    lines: fc.array(item as fc.Arbitrary<LineInput>, { maxLength: 6 }),
  });

  it('is empty for an unchanged draft, whatever the key order', () => {
    fc.assert(
      fc.property(draft, (d) => {
        expect(draftChanges(d, JSON.parse(JSON.stringify(d)))).toEqual({});
      }),
    );
  });

  it('names exactly the one field of the one line that changed', () => {
    fc.assert(
      fc.property(draft.filter((d) => d.lines.length > 0), fc.nat(), fc.integer({ min: 100, max: 200 }), (d, at, quantity) => {
        const i = at % d.lines.length;
        const lines = d.lines.map((l, j) => (j === i ? { ...l, quantity: String(quantity) } : l));
        expect(draftChanges(d, { ...d, lines })).toEqual({ [`lines[${i}].quantity`]: { before: (d.lines[i] as { quantity: string }).quantity, after: String(quantity) } });
      }),
    );
  });

  it('records a line added or removed as a whole line', () => {
    fc.assert(
      fc.property(draft, item, (d, extra) => {
        const added = draftChanges(d, { ...d, lines: [...d.lines, extra] });
        expect(added).toEqual({ [`lines[${d.lines.length}]`]: { before: null, after: extra } });
        expect(draftChanges({ ...d, lines: [...d.lines, extra] }, d)).toEqual({ [`lines[${d.lines.length}]`]: { before: extra, after: null } });
      }),
    );
  });
});
