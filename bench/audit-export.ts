import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Writable } from 'node:stream';
import { build } from 'esbuild';
import ExcelJS from 'exceljs';
import pg from 'pg';
import { ACTION_GROUPS } from '../src/core/audit-labels';
import { addDays } from '../src/core/dates';
import { journalCellBatches, journalColumns, XLSX_NUMBER_FORMATS, type Cell } from '../src/server/audit/export';
import { journalSummary, type JournalFilters, type JournalSummary } from '../src/server/audit/journal';
import { LINE, SELLER } from '../test/helpers/invoicing';
import { call, signUp, startBenchApp } from './issue-concurrency';
import { median, round, RESULTS_DIR, ROOT, type BenchResult } from './report';

/**
 * audit-export: the Journal des actions of a dossier of EVENTS events exported to XLSX through
 * the real HTTP path (a logged-in session, `GET /api/d/:id/audit/export?format=xlsx&user=…`, one
 * user's quarter of the events: 50,000 rows, the most a request may export), timed until the
 * client has the last byte; against exceljs's streaming writer writing the same rows (read
 * beforehand, held in memory) with the same columns, number formats and summary sheet to a sink
 * that drops them, in the same run, alternating. ratio = ours ÷ baseline (medians); goal ≤ 1.3.
 *
 * Memory: since the route refuses more than 50,000 rows, the export function itself
 * (journalRows → the writer → a sink) runs in a child process (bench/audit-export-rss.ts, bundled) at
 * each of RSS_ROWS rows of the same dossier, topped up for it; its peak resident set must stay
 * under 250 MB and flat (the largest within 25 % of the smallest).
 *
 * The events are inserted by the owner connection with generate_series, 5,000 a day (Paris days,
 * so that a period filter selects an exact count) from 1 January 2024, four actors in turn, six
 * kinds of action naming the dossier's real invoices and customers (made through the API), with
 * changes to describe and a customer to resolve. Their hashes are synthetic, not a chain: the
 * export does not verify the chain (that is `…/audit/verify`'s work).
 */
const EVENTS = Number(process.env.BENCH_AUDIT_EVENTS ?? 200_000);
const ACTORS = 4;
const PER_DAY = 5000;
const RSS_ROWS = (process.env.BENCH_AUDIT_RSS_ROWS ?? '50000,500000').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_AUDIT_ROUNDS ?? 3);
const GOAL = 1.3;
const RSS_LIMIT_MB = 250;
const FLAT = 1.25;
const CHUNK = 100_000;

async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  const result = await fn();
  console.log(`  audit-export: ${label} in ${round((Date.now() - t0) / 1000, 1)} s`);
  return result;
}

interface Names {
  actors: string[];
  actorNames: string[];
  documents: string[];
  customers: string[];
}

