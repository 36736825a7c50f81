import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { inflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { actionGroup, actionLabel, ACTION_GROUPS, describeChanges, documentTypeLabel } from '../../core/audit-labels';
import { isWellFormed } from '../../core/text';
import { ApiClient, signUp } from '../../../test/helpers/client';
import { createCustomer, createDraft, issue, LINE, setUpSeller } from '../../../test/helpers/invoicing';
import { startTestServer, type TestServer } from '../../../test/helpers/server';
import { writeAudit } from '../platform/audit';
import { attachmentHeader, csvField, exportFileName, formatWallClock, parisWallClock, XLSX_CELL_MAX, xlsxText } from './export';
import { resolveReferences } from './journal';

/**
 * The journal's export, XLSX and CSV, read back as a person's spreadsheet would: the XLSX opened
 * by LibreOffice (headless, converted to CSV) and by exceljs's reader, the CSV parsed, every cell
 * compared with the dossier's events as the database holds them.
 */

const DOSSIER_NAME = 'Atelier Élodie & Fils 🪵';
const HYPERLINK = '=HYPERLINK("http://x","y")';
const LONG_LABEL = `Commande spéciale « Maëlle » 🥞 ${'é'.repeat(600)} — ${'Œuvre ✓ '.repeat(70)}`;

let server: TestServer;
let admin: ApiClient;
let dossierId: string;
let adv: { client: ApiClient; id: string; name: string };
let auditReader: ApiClient;
let readonly: ApiClient;
let outsider: ApiClient;
/** A long text exported whole in CSV, cut in XLSX (mail template bodies: 20,000 characters before and after). */
let longBody: string;

/** The events as the export must show them, newest first, from the database directly. */
interface Expected {
  seq: number;
  hash: string;
  occurredAt: Date;
  actorName: string;
  actorProfile: string | null;
  action: string;
  documentType: string | null;
  documentLabel: string | null;
  customerName: string | null;
  grossCents: number | null;
  summary: string;
  changes: string | null;
  ip: string | null;
}

async function expectedEvents(where = ''): Promise<Expected[]> {
  const client = new pg.Client({ connectionString: server.db.url });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT e.*, d.type AS document_type, d.number, d.gross_cents, coalesce(d.customer_snapshot->>'name', c.name) AS customer_name
       FROM audit_events e
       LEFT JOIN documents d ON d.dossier_id = e.dossier_id AND e.entity_type = 'document' AND d.id::text = e.entity_id
       LEFT JOIN customers c ON c.dossier_id = e.dossier_id AND c.id::text = CASE WHEN e.entity_type = 'customer' THEN e.entity_id ELSE d.customer_id::text END
       WHERE e.dossier_id = $1 ${where} ORDER BY e.seq DESC`,
      [dossierId],
    );
    const refs = await server.ctx.tx({ dossierId }, (t) => resolveReferences(t, dossierId, rows));
    return rows.map((r) => {
      const lines = describeChanges(r.changes, refs, 'fr');
      return {
        seq: Number(r.seq),
        hash: r.hash,
        occurredAt: r.occurred_at,
        actorName: r.actor_name,
        actorProfile: r.actor_profile,
        action: r.action,
        documentType: r.document_type,
        documentLabel: r.number ?? r.entity_label,
        customerName: r.customer_name,
        grossCents: r.gross_cents === null ? null : Number(r.gross_cents),
        summary: r.summary,
        changes: lines.length > 0 ? lines.map((l) => `${l.label} : ${l.before} → ${l.after}`).join('\n') : null,
        ip: r.ip,
      };
    });
  } finally {
    await client.end();
  }
}

const PARIS = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
/** « dd/mm/yyyy hh:mm:ss » on a clock in Paris, worked out by Intl (not by the code under test). */
function parisClock(instant: Date): string {
  const p = Object.fromEntries(PARIS.formatToParts(instant).map((x) => [x.type, x.value]));
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}:${p.second}`;
}

/** The cells of an expected event, as text; `amount` and `text` say how that format writes them. */
function expectedCells(e: Expected, amount: (cents: number) => string, text: (s: string) => string): string[] {
  const t = (s: string | null) => (s === null || s === '' ? '' : text(s));
  return [
    parisClock(e.occurredAt),
    t(e.actorName),
    t(e.actorProfile),
    t(actionLabel(e.action, 'fr')),
    t(documentTypeLabel(e.documentType, 'fr')),
    t(e.documentLabel),
    t(e.customerName),
    e.grossCents === null ? '' : amount(e.grossCents),
    t(e.summary),
    t(e.changes),
    t(e.ip),
    String(e.seq),
    e.hash,
  ];
}

const HEADERS = ['Date et heure', 'Utilisateur', 'Profil', 'Action', 'Type de document', 'Document ou élément', 'Client', 'Montant TTC', 'Détail', 'Modifications', 'Adresse IP', "N° d'ordre", 'Empreinte'];

/** RFC 4180 with `;` (LibreOffice's and ours): quoted fields, doubled quotes, line breaks inside quotes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endRow = () => {
    row.push(field);
    rows.push(row);
    row = [];
    field = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (quoted && c === '"') quoted = false;
    else if (quoted) field += c;
    else if (c === '"') quoted = true;
    else if (c === ';') {
      row.push(field);
      field = '';
    } else if (c === '\n') endRow();
    else if (c !== '\r' || text[i + 1] !== '\n') field += c;
  }
  if (field !== '' || row.length > 0) endRow();
  return rows;
}

/** One file of a zip (an XLSX), from its central directory. */
function zipEntry(zip: Buffer, name: string): string {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  let p = zip.readUInt32LE(end + 16);
  for (let i = 0; i < zip.readUInt16LE(end + 10); i++) {
    const nameLength = zip.readUInt16LE(p + 28);
    const entry = zip.toString('utf8', p + 46, p + 46 + nameLength);
    if (entry === name) {
      const local = zip.readUInt32LE(p + 42);
      const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const data = zip.subarray(start, start + zip.readUInt32LE(p + 20));
      return (zip.readUInt16LE(p + 10) === 8 ? inflateRawSync(data) : data).toString('utf8');
    }
    p += 46 + nameLength + zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
  }
  throw new Error(`${name} is not in the file`);
}

/** LibreOffice opens the XLSX and writes each sheet as it shows it (UTF-8, `;`, en-US number display). */
async function libreOfficeSheets(xlsx: Buffer): Promise<Record<string, string[][]>> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ardoise-soffice-'));
  try {
    const file = path.join(dir, 'journal.xlsx');
    await fs.writeFile(file, xlsx);
    const filter = 'csv:Text - txt - csv (StarCalc):59,34,76,1,,1033,false,true,true,false,false,-1';
    await new Promise<void>((resolve, reject) =>
      execFile(
        'soffice',
        [`-env:UserInstallation=file://${dir}/profile`, '--headless', '--convert-to', filter, '--outdir', dir, file],
        { env: { ...process.env, HOME: dir }, timeout: 120_000 },
        (error, _stdout, stderr) => (error ? reject(new Error(`soffice: ${error.message} ${stderr}`)) : resolve()),
      ),
    );
    const sheets: Record<string, string[][]> = {};
    for (const name of await fs.readdir(dir)) {
      const sheet = /^journal-(.+)\.csv$/.exec(name)?.[1];
      if (sheet) sheets[sheet] = parseCsv(await fs.readFile(path.join(dir, name), 'utf8'));
    }
    return sheets;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function exportedEvents(): Promise<{ rows: number; format: string; filters: unknown; summary: string }[]> {
  const res = await admin.get(`/api/d/${dossierId}/audit?action=audit.exported&pageSize=200`);
  expect(res.status).toBe(200);
  return res.body.events.map((e: any) => ({ rows: e.changes.rows.after, format: e.changes.format.after, filters: e.changes.filters.after, summary: e.summary }));
}

async function eventCount(): Promise<number> {
  const row = await server.ctx.db.selectFrom('audit_events').select((eb) => eb.fn.countAll<string>().as('n')).where('dossier_id', '=', dossierId).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** An event written by the one audit writer at a chosen time (the chain stays valid). */
async function eventAt(at: string, input: { action: string; entityType: string; entityLabel: string; summary: string }) {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(at));
  try {
    await server.ctx.tx({ dossierId }, (t) => writeAudit(t, dossierId, { userId: null, name: 'Relance automatique', profile: null }, { ip: null, userAgent: null, requestId: null }, input));
  } finally {
    vi.useRealTimers();
  }
}

beforeAll(async () => {
  server = await startTestServer({ MAIL_WORKER: 'false' });
  const owner = await signUp(server.app, { name: 'Élodie Lefèvre', dossierName: DOSSIER_NAME });
  admin = owner.client;
  dossierId = owner.dossierId;
  await server.ctx.db.updateTable('dossiers').set({ plan: 'tpe_plus', extra_seats: 10 }).where('id', '=', dossierId).execute();
  await setUpSeller(admin, dossierId, { legalName: DOSSIER_NAME });
  const trap = await createCustomer(admin, dossierId, { name: HYPERLINK });
  const crepes = await createCustomer(admin, dossierId, { kind: 'individual', name: 'Maëlle Crêpier 🥞', siren: null, vatNumber: null });
  expect((await admin.patch(`/api/d/${dossierId}/customers/${crepes}`, { version: 1, name: 'Maëlle Crêpier-Ñúñez 🥞' })).status).toBe(200);
  for (const [customerId, unitPrice] of [
    [trap, '1234.56'],
    [crepes, '0.07'],
  ] as const) {
    const draft = await createDraft(admin, dossierId, { type: 'invoice', customerId, lines: [{ ...LINE, quantity: '1', unitPrice }, { kind: 'comment', designation: LONG_LABEL }] });
    expect((await issue(admin, dossierId, draft)).status).toBe(200);
  }
  await createDraft(admin, dossierId, { type: 'quote', customerId: crepes, lines: [LINE] });
  longBody = `Bonjour, ${'voilà ✉️ '.repeat(2400)}`.slice(0, 20_000);
  for (const body of [longBody, `${longBody.slice(0, 19_990)}Cordialmt`]) {
    expect((await admin.put(`/api/d/${dossierId}/mail-templates/invoice`, { subject: 'Votre facture {numero}', body })).status).toBe(200);
  }
  // Both sides of the changes of the clock, and a winter and a summer time.
  await eventAt('2026-03-29T00:59:59.400Z', { action: 'document.reminder_requested', entityType: 'document', entityLabel: LONG_LABEL, summary: `Relance : ${LONG_LABEL}` });
  await eventAt('2026-03-29T01:00:00.000Z', { action: 'document.reminder_requested', entityType: 'document', entityLabel: '+33 6 12 34 56 78', summary: '@SOMME(A1:A3)' });
  await eventAt('2026-10-25T00:30:00.999Z', { action: 'document.reminder_cancelled', entityType: 'document', entityLabel: '-42', summary: 'Heure d’été 🌞 (code _x0041_ interne)' });
  await eventAt('2026-10-25T01:30:00.000Z', { action: 'document.reminder_cancelled', entityType: 'document', entityLabel: 'Dupont; "Fils"', summary: 'Heure d’hiver ❄️\nseconde ligne' });

  const member = await signUp(server.app, { name: 'Noé Ûrsule 🌻' });
  expect((await admin.post(`/api/d/${dossierId}/members`, { email: member.email, profileId: 'adv' })).status).toBe(201);
  adv = { client: member.client, id: member.user.id, name: 'Noé Ûrsule 🌻' };
  await createCustomer(adv.client, dossierId, { kind: 'individual', name: 'Client de Noé', siren: null, vatNumber: null });

  const reader = await signUp(server.app);
  const profile = await admin.post(`/api/d/${dossierId}/profiles`, { name: 'Lecture du journal', permissions: ['dossier.read', 'audit.read'] });
  expect((await admin.post(`/api/d/${dossierId}/members`, { email: reader.email, profileId: profile.body.profile.id })).status).toBe(201);
  auditReader = reader.client;
  const viewer = await signUp(server.app);
  expect((await admin.post(`/api/d/${dossierId}/members`, { email: viewer.email, profileId: 'readonly' })).status).toBe(201);
  readonly = viewer.client;
  outsider = (await signUp(server.app, { dossierName: 'Autre Société' })).client;
});
afterAll(() => server.close());

describe('XLSX', () => {
  it('opens in LibreOffice with every event, cell for cell, and a summary per user and kind of action', async () => {
    const expected = await expectedEvents();
    expect(expected.some((e) => e.changes && e.changes.length > XLSX_CELL_MAX)).toBe(true);
    const res = await admin.get(`/api/d/${dossierId}/audit/export?format=xlsx`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const xlsx = res.raw.rawPayload;
    expect(Number(res.headers['content-length'])).toBe(xlsx.length);
    const sheets = await libreOfficeSheets(xlsx);
    expect(Object.keys(sheets).sort()).toEqual(['Journal des actions', 'Synthèse']);

    const [header, ...rows] = sheets['Journal des actions']!;
    expect(header).toEqual(HEADERS);
    expect(rows).toHaveLength(expected.length);
    const shownAmount = (cents: number) => `${(cents / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} €`;
    rows.forEach((row, i) => {
      const cells = expectedCells(expected[i]!, shownAmount, (s) => s);
      cells.forEach((cell, c) => {
        if (cell.length <= XLSX_CELL_MAX) return expect(row[c], `row ${i + 2}, ${HEADERS[c]}`).toBe(cell);
        // Longer than a cell may hold: cut, saying so, its beginning intact.
        const shown = row[c]!;
        expect(shown.length).toBeLessThanOrEqual(XLSX_CELL_MAX);
        expect(shown).toMatch(/ \[…\] \(tronqué : [\d\u202f]+ caractères en tout, dans l'export CSV\)$/);
        expect(cell.startsWith(shown.slice(0, shown.lastIndexOf(' […]')))).toBe(true);
      });
    });
    // Amounts to the cent, and the sensitive values as they were typed.
    expect(rows.map((r) => r[7]).filter(Boolean)).toEqual(expect.arrayContaining(['1,481.47 €', '0.08 €']));
    expect(rows.filter((r) => r[6] === HYPERLINK).length).toBeGreaterThanOrEqual(3);
    expect(rows.find((r) => r[8] === `Relance : ${LONG_LABEL}`)![0]).toBe('29/03/2026 01:59:59');
    expect(rows.find((r) => r[8] === '@SOMME(A1:A3)')![0]).toBe('29/03/2026 03:00:00');
    expect(rows.find((r) => r[8] === 'Heure d’été 🌞 (code _x0041_ interne)')![0]).toBe('25/10/2026 02:30:00');
    expect(rows.find((r) => r[8] === 'Heure d’hiver ❄️\nseconde ligne')![0]).toBe('25/10/2026 02:30:00');

    const [summaryHeader, ...summaryRows] = sheets['Synthèse']!;
    const perUser = new Map<string, Record<string, number>>();
    for (const e of expected) {
      const user = perUser.get(e.actorName) ?? {};
      user[actionGroup(e.action)] = (user[actionGroup(e.action)] ?? 0) + 1;
      perUser.set(e.actorName, user);
    }
    const groups = Object.keys(ACTION_GROUPS).filter((g) => [...perUser.values()].some((u) => u[g]));
    expect(summaryHeader).toEqual(['Utilisateur', ...groups.map((g) => ACTION_GROUPS[g]!.fr), 'Total']);
    expect(summaryRows).toHaveLength(perUser.size + 1);
    for (const [name, counts] of perUser) {
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      expect(summaryRows.find((r) => r[0] === name)).toEqual([name, ...groups.map((g) => String(counts[g] ?? 0)), String(total)]);
    }
    expect(summaryRows.at(-1)).toEqual(['Total', ...groups.map((g) => String(expected.filter((e) => actionGroup(e.action) === g).length)), String(expected.length)]);

    const recorded = (await exportedEvents())[0]!;
    expect(recorded).toMatchObject({ rows: expected.length, format: 'xlsx', filters: { order: 'desc' } });
    expect(recorded.summary).toBe(`Export XLSX du journal des actions : ${expected.length} lignes`);
  }, 180_000);

  it('holds real dates and euro amounts, a frozen header, a filter, and the formula-like texts as strings', async () => {
    const expected = await expectedEvents();
    const res = await admin.get(`/api/d/${dossierId}/audit/export?format=xlsx`);
    expect(res.status).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.read(Readable.from(res.raw.rawPayload));
    const sheet = book.getWorksheet('Journal des actions')!;
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.autoFilter).toBe(`A1:M${expected.length + 1}`);
    expect(sheet.getRow(1).getCell(1).font?.bold).toBe(true);
    for (let i = 0; i < expected.length; i++) {
      const row = sheet.getRow(i + 2);
      const when = row.getCell(1);
      expect(when.value).toBeInstanceOf(Date);
      expect(when.numFmt).toBe('dd/mm/yyyy hh:mm:ss');
      expect(formatWallClock(when.value as Date)).toBe(parisClock(expected[i]!.occurredAt));
      const amount = row.getCell(8);
      if (expected[i]!.grossCents === null) expect(amount.value).toBeNull();
      else {
        expect(typeof amount.value).toBe('number');
        expect(Math.round((amount.value as number) * 100)).toBe(expected[i]!.grossCents);
        expect(amount.numFmt).toBe('#,##0.00 "€"');
      }
      expect(row.getCell(12).value).toBe(expected[i]!.seq);
      for (let c = 1; c <= 13; c++) expect(row.getCell(c).formula, `row ${i + 2} column ${c}`).toBeUndefined();
    }
    const trap = sheet.getColumn(7).values.findIndex((v) => typeof v === 'object' && v !== null && 'richText' in v);
    expect(sheet.getRow(trap).getCell(7).text).toBe(HYPERLINK);
    expect(sheet.getRow(trap).getCell(7).type).toBe(ExcelJS.ValueType.RichText);
    for (let c = 1; c <= 13; c++) {
      const width = sheet.getColumn(c).width!;
      expect(width).toBeGreaterThanOrEqual(10);
      expect(width).toBeLessThanOrEqual(60);
    }
    // In the file itself: no formula anywhere, the formula-like texts as inline strings.
    const xml = zipEntry(res.raw.rawPayload, 'xl/worksheets/sheet1.xml');
    expect(xml).not.toContain('<f>');
    expect(xml).not.toMatch(/<f[ >]/);
    expect(xml).toContain('<c r="G');
    expect(xml).toMatch(/<c r="G\d+" t="inlineStr"><is><r><t>=HYPERLINK\(&quot;http:\/\/x&quot;,&quot;y&quot;\)<\/t><\/r><\/is><\/c>/);
    expect(xml).toMatch(/t="inlineStr"><is><r><t>@SOMME\(A1:A3\)<\/t>/);
    expect(xml).toMatch(/t="inlineStr"><is><r><t>\+33 6 12 34 56 78<\/t>/);
    expect(xml).toMatch(/t="inlineStr"><is><r><t>-42<\/t>/);
  });

  it('is named after the dossier and the day, in ASCII and as typed', async () => {
    const res = await admin.get(`/api/d/${dossierId}/audit/export?format=xlsx`);
    const disposition = String(res.headers['content-disposition']);
    const name = exportFileName(DOSSIER_NAME, 'xlsx');
    expect(name).toMatch(/^journal-des-actions-atelier-élodie-&-fils-🪵-\d{4}-\d{2}-\d{2}\.xlsx$/);
    expect(disposition).toBe(attachmentHeader(name));
    const ascii = /filename="([^"]+)"/.exec(disposition)![1]!;
    expect(ascii).toMatch(/^journal-des-actions-atelier-elodie-fils-\d{4}-\d{2}-\d{2}\.xlsx$/);
    expect(decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(disposition)![1]!)).toBe(name);
  });
});

describe('CSV', () => {
  it('is UTF-8 with a BOM, `;` and CRLF, every cell as the database holds it, formula-like texts prefixed', async () => {
    const expected = await expectedEvents();
    const res = await admin.get(`/api/d/${dossierId}/audit/export?format=csv`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(String(res.headers['content-disposition'])).toContain(`filename*=UTF-8''${encodeURIComponent(exportFileName(DOSSIER_NAME, 'csv')).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`);
    const bytes = res.raw.rawPayload;
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8').slice(1);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.split('\r\n')[0]).toBe(HEADERS.join(';'));
    const [header, ...rows] = parseCsv(text);
    expect(header).toEqual(HEADERS);
    expect(rows).toHaveLength(expected.length);
    const prefixed = (s: string) => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);
    rows.forEach((row, i) => expect(row, `row ${i + 2}`).toEqual(expectedCells(expected[i]!, (cents) => `${Math.trunc(cents / 100)},${String(cents % 100).padStart(2, '0')}`, prefixed)));
    expect(rows.map((r) => r[7]).filter(Boolean)).toEqual(expect.arrayContaining(['1481,47', '0,08']));
    expect(rows.some((r) => r[6] === `'${HYPERLINK}`)).toBe(true);
    expect(rows.some((r) => r[9]!.length > XLSX_CELL_MAX)).toBe(true);
    expect(text).toContain(`'=HYPERLINK(""http://x"",""y"")"`);
    expect(text).toContain('"Dupont; ""Fils"""');
    expect((await exportedEvents())[0]).toMatchObject({ rows: expected.length, format: 'csv' });
  });

  it('in English when the browser asks for it', async () => {
    const res = await admin.get(`/api/d/${dossierId}/audit/export?format=csv&action=customer.created`, { headers: { 'accept-language': 'en-GB,en;q=0.8' } });
    expect(res.status).toBe(200);
    const [header, ...rows] = parseCsv(res.raw.rawPayload.toString('utf8').slice(1));
    expect(header).toEqual(['Date and time', 'User', 'Profile', 'Action', 'Document type', 'Document or record', 'Customer', 'Amount incl. VAT', 'Details', 'Changes', 'IP address', 'Sequence no.', 'Hash']);
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((r) => r[3]))).toEqual(new Set(['Customer created']));
  });
});