/** Events g = from … from + count - 1 of the synthetic trail, appended after the dossier's head. */
async function insertEvents(ownerUrl: string, dossierId: string, from: number, count: number, names: Names): Promise<void> {
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    await client.query('SET synchronous_commit = off');
    for (let start = from; start < from + count; start += CHUNK) {
      const n = Math.min(CHUNK, from + count - start);
      await client.query(
        `WITH head AS (SELECT last_seq FROM audit_heads WHERE dossier_id = $1 FOR UPDATE),
         ins AS (
           INSERT INTO audit_events (dossier_id, seq, id, occurred_at, actor_user_id, actor_name, actor_profile, action, entity_type, entity_id,
                                     entity_label, summary, changes, ip, user_agent, request_id, prev_hash, hash)
           SELECT $1, head.last_seq + 1 + g - $2, gen_random_uuid(),
                  (date '2024-01-01' + (g / ${PER_DAY})::int)::timestamp AT TIME ZONE 'Europe/Paris' + interval '1 hour' + (g % ${PER_DAY}) * interval '15 seconds',
                  ($4::uuid[])[1 + g % ${ACTORS}], ($5::text[])[1 + g % ${ACTORS}], 'Administrateur',
                  (ARRAY['document.updated', 'document.issued', 'payment.recorded', 'customer.updated', 'document.email_sent', 'document.created'])[1 + g % 6],
                  CASE WHEN g % 6 = 3 THEN 'customer' ELSE 'document' END,
                  CASE WHEN g % 6 = 3 THEN ($7::uuid[])[1 + g % array_length($7::uuid[], 1)]::text ELSE ($6::uuid[])[1 + g % array_length($6::uuid[], 1)]::text END,
                  CASE WHEN g % 6 = 3 THEN 'Client n° ' || g % 97 ELSE 'Facture F-2024-' || lpad((g % 9973)::text, 4, '0') END,
                  (ARRAY['Modification du brouillon de facture', 'Émission de la facture', 'Paiement enregistré par virement',
                         'Modification de la fiche client', 'E-mail accepté par le serveur de messagerie', 'Création du brouillon de facture'])[1 + g % 6] || ' n° ' || g,
                  CASE g % 6
                    WHEN 0 THEN jsonb_build_object('grossCents', jsonb_build_object('before', g * 10, 'after', g * 10 + 599),
                                                   'lines[0].quantity', jsonb_build_object('before', '1', 'after', '2.5'))
                    WHEN 1 THEN jsonb_build_object('number', jsonb_build_object('before', NULL, 'after', 'F-2024-' || g), 'status', jsonb_build_object('before', 'draft', 'after', 'issued'))
                    WHEN 2 THEN jsonb_build_object('amountCents', jsonb_build_object('before', NULL, 'after', 1000 + g % 90000), 'method', jsonb_build_object('before', NULL, 'after', 'virement'))
                    WHEN 3 THEN jsonb_build_object('name', jsonb_build_object('before', 'Client ' || g, 'after', 'Client ' || g || ' et fils'))
                    WHEN 4 THEN NULL
                    ELSE jsonb_build_object('customerId', jsonb_build_object('before', NULL, 'after', ($7::uuid[])[1 + g % array_length($7::uuid[], 1)]))
                  END,
                  '203.0.113.' || g % 250, 'Mozilla/5.0 (bench)', 'req-' || g,
                  md5(g::text) || md5((g + 1)::text), md5((g + 1)::text) || md5(g::text)
           FROM head, generate_series($2::bigint, $2::bigint + $3 - 1) g
           RETURNING seq, hash)
         UPDATE audit_heads SET last_seq = (SELECT max(seq) FROM ins), last_hash = (SELECT hash FROM ins ORDER BY seq DESC LIMIT 1) WHERE dossier_id = $1`,
        [dossierId, start, n, names.actors, names.actorNames, names.documents, names.customers],
      );
    }
    await client.query('VACUUM (ANALYZE) audit_events');
  } finally {
    await client.end();
  }
}

/** Ours: the route, over HTTP, until the last byte is in. */
async function overHttp(url: string, cookie: string): Promise<{ ms: number; bytes: number }> {
  const t0 = performance.now();
  const res = await fetch(url, { headers: { cookie } });
  if (res.status !== 200) throw new Error(`GET export: ${res.status} ${await res.text()}`);
  let bytes = 0;
  const reader = res.body!.getReader();
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) bytes += chunk.value.length;
  return { ms: performance.now() - t0, bytes };
}

/**
 * The baseline: exceljs's streaming writer, the same cells from memory, the same columns and
 * formats, both sheets, as exceljs's documentation writes them (the number formats as column
 * styles). `sharedStyles`: each cell given its column's style object, as the export does (an
 * extra figure: what the export costs beyond its writer).
 */
async function plainExceljs(cells: Cell[][], summary: JournalSummary, sharedStyles = false): Promise<{ ms: number; bytes: number }> {
  const columns = journalColumns('fr');
  let bytes = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done();
    },
  });
  const t0 = performance.now();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet('Journal des actions', { views: [{ state: 'frozen', ySplit: 1 }] });
  const styles = columns.map((c) => (XLSX_NUMBER_FORMATS[c.kind] ? { numFmt: XLSX_NUMBER_FORMATS[c.kind] } : {}));
  sheet.columns = columns.map((c, i) => ({ header: c.header, width: 24, style: styles[i] }));
  sheet.getRow(1).font = { bold: true };
  sheet.getRow(1).commit();
  for (const cellsOfRow of cells) {
    const row = sheet.addRow(cellsOfRow.map((value, i) => (value !== null && columns[i]!.kind === 'amount' ? (value as number) / 100 : value)));
    if (sharedStyles) for (let i = 0; i < styles.length; i++) row.getCell(i + 1).style = styles[i]!;
    row.commit();
  }
  sheet.autoFilter = `A1:M${cells.length + 1}`;
  sheet.commit();
  const groups = Object.keys(ACTION_GROUPS).filter((g) => summary.byUser.some((u) => u.groups[g]));
  const second = workbook.addWorksheet('Synthèse', { views: [{ state: 'frozen', ySplit: 1 }] });
  second.columns = [{ header: 'Utilisateur', width: 24 }, ...groups.map((g) => ({ header: ACTION_GROUPS[g]!.fr, width: 16 })), { header: 'Total', width: 10 }];
  second.getRow(1).commit();
  for (const u of summary.byUser) second.addRow([u.name, ...groups.map((g) => u.groups[g] ?? 0), u.total]).commit();
  second.addRow(['Total', ...groups.map((g) => summary.byUser.reduce((s, u) => s + (u.groups[g] ?? 0), 0)), summary.total]).commit();
  second.commit();
  await workbook.commit();
  return { ms: performance.now() - t0, bytes };
}

interface ChildResult {
  rows: number;
  bytes: number;
  ms: number;
  rssBeforeMb: number;
  peakRssMb: number;
}

/**
 * The child's code bundled as the server is (scripts/build-server.mjs: esbuild, packages left in
 * node_modules) and run on plain Node, as production runs dist/server/: without tsx, whose
 * loader thread alone holds tens of megabytes.
 */
async function buildChild(): Promise<string> {
  const outfile = path.join(RESULTS_DIR, 'audit-export-rss.mjs');
  await build({ absWorkingDir: ROOT, entryPoints: ['bench/audit-export-rss.ts'], outfile, bundle: true, format: 'esm', platform: 'node', target: 'node20', packages: 'external', logLevel: 'warning' });
  return outfile;
}

/** The export function alone, in a child process: its peak resident memory. */
function exportInChild(script: string, ownerUrl: string, appRole: string, dossierId: string, filters: JournalFilters): Promise<ChildResult> {
  const env = { ...process.env, BENCH_EXPORT_DB: ownerUrl, BENCH_EXPORT_ROLE: appRole, BENCH_EXPORT_JOB: JSON.stringify({ dossierId, filters, format: 'xlsx' }) };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`export child exited with ${code}: ${err.slice(0, 2000)}`));
      resolve(JSON.parse(out.trim().split('\n').at(-1)!) as ChildResult);
    });
  });
}

/** The first `rows` synthetic events (PER_DAY a Paris day from 1 January 2024), as a period filter. */
const firstEvents = (rows: number): JournalFilters => ({ from: '2024-01-01', to: addDays('2024-01-01', Math.ceil(rows / PER_DAY) - 1), order: 'desc' });