/** Descriptors of this process open on an export's temporary file (unlinked: « (deleted) »). */
async function openExportFiles(): Promise<string[]> {
  const links = await Promise.all((await fs.readdir('/proc/self/fd')).map((fd) => fs.readlink(`/proc/self/fd/${fd}`).catch(() => '')));
  return links.filter((l) => l.includes('ardoise-export-'));
}

it('leaves no temporary file behind, nor a descriptor open, answered or refused', async () => {
  const before = new Set(await fs.readdir(os.tmpdir()));
  for (const query of ['format=xlsx', 'format=csv', `format=csv&user=${randomUUID()}`]) await admin.get(`/api/d/${dossierId}/audit/export?${query}`);
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(await openExportFiles()).toEqual([]);
  expect((await fs.readdir(os.tmpdir())).filter((f) => f.startsWith('ardoise-export-') && !before.has(f))).toEqual([]);
});

describe('filters', () => {
  it('a user filter exports only their rows, and the trail records the filter', async () => {
    const expected = (await expectedEvents()).filter((e) => e.actorName === adv.name);
    expect(expected.length).toBeGreaterThan(0);
    const res = await admin.get(`/api/d/${dossierId}/audit/export?format=csv&user=${adv.id}&from=2026-01-01`);
    expect(res.status).toBe(200);
    const [, ...rows] = parseCsv(res.raw.rawPayload.toString('utf8').slice(1));
    expect(rows.map((r) => r[11])).toEqual(expected.map((e) => String(e.seq)));
    expect(new Set(rows.map((r) => r[1]))).toEqual(new Set([adv.name]));
    const recorded = (await exportedEvents())[0]!;
    expect(recorded).toMatchObject({ rows: expected.length, format: 'csv', filters: { user: adv.id, from: '2026-01-01', order: 'desc' } });
    expect(recorded.summary).toContain(`à partir du 01/01/2026, utilisateur ${adv.name}`);
  });

  it('bad filters are refused with 400 and write nothing', async () => {
    const before = await eventCount();
    for (const query of ['format=pdf', 'from=2026-13-45', `user=${randomUUID()}`, 'from=2026-05-01&to=2026-04-01', 'action=nothing.done', 'colour=blue']) {
      const res = await admin.get(`/api/d/${dossierId}/audit/export?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    expect(await eventCount()).toBe(before);
  });
});

describe('who may export', () => {
  it('a member who reads the journal but may not export it gets 403, a view-only member too; nothing is written', async () => {
    const before = await eventCount();
    for (const client of [auditReader, readonly, adv.client]) {
      const res = await client.get(`/api/d/${dossierId}/audit/export?format=csv`);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
    expect(await eventCount()).toBe(before);
  });

  it("another dossier's member gets 404, without the dossier's name", async () => {
    const before = await eventCount();
    const res = await outsider.get(`/api/d/${dossierId}/audit/export?format=xlsx`);
    expect(res.status).toBe(404);
    expect(JSON.stringify(res.body)).not.toContain('Élodie');
    expect(await eventCount()).toBe(before);
  });
});

describe('size', () => {
  it('more than 50,000 rows is refused with 413 and a French message; a narrower period exports', async () => {
    const big = await signUp(server.app, { dossierName: 'Grand Dossier' });
    // 50,001 events written straight into the table (their hashes are not a chain: the export does not verify it).
    const owner = new pg.Client({ connectionString: server.db.url });
    await owner.connect();
    try {
      await owner.query(
        `WITH head AS (SELECT last_seq FROM audit_heads WHERE dossier_id = $1),
         e AS (
           INSERT INTO audit_events (dossier_id, seq, id, occurred_at, actor_user_id, actor_name, action, entity_type, summary, prev_hash, hash)
           SELECT $1, head.last_seq + g, gen_random_uuid(), timestamptz '2025-06-01 10:00+02' + g * interval '1 minute', $2, 'Camille Durand', 'customer.updated', 'customer',
                  'Modification n° ' || g, repeat('0', 64), md5(g::text) || md5(g::text)
           FROM head, generate_series(1, 50001) g RETURNING seq, hash)
         UPDATE audit_heads SET last_seq = (SELECT max(seq) FROM e), last_hash = (SELECT hash FROM e ORDER BY seq DESC LIMIT 1) WHERE dossier_id = $1`,
        [big.dossierId, big.user.id],
      );
    } finally {
      await owner.end();
    }
    const before = (await big.client.get(`/api/d/${big.dossierId}/audit?pageSize=1`)).body.events[0].seq;
    const refused = await big.client.get(`/api/d/${big.dossierId}/audit/export?format=csv`);
    expect(refused.status).toBe(413);
    expect(refused.body.error).toMatchObject({ code: 'export_too_large', details: { rows: before, limit: 50_000 } });
    expect(refused.body.error.message).toContain('choisissez une période plus courte');
    expect((await big.client.get(`/api/d/${big.dossierId}/audit?pageSize=1`)).body.events[0].seq).toBe(before);
    const narrower = await big.client.get(`/api/d/${big.dossierId}/audit/export?format=csv&to=2025-06-01`);
    expect(narrower.status).toBe(200);
    expect(parseCsv(narrower.raw.rawPayload.toString('utf8').slice(1))).toHaveLength(1 + 839);
  }, 60_000);
});

describe('cells', () => {
  it('Paris wall-clock time across the changes of the clock, to the second', () => {
    const clock = (iso: string) => formatWallClock(parisWallClock(new Date(iso)));
    expect(clock('2026-01-15T12:00:00.999Z')).toBe('15/01/2026 13:00:00');
    expect(clock('2026-07-15T12:00:00Z')).toBe('15/07/2026 14:00:00');
    expect(clock('2026-03-29T00:59:59.999Z')).toBe('29/03/2026 01:59:59');
    expect(clock('2026-03-29T01:00:00Z')).toBe('29/03/2026 03:00:00');
    expect(clock('2026-10-25T00:59:59Z')).toBe('25/10/2026 02:59:59');
    expect(clock('2026-10-25T01:00:00Z')).toBe('25/10/2026 02:00:00');
    expect(clock('2026-12-31T23:30:00Z')).toBe('01/01/2027 00:30:00');
  });

  it('CSV fields: formula-like text prefixed, RFC 4180 quoting', () => {
    expect(csvField('=1+1')).toBe("'=1+1");
    expect(csvField('+33 6')).toBe("'+33 6");
    expect(csvField('-2')).toBe("'-2");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\tx')).toBe("'\tx");
    expect(csvField('\rx')).toBe(`"'\rx"`);
    expect(csvField('a;b')).toBe('"a;b"');
    expect(csvField('dit "oui"')).toBe('"dit ""oui"""');
    expect(csvField('=HYPERLINK("http://x";"y")')).toBe(`"'=HYPERLINK(""http://x"";""y"")"`);
    expect(csvField('deux\nlignes')).toBe('"deux\nlignes"');
    expect(csvField('Crème brûlée')).toBe('Crème brûlée');
  });

  it('XLSX texts: formula-like ones as inline strings, unchanged; too long ones cut within a cell', () => {
    expect(xlsxText('=1+1', 'fr')).toEqual({ richText: [{ text: '=1+1' }] });
    expect(xlsxText('Crème', 'fr')).toBe('Crème');
    expect(xlsxText('a\uFFFEb', 'fr')).toBe('a\uFFFDb');
    expect(xlsxText(' espace ', 'fr')).toEqual({ richText: [{ text: ' espace ' }] });
    expect(xlsxText('code _x0041_ et _x00e9_', 'fr')).toEqual({ richText: [{ text: 'code _x005F_x0041_ et _x005F_x00e9_' }] });
    const emoji = '😀'.repeat(20_000);
    const cut = xlsxText(emoji, 'fr') as string;
    expect(cut.length).toBeLessThanOrEqual(XLSX_CELL_MAX);
    expect(isWellFormed(cut)).toBe(true);
    expect(cut).toMatch(/^(😀)+ \[…\] \(tronqué : 40\u202f000 caractères en tout, dans l'export CSV\)$/);
  });
});