export async function auditExport(): Promise<BenchResult> {
  if (EVENTS % ACTORS !== 0 || EVENTS / ACTORS > 50_000) throw new Error(`BENCH_AUDIT_EVENTS must be a multiple of ${ACTORS} of at most ${50_000 * ACTORS}`);
  if (RSS_ROWS.some((n) => !(n > 0) || n % PER_DAY !== 0)) throw new Error(`BENCH_AUDIT_RSS_ROWS: multiples of ${PER_DAY}`);
  const app = await startBenchApp('audit-export');
  const { server, ownerUrl } = app;
  try {
    const base = server.url;
    const session = await signUp(base, 'audit-export');
    const dossierId = session.dossierId;
    await call(base, session, 'PATCH', `/api/d/${dossierId}/settings`, SELLER, 200);
    const customers: string[] = [];
    for (const name of ['Boulangerie Renard', 'Crêperie Maëlle', 'Garage Lefèvre', 'Fleurs & Cie', 'Noé Ûrsule']) {
      const body = { kind: 'individual', name, billingAddress: { line1: '3 place du Marché', line2: '', postalCode: '38000', city: 'Grenoble', country: 'FR' } };
      customers.push((await call<{ customer: { id: string } }>(base, session, 'POST', `/api/d/${dossierId}/customers`, body, 201)).customer.id);
    }
    const documents: string[] = [];
    for (let i = 0; i < 10; i++) {
      const body = { type: 'invoice', customerId: customers[i % customers.length], lines: [{ ...LINE, unitPrice: `${100 + i * 37}.45` }] };
      const { document } = await call<{ document: { id: string; version: number } }>(base, session, 'POST', `/api/d/${dossierId}/invoices`, body, 201);
      await call(base, session, 'POST', `/api/d/${dossierId}/invoices/${document.id}/issue`, { version: document.version }, 200);
      documents.push(document.id);
    }
    const actors = Array.from({ length: ACTORS }, () => randomUUID());
    const names: Names = { actors, actorNames: ['Camille Durand', 'Élodie Lefèvre', 'Noé Martin', 'Inès Bernard'], documents, customers };
    await timed(`${EVENTS.toLocaleString('en')} events inserted`, () => insertEvents(ownerUrl, dossierId, 0, EVENTS, names));

    // One user's quarter of the trail: what the route exports, and what the baseline is given.
    const filters: JournalFilters = { user: actors[0], order: 'desc' };
    const url = `${base}/api/d/${dossierId}/audit/export?format=xlsx&user=${actors[0]}`;
    const { cells, summary } = await server.ctx.tx({ dossierId }, async (t) => {
      const all: Cell[][] = [];
      for await (const batch of journalCellBatches(t, dossierId, filters, 'fr')) all.push(...batch);
      return { cells: all, summary: await journalSummary(t, dossierId, filters) };
    });
    if (cells.length !== EVENTS / ACTORS) throw new Error(`the export would hold ${cells.length} rows, not ${EVENTS / ACTORS}`);

    await overHttp(url, session.cookie);
    await plainExceljs(cells, summary);
    await plainExceljs(cells, summary, true);
    const ours: { ms: number; bytes: number }[] = [];
    const baseline: { ms: number; bytes: number }[] = [];
    const shared: { ms: number; bytes: number }[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      // Alternate which goes first, so that neither always follows the other.
      for (const side of i % 2 === 0 ? (['ours', 'baseline', 'shared'] as const) : (['shared', 'baseline', 'ours'] as const)) {
        if (side === 'ours') ours.push(await overHttp(url, session.cookie));
        else if (side === 'baseline') baseline.push(await plainExceljs(cells, summary));
        else shared.push(await plainExceljs(cells, summary, true));
      }
      console.log(
        `  audit-export round ${i + 1}/${ROUNDS}: ours ${round(ours.at(-1)!.ms, 0)} ms (${ours.at(-1)!.bytes} bytes), baseline ${round(baseline.at(-1)!.ms, 0)} ms (${baseline.at(-1)!.bytes} bytes), ` +
          `baseline with shared styles ${round(shared.at(-1)!.ms, 0)} ms`,
      );
    }
    const oursMs = median(ours.map((r) => r.ms));
    const baselineMs = median(baseline.map((r) => r.ms));
    const sharedMs = median(shared.map((r) => r.ms));

    // Memory: the export function alone, at each size, on the same dossier topped up to the largest.
    const largest = Math.max(...RSS_ROWS);
    if (largest > EVENTS) await timed(`${(largest - EVENTS).toLocaleString('en')} more events inserted`, () => insertEvents(ownerUrl, dossierId, EVENTS, largest - EVENTS, names));
    const rss: Record<string, ChildResult> = {};
    const child = await buildChild();
    for (const rows of RSS_ROWS) {
      const result = await exportInChild(child, ownerUrl, server.ctx.config.appRole, dossierId, firstEvents(rows));
      if (result.rows !== rows) throw new Error(`the child exported ${result.rows} rows, not ${rows}`);
      rss[String(rows)] = result;
      console.log(`  audit-export: ${rows.toLocaleString('en')} rows in a child process: ${result.ms} ms, peak RSS ${result.peakRssMb} MB (${result.rssBeforeMb} MB before)`);
    }
    const peaks = RSS_ROWS.map((n) => rss[String(n)]!.peakRssMb);
    const smallest = rss[String(Math.min(...RSS_ROWS))]!.peakRssMb;
    const biggest = rss[String(largest)]!.peakRssMb;
    const ratio = round(oursMs / baselineMs, 3);
    const memoryMet = peaks.every((p) => p < RSS_LIMIT_MB) && biggest <= smallest * FLAT;
    return {
      name: 'audit-export',
      metric: `time to export ${(EVENTS / ACTORS).toLocaleString('en')} journal rows to XLSX (${EVENTS.toLocaleString('en')} events in the dossier)`,
      unit: 'ms',
      ours: round(oursMs, 0),
      baseline: round(baselineMs, 0),
      baselineName: 'exceljs streaming writer, the same rows from memory, same columns and formats, to a null sink',
      ratio,
      goal: `ratio <= ${GOAL}; peak RSS of the export < ${RSS_LIMIT_MB} MB and flat (largest <= ${FLAT} x smallest)`,
      met: ratio <= GOAL && memoryMet,
      rows: cells.length,
      bytes: ours.at(-1)!.bytes,
      baselineBytes: baseline.at(-1)!.bytes,
      runs: { ours: ours.map((r) => round(r.ms, 0)), baseline: baseline.map((r) => round(r.ms, 0)), baselineSharedStyles: shared.map((r) => round(r.ms, 0)) },
      baselineSharedStyles: {
        ms: round(sharedMs, 0),
        ratio: round(oursMs / sharedMs, 3),
        note: 'exceljs given each column\'s style object per cell, as the export does: the ratio is then what the database, the labels, the spool and HTTP add',
      },
      memory: {
        method: 'peak resident set (ru_maxrss) of a child process running journalRows -> the XLSX writer -> a null sink',
        byRows: Object.fromEntries(Object.entries(rss).map(([n, r]) => [n, { peakRssMb: r.peakRssMb, rssBeforeMb: r.rssBeforeMb, ms: r.ms, bytes: r.bytes }])),
        growthMb: biggest - smallest,
        met: memoryMet,
      },
      events: EVENTS,
      rounds: ROUNDS,
      database: process.env.DATABASE_URL ? 'DATABASE_URL (a fresh database)' : 'embedded PostgreSQL 15',
      note: 'synthetic events: hashes are not a chain (the export does not verify it)',
    };
  } finally {
    await app.cleanup();
  }
}
