import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { sql } from 'kysely';
import pg from 'pg';
import { parisDate } from '../src/core/dates';
import { DEFAULT_FORMATS, numberTemplate, renderNumber } from '../src/core/numbering';
import { startServer, type RunningServer } from '../src/server/boot';
import { loadConfig } from '../src/server/config';
import { LINE, SELLER } from '../test/helpers/invoicing';
import { chainEvent, eventTemplate } from '../src/server/platform/audit';
import { freePort, median, round, type BenchResult } from './report';
import { signupConfirmationToken } from './signup-link';

/**
 * issue-concurrency: 64 HTTP clients issuing invoices of one dossier as fast as they can
 * (`POST /api/d/:id/invoices/:docId/issue`, each client taking the next draft from a shared
 * queue), against a raw pg pool of the app's size running only the numbering's locking
 * transaction (see runBaseline) with 64 workers on a dossier of its own, in the same run.
 * ratio = ours issued/s ÷ baseline issued/s.
 *
 * Issuing answers once the number is committed; the frozen PDF is made right after, in the
 * background, in a worker thread (documents/pdf-freezer.ts). After each phase the benchmark waits
 * until every PDF of that phase is made and reports that wait (`pdfBacklogSeconds`) and the rate
 * counting it (`issuedPerSecondWithPdfs`), so the PDFs are not left out of the account. A third
 * phase issues drafts whose `pdf_file_id` is already set (a tiny stored file): nothing is
 * rendered, which shows what the background rendering costs the issuing.
 *
 * Afterwards every number of the dossier must be F-YYYY-0001 … F-YYYY-N exactly, once each, with N
 * the number of successful answers, and every issued invoice must have its PDF: otherwise the
 * benchmark fails. So must the baseline's numbers.
 *
 * Drafts are copies of one draft made through the API (same columns and line, inserted inside
 * the tenant transaction), so `issue` accepts them: customer, seller details, a line, today's
 * date in Europe/Paris. Each phase lasts SECONDS (its last requests finish after), ROUNDS
 * rounds, the phases' order reversed every other round; figures are medians over the rounds.
 */
const CLIENTS = Number(process.env.BENCH_ISSUE_CLIENTS ?? 64);
const SECONDS = Number(process.env.BENCH_ISSUE_SECONDS ?? 20);
const WARMUP_SECONDS = 2;
const ROUNDS = Number(process.env.BENCH_ISSUE_ROUNDS ?? 3);
const GOAL = 0.5;
/** Drafts queued per round; a phase that empties its queue stops early (and says so). */
const DRAFTS_WITH_PDF = Number(process.env.BENCH_ISSUE_DRAFTS ?? 15000);
const DRAFTS_WITHOUT_PDF = Number(process.env.BENCH_ISSUE_DRAFTS_NO_PDF ?? 15000);
const BASELINE_DRAFTS = Number(process.env.BENCH_ISSUE_BASELINE_DRAFTS ?? 40000);

export interface BenchApp {
  server: RunningServer;
  /** The app's database, as its owner (superuser for the embedded cluster): for loading and checks. */
  ownerUrl: string;
  /** The cluster's maintenance database (embedded) or DATABASE_URL as given: to create more databases. */
  adminUrl: string;
  dataDir: string;
  cleanup(): Promise<void>;
}

/** The real app on a temporary DATA_DIR (embedded PostgreSQL), or on a fresh database when DATABASE_URL is set. */
export async function startBenchApp(label: string, env: Record<string, string> = {}): Promise<BenchApp> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), `ardoise-bench-${label}-`));
  await fs.chmod(dataDir, 0o755); // the embedded postgres runs as the `postgres` user when we are root
  const pgPort = await freePort();
  const config: Record<string, string> = { LOG_LEVEL: 'silent', HOST: '127.0.0.1', PORT: String(await freePort()), DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(pgPort), ...env };
  let dropDatabase = async () => {};
  let adminUrl: string;
  let ownerUrl: string;
  const given = process.env.DATABASE_URL;
  if (given) {
    const name = `ardoise_bench_${label.replace(/\W/g, '_')}_${process.pid}`;
    const admin = new pg.Client({ connectionString: given });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(given);
    url.pathname = `/${name}`;
    config.DATABASE_URL = ownerUrl = url.toString();
    adminUrl = given;
    dropDatabase = async () => {
      const client = new pg.Client({ connectionString: given });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    };
  }
  const server = await startServer(loadConfig(config));
  if (!given) {
    const secret = (await fs.readFile(path.join(dataDir, 'pg-password'), 'utf8')).trim();
    adminUrl = `postgres://postgres:${encodeURIComponent(secret)}@127.0.0.1:${pgPort}/postgres`;
    ownerUrl = `postgres://postgres:${encodeURIComponent(secret)}@127.0.0.1:${pgPort}/ardoise`;
  }
  return {
    server,
    ownerUrl: ownerUrl!,
    adminUrl: adminUrl!,
    dataDir,
    async cleanup() {
      await server.stop();
      await dropDatabase();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Session {
  cookie: string;
  csrfToken: string;
  dossierId: string;
  userId: string;
}

function cookiesOf(res: Response, jar: Map<string, string>): void {
  for (const line of res.headers.getSetCookie()) {
    const pair = line.split(';')[0]!;
    const eq = pair.indexOf('=');
    if (eq > 0) jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
}

/**
 * Signs up through the HTTP API as a browser does: a CSRF token first, the form, the e-mailed
 * confirmation link (from the local outbox), then a new token for the session (opening the
 * session rotates the secret). `confirmationToken` finds the link's token (by default in the local
 * outbox; a benchmark with an SMTP server reads its own mailbox).
 */
export async function signUp(baseUrl: string, who: string, confirmationToken: (email: string) => Promise<string> = (email) => signupConfirmationToken(baseUrl, email)): Promise<Session> {
  const jar = new Map<string, string>();
  const csrfRes = await fetch(`${baseUrl}/api/csrf`);
  if (!csrfRes.ok) throw new Error(`GET /api/csrf: ${csrfRes.status}`);
  cookiesOf(csrfRes, jar);
  const { token } = (await csrfRes.json()) as { token: string };
  const cookieOf = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const email = `bench.${who}.${Date.now()}.${Math.random().toString(36).slice(2, 8)}@example.com`;
  const post = (route: string, body: unknown) =>
    fetch(`${baseUrl}${route}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': token, cookie: cookieOf() }, body: JSON.stringify(body) });
  const asked = await post('/api/auth/signup', { name: 'Camille Banc', email, password: 'ardoise-Bench-pass-2026', dossierName: `Atelier ${who}` });
  if (asked.status !== 202) throw new Error(`sign-up failed: ${asked.status} ${await asked.text()}`);
  const res = await post('/api/auth/signup/confirm', { token: await confirmationToken(email), password: 'ardoise-Bench-pass-2026' });
  if (res.status !== 201) throw new Error(`sign-up confirmation failed: ${res.status} ${await res.text()}`);
  cookiesOf(res, jar);
  const { dossierId, user } = (await res.json()) as { dossierId: string; user: { id: string } };
  const sessionCsrf = await fetch(`${baseUrl}/api/csrf`, { headers: { cookie: cookieOf() } });
  cookiesOf(sessionCsrf, jar);
  const { token: csrfToken } = (await sessionCsrf.json()) as { token: string };
  return { cookie: cookieOf(), csrfToken, dossierId, userId: user.id };
}

/** A JSON call with the session cookie and the CSRF token; throws unless the status is the expected one. */
export async function call<T>(baseUrl: string, s: Session, method: string, route: string, body: unknown, expected: number): Promise<T> {
  const res = await fetch(`${baseUrl}${route}`, {
    method,
    headers: { 'content-type': 'application/json', 'x-csrf-token': s.csrfToken, cookie: s.cookie },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== expected) throw new Error(`${method} ${route}: ${res.status} ${text.slice(0, 500)}`);
  return (text ? JSON.parse(text) : null) as T;
}

function p99(latencies: number[]): number {
  if (latencies.length === 0) return NaN;
  const sorted = [...latencies].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)]!;
}

interface PhaseResult {
  issued: number;
  seconds: number;
  perSecond: number;
  p99Ms: number;
  meanMs: number;
  queueExhausted: boolean;
  numbers: string[];
  /** Ours: seconds from the phase's end until its last PDF was made. */
  pdfBacklogSeconds?: number;
}

function phase(issued: number, seconds: number, latencies: number[], queueExhausted: boolean, numbers: string[]): PhaseResult {
  return {
    issued,
    seconds,
    perSecond: issued / seconds,
    p99Ms: p99(latencies),
    meanMs: latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length),
    queueExhausted,
    numbers,
  };
}

/**
 * The HTTP clients run in a worker thread (their own event loop, not the server's): `clients`
 * loops of plain `fetch` (undici keeps one keep-alive connection per loop), each taking the next
 * draft id from the shared queue until the time is up or the queue is empty.
 */
const CLIENT_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const { url, cookie, token, ids, clients, seconds } = workerData;
(async () => {
  let next = 0;
  const latencies = [];
  const numbers = [];
  const failures = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;
  async function client() {
    while (performance.now() < deadline && next < ids.length) {
      const id = ids[next++];
      const t0 = performance.now();
      try {
        const res = await fetch(url + '/' + id + '/issue', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-csrf-token': token, cookie },
          body: '{"version":1}',
        });
        const text = await res.text();
        if (res.status === 200) {
          latencies.push(performance.now() - t0);
          numbers.push(JSON.parse(text).document.number);
        } else if (failures.length < 20) failures.push(res.status + ' ' + text.slice(0, 200));
        else failures.push(res.status);
      } catch (error) {
        failures.push(String(error));
      }
    }
  }
  await Promise.all(Array.from({ length: clients }, client));
  parentPort.postMessage({ latencies, numbers, failures, seconds: (performance.now() - started) / 1000, exhausted: next >= ids.length });
})().catch((error) => parentPort.postMessage({ fatal: String(error && error.stack || error) }));
`;

export async function runClients(url: string, s: Session, ids: string[], seconds: number): Promise<PhaseResult> {
  type Message = { latencies: number[]; numbers: string[]; failures: (string | number)[]; seconds: number; exhausted: boolean; fatal?: string };
  const message = await new Promise<Message>((resolve, reject) => {
    const worker = new Worker(CLIENT_CODE, { eval: true, workerData: { url, cookie: s.cookie, token: s.csrfToken, ids, clients: CLIENTS, seconds } });
    worker.once('message', (m: Message) => {
      resolve(m);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
  if (message.fatal) throw new Error(`HTTP clients: ${message.fatal}`);
  if (message.failures.length > 0) throw new Error(`${message.failures.length} issue requests failed, e.g. ${message.failures.slice(0, 3).join(' | ')}`);
  return phase(message.numbers.length, message.seconds, message.latencies, message.exhausted, message.numbers);
}

/** Who the raw baselines' audit events name, and what the issuing event says. */
const RAW_ACTOR = { userId: null, name: 'Référence', profile: null };
const RAW_META = { ip: '127.0.0.1', userAgent: 'issue-concurrency', requestId: null };

const issuedEvent = (id: string, number: string) => ({
  action: 'document.issued',
  entityType: 'document',
  entityId: id,
  entityLabel: number,
  summary: `Facture n° ${number} émise`,
  changes: { number: { before: null, after: number }, status: { before: 'draft', after: 'issued' } },
});

/**
 * The goal's baseline: only the numbering's locking transaction, written as raw SQL would write it
 * (and as issuing ran it before migration 006), on a raw pool with named (prepared) statements as
 * the app's pool uses: the
 * dossier's write lock taken with the counter (created first if missing), then one statement that
 * moves the counter, writes the audit event (hashed over the previous one) and moves the chain
 * head, and numbers the document; then COMMIT.
 */
async function runBaseline(pool: pg.Pool, appRole: string, dossierId: string, ids: string[], issueDate: string, seconds: number): Promise<PhaseResult> {
  const period = Number(issueDate.slice(0, 4));
  return runRawWorkers(pool, appRole, dossierId, ids, seconds, 'baseline', async (client, id) => {
    const lock = () =>
      client.query<{ last_seq: string; last_hash: string; last_value: number; last_date: string }>({
        name: 'baseline_lock',
        text: `SELECT h.last_seq, h.last_hash, c.last_value, c.last_date FROM audit_heads h
               JOIN number_counters c ON c.dossier_id = h.dossier_id AND c.series = 'invoice' AND c.period = $2
               WHERE h.dossier_id = $1 FOR UPDATE`,
        values: [dossierId, period],
      });
    let { rows } = await lock();
    if (rows.length === 0) {
      await client.query({
        name: 'baseline_counter',
        text: `INSERT INTO number_counters (dossier_id, series, period, last_value, last_date) VALUES ($1, 'invoice', $2, 0, '0001-01-01') ON CONFLICT (dossier_id, series, period) DO NOTHING`,
        values: [dossierId, period],
      });
      ({ rows } = await lock());
    }
    const locked = rows[0]!;
    if (locked.last_date > issueDate) throw new Error('not chronological');
    const value = locked.last_value + 1;
    const number = renderNumber(DEFAULT_FORMATS.invoice, { year: period, month: Number(issueDate.slice(5, 7)), counter: value });
    const { row: e, head } = chainEvent({ seq: Number(locked.last_seq), hash: locked.last_hash }, dossierId, RAW_ACTOR, RAW_META, issuedEvent(id, number));
    const updated = await client.query({
      name: 'baseline_write',
      text: `WITH counter AS (
               UPDATE number_counters SET last_value = $3, last_date = greatest(last_date, $4::date)
               WHERE dossier_id = $1 AND series = 'invoice' AND period = $5 AND last_value = $6 RETURNING last_value
             ), audit_event AS (
               INSERT INTO audit_events (dossier_id, seq, id, occurred_at, actor_user_id, actor_name, actor_profile, action, entity_type, entity_id,
                 entity_label, summary, changes, ip, user_agent, request_id, prev_hash, hash)
               VALUES ($1, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)
             ), audit_head AS (
               UPDATE audit_heads SET last_seq = $7, last_hash = $23 WHERE dossier_id = $1
             )
             UPDATE documents SET status = 'issued', number = $24, version = version + 1, issued_at = now(), updated_at = now()
             WHERE dossier_id = $1 AND id = $2 AND status = 'draft' AND EXISTS (SELECT 1 FROM counter)`,
      values: [
        dossierId, id, value, issueDate, period, locked.last_value,
        e.seq, e.id, e.occurred_at, e.actor_user_id, e.actor_name, e.actor_profile, e.action, e.entity_type, e.entity_id,
        e.entity_label, e.summary, e.changes, e.ip, e.user_agent, e.request_id, e.prev_hash, head.hash, number,
      ],
    });
    if (updated.rowCount !== 1) throw new Error(`baseline: draft ${id} not updated`);
    await client.query('COMMIT');
    return number;
  });
}

/**
 * For information, not the goal's baseline: raw pg running the locking transaction the way the
 * application now does (documents/lifecycle.ts): one statement that calls ardoise_take_number (lock,
 * number, chained event) and numbers the document, its COMMIT pipelined behind it. It shows what the
 * same technique gives without HTTP, authentication, reads and checks.
 */
async function runBaselineOneStatement(pool: pg.Pool, appRole: string, dossierId: string, ids: string[], issueDate: string, seconds: number): Promise<PhaseResult> {
  const period = Number(issueDate.slice(0, 4));
  const format = numberTemplate(DEFAULT_FORMATS.invoice, { year: period, month: Number(issueDate.slice(5, 7)) });
  return runRawWorkers(pool, appRole, dossierId, ids, seconds, 'one-statement baseline', async (client, id) => {
    const event = eventTemplate(dossierId, RAW_ACTOR, RAW_META, (number) => issuedEvent(id, number));
    const written = client.query<{ number: string }>({
      name: 'baseline_take',
      text: `WITH taken AS MATERIALIZED (SELECT number FROM ardoise_take_number($1::uuid, 'invoice', $3::int, 1, $4::date, $5, $6::int, $7, $8::jsonb, $9, $10::text[]))
             UPDATE documents SET status = 'issued', number = taken.number, version = version + 1, issued_at = now(), updated_at = now()
             FROM taken WHERE dossier_id = $1 AND id = $2 AND status = 'draft' RETURNING documents.number`,
      values: [dossierId, id, period, issueDate, format.prefix, format.width, format.suffix, JSON.stringify(event.row), event.canonical, event.marks],
    });
    const committed = client.query('COMMIT');
    const [w, c] = await Promise.allSettled([written, committed]);
    if (w.status === 'rejected') throw w.reason;
    if (c.status === 'rejected') throw c.reason;
    if (w.value.rowCount !== 1 || c.value.command !== 'COMMIT') throw new Error(`baseline: draft ${id} not issued`);
    return w.value.rows[0]!.number;
  });
}

/**
 * CLIENTS raw workers issuing `ids` in the dossier until the time is up: each opens the tenant
 * transaction as the app does, then `issueOne` numbers the draft, commits and returns the number.
 * The first failure stops every worker and is reported once they are all done.
 */
async function runRawWorkers(
  pool: pg.Pool,
  appRole: string,
  dossierId: string,
  ids: string[],
  seconds: number,
  label: string,
  issueOne: (client: pg.PoolClient, id: string) => Promise<string>,
): Promise<PhaseResult> {
  const begin =
    `BEGIN; SELECT set_config('role', '${appRole}', true), set_config('ardoise.dossier_id', '${dossierId}', true), ` +
    `set_config('ardoise.user_id', '', true), set_config('ardoise.invitation_token_hash', '', true)`;
  let next = 0;
  const latencies: number[] = [];
  const numbers: string[] = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let failure: Error | null = null;
  async function worker() {
    while (!failure && performance.now() < deadline && next < ids.length) {
      const id = ids[next++]!;
      const t0 = performance.now();
      const client = await pool.connect();
      try {
        await client.query(begin);
        numbers.push(await issueOne(client, id));
        latencies.push(performance.now() - t0);
      } catch (error) {
        failure ??= new Error(`${label} transaction failed: ${error instanceof Error ? error.message : String(error)}`);
        await client.query('ROLLBACK').catch(() => undefined);
      } finally {
        client.release();
      }
    }
  }
  await Promise.all(Array.from({ length: CLIENTS }, worker));
  if (failure) throw failure;
  return phase(numbers.length, (performance.now() - started) / 1000, latencies, next >= ids.length, numbers);
}

/**
 * Copies a draft `count` times into `dossierId` (inside the tenant transaction, as the app role):
 * same columns and one copy of each line, new ids, version 1. `overrides` replaces columns.
 */
export async function cloneDrafts(server: RunningServer, dossierId: string, template: Record<string, unknown>, lines: Record<string, unknown>[], count: number, overrides: Record<string, unknown>): Promise<string[]> {
  const ids: string[] = [];
  const BATCH = 2000;
  for (let done = 0; done < count; done += BATCH) {
    const n = Math.min(BATCH, count - done);
    const row = JSON.stringify({ ...template, ...overrides, dossier_id: dossierId });
    await server.ctx.tx({ dossierId }, async (t) => {
      const inserted = await sql<{ id: string }>`
        INSERT INTO documents
        SELECT (s.r).* FROM (
          SELECT jsonb_populate_record(NULL::documents, ${row}::jsonb || jsonb_build_object('id', gen_random_uuid())) AS r
          FROM generate_series(1, ${n}::int) OFFSET 0
        ) s
        RETURNING id`.execute(t);
      const batch = inserted.rows.map((r) => r.id);
      for (const line of lines) {
        const lineJson = JSON.stringify({ ...line, dossier_id: dossierId });
        await sql`
          INSERT INTO document_lines
          SELECT (s.r).* FROM (
            SELECT jsonb_populate_record(NULL::document_lines, ${lineJson}::jsonb || jsonb_build_object('document_id', doc.id)) AS r
            FROM unnest(${batch}::uuid[]) AS doc(id) OFFSET 0
          ) s`.execute(t);
      }
      ids.push(...batch);
    });
  }
  return ids;
}

/** Numbers F-YYYY-0001 … F-YYYY-N, each once, with N what the clients were told; and the counter at N. */
async function checkGapless(owner: pg.Pool, dossierId: string, issueDate: string, answered: string[], label: string): Promise<{ count: number; last: string }> {
  const { rows } = await owner.query<{ number: string }>(`SELECT number FROM documents WHERE dossier_id = $1 AND series = 'invoice' AND number IS NOT NULL`, [dossierId]);
  const stored = rows.map((r) => r.number);
  const unique = new Set(stored);
  const problems: string[] = [];
  if (unique.size !== stored.length) problems.push(`${stored.length - unique.size} duplicate numbers in the database`);
  const answeredSet = new Set(answered);
  if (answeredSet.size !== answered.length) problems.push(`${answered.length - answeredSet.size} numbers given twice to clients`);
  if (stored.length !== answered.length) problems.push(`${stored.length} numbered documents but ${answered.length} successful issues`);
  const year = Number(issueDate.slice(0, 4));
  const month = Number(issueDate.slice(5, 7));
  const expected = Array.from({ length: answered.length }, (_, i) => renderNumber(DEFAULT_FORMATS.invoice, { year, month, counter: i + 1 }));
  const missing = expected.filter((n) => !unique.has(n));
  if (missing.length > 0) problems.push(`${missing.length} numbers missing (gaps), first ${missing.slice(0, 5).join(', ')}`);
  const expectedSet = new Set(expected);
  const extra = stored.filter((n) => !expectedSet.has(n));
  if (extra.length > 0) problems.push(`${extra.length} numbers out of 1…N, first ${extra.slice(0, 5).join(', ')}`);
  const notAnswered = stored.filter((n) => !answeredSet.has(n));
  if (notAnswered.length > 0) problems.push(`${notAnswered.length} stored numbers no client was given, first ${notAnswered.slice(0, 5).join(', ')}`);
  const counter = await owner.query<{ last_value: number }>(`SELECT last_value FROM number_counters WHERE dossier_id = $1 AND series = 'invoice' AND period = $2`, [dossierId, year]);
  if (counter.rows[0]?.last_value !== answered.length) problems.push(`counter at ${counter.rows[0]?.last_value} for ${answered.length} issues`);
  if (problems.length > 0) throw new Error(`${label}: numbering is not gapless and unique: ${problems.join('; ')}`);
  return { count: answered.length, last: expected.at(-1) ?? '' };
}

export async function issueConcurrency(): Promise<BenchResult> {
  const { server, ownerUrl, cleanup } = await startBenchApp('issue');
  const owner = new pg.Pool({ connectionString: ownerUrl, max: server.ctx.config.poolSize });
  owner.on('error', () => undefined); // an idle client losing its connection is not a result
  const ownerPipelined = new pg.Pool({ connectionString: ownerUrl, max: server.ctx.config.poolSize, pipeline: true });
  ownerPipelined.on('error', () => undefined);
  try {
    const base = server.url;
    const ours = await signUp(base, 'ours');
    const other = await signUp(base, 'baseline');
    await call(base, ours, 'PATCH', `/api/d/${ours.dossierId}/settings`, SELLER, 200);
    const { customer } = await call<{ customer: { id: string } }>(
      base,
      ours,
      'POST',
      `/api/d/${ours.dossierId}/customers`,
      {
        kind: 'company',
        name: 'Boulangerie Renard',
        siren: '404833048',
        vatNumber: 'FR83404833048',
        billingAddress: { line1: '3 place du Marché', line2: '', postalCode: '38000', city: 'Grenoble', country: 'FR' },
        emails: ['compta@renard.example'],
      },
      201,
    );
    const issueDate = parisDate();
    const { document: draft } = await call<{ document: { id: string; issueDate: string; version: number } }>(
      base,
      ours,
      'POST',
      `/api/d/${ours.dossierId}/invoices`,
      { type: 'invoice', customerId: customer.id, issueDate, lines: [LINE] },
      201,
    );

    // The template draft, as the API stored it; its copies are what the clients issue.
    const template = await server.ctx.tx({ dossierId: ours.dossierId }, async (t) => {
      const doc = await sql<{ j: Record<string, unknown> }>`SELECT to_jsonb(d) AS j FROM documents d WHERE dossier_id = ${ours.dossierId} AND id = ${draft.id}`.execute(t);
      const lines = await sql<{ j: Record<string, unknown> }>`SELECT to_jsonb(l) AS j FROM document_lines l WHERE dossier_id = ${ours.dossierId} AND document_id = ${draft.id} ORDER BY position`.execute(t);
      return { doc: doc.rows[0]!.j, lines: lines.rows.map((r) => r.j) };
    });
    const placeholderPdf = await server.ctx.tx({ dossierId: ours.dossierId }, (t) =>
      server.ctx.files.put(t, ours.dossierId, { contentType: 'application/pdf', content: Buffer.from('%PDF-1.7\n% issue-concurrency placeholder\n%%EOF\n') }),
    );

    let started = Date.now();
    const withPdf = await cloneDrafts(server, ours.dossierId, template.doc, template.lines, DRAFTS_WITH_PDF * ROUNDS + 1000, {});
    const withoutPdf = await cloneDrafts(server, ours.dossierId, template.doc, template.lines, DRAFTS_WITHOUT_PDF * ROUNDS + 2000, { pdf_file_id: placeholderPdf.id });
    const baselineIds = await cloneDrafts(server, other.dossierId, template.doc, [], BASELINE_DRAFTS * ROUNDS + 5000, { customer_id: null, customer_snapshot: null });
    await owner.query('ANALYZE documents; ANALYZE document_lines');
    console.log(`  issue-concurrency: ${withPdf.length + withoutPdf.length} drafts for ours, ${baselineIds.length} for the baseline in ${round((Date.now() - started) / 1000, 1)} s`);

    // The template itself is issued first through the API: it must pass every check, and be F-…-0001.
    const answered: string[] = [];
    const probe = await call<{ document: { number: string; pdfUrl: string } }>(base, ours, 'POST', `/api/d/${ours.dossierId}/invoices/${draft.id}/issue`, { version: draft.version }, 200);
    answered.push(probe.document.number);
    const pdfRes = await fetch(`${base}${probe.document.pdfUrl}`, { headers: { cookie: ours.cookie } });
    if (pdfRes.status !== 200 || !pdfRes.headers.get('x-content-sha256')) throw new Error(`the probe's frozen PDF is missing: ${pdfRes.status}`);
    await pdfRes.arrayBuffer();

    const url = `${base}/api/d/${ours.dossierId}/invoices`;
    const pdfQueue = { ids: withPdf, next: 0 };
    const noPdfQueue = { ids: withoutPdf, next: 0 };
    const baseQueue = { ids: baselineIds, next: 0 };
    const take = (q: { ids: string[]; next: number }, n: number) => {
      const slice = q.ids.slice(q.next, q.next + n);
      q.next += slice.length;
      return slice;
    };
    const runOurs = async (q: typeof pdfQueue, seconds: number, budget: number) => {
      const ids = take(q, budget);
      const r = await runClients(url, ours, ids, seconds);
      answered.push(...r.numbers);
      // What was queued but not taken goes back for the next phase.
      q.next -= ids.length - r.issued;
      // The phase's PDFs are made before the next phase starts.
      const waited = performance.now();
      await server.ctx.pdfs.idle();
      r.pdfBacklogSeconds = (performance.now() - waited) / 1000;
      return r;
    };
    const runBase = async (seconds: number, budget: number) => {
      const ids = take(baseQueue, budget);
      const r = await runBaseline(owner, server.ctx.config.appRole, other.dossierId, ids, issueDate, seconds);
      baseQueue.next -= ids.length - r.issued;
      return r;
    };

    const runBaseOneStatement = async (seconds: number, budget: number) => {
      const ids = take(baseQueue, budget);
      const r = await runBaselineOneStatement(ownerPipelined, server.ctx.config.appRole, other.dossierId, ids, issueDate, seconds);
      baseQueue.next -= ids.length - r.issued;
      return r;
    };

    started = Date.now();
    await runOurs(pdfQueue, WARMUP_SECONDS, 1000);
    await runOurs(noPdfQueue, WARMUP_SECONDS, 2000);
    const baselineNumbers: string[] = [];
    baselineNumbers.push(...(await runBase(WARMUP_SECONDS, 5000)).numbers);
    baselineNumbers.push(...(await runBaseOneStatement(WARMUP_SECONDS, 5000)).numbers);

    const oursRuns: PhaseResult[] = [];
    const baselineRuns: PhaseResult[] = [];
    const noPdfRuns: PhaseResult[] = [];
    const oneStatementRuns: PhaseResult[] = [];
    const show = (r: PhaseResult) =>
      `${round(r.perSecond, 1)} issued/s, p99 ${round(r.p99Ms, 1)} ms, mean ${round(r.meanMs, 1)} ms (${r.issued} in ${round(r.seconds, 1)} s${r.queueExhausted ? ', QUEUE EMPTIED' : ''}${r.pdfBacklogSeconds !== undefined ? `; PDFs done ${round(r.pdfBacklogSeconds, 1)} s later` : ''})`;
    for (let i = 0; i < ROUNDS; i++) {
      // The machine's load drifts: every other round runs the phases in the reverse order.
      const phases = [
        async () => {
          oursRuns.push(await runOurs(pdfQueue, SECONDS, DRAFTS_WITH_PDF));
          console.log(`  issue-concurrency round ${i + 1}/${ROUNDS}: ours (PDF in the background) ${show(oursRuns.at(-1)!)}`);
        },
        async () => {
          baselineRuns.push(await runBase(SECONDS, BASELINE_DRAFTS));
          baselineNumbers.push(...baselineRuns.at(-1)!.numbers);
          console.log(`  issue-concurrency round ${i + 1}/${ROUNDS}: baseline (locking tx)    ${show(baselineRuns.at(-1)!)}`);
        },
        async () => {
          oneStatementRuns.push(await runBaseOneStatement(SECONDS, BASELINE_DRAFTS));
          baselineNumbers.push(...oneStatementRuns.at(-1)!.numbers);
          console.log(`  issue-concurrency round ${i + 1}/${ROUNDS}: raw, one statement       ${show(oneStatementRuns.at(-1)!)}`);
        },
        async () => {
          noPdfRuns.push(await runOurs(noPdfQueue, SECONDS, DRAFTS_WITHOUT_PDF));
          console.log(`  issue-concurrency round ${i + 1}/${ROUNDS}: ours without PDF render ${show(noPdfRuns.at(-1)!)}`);
        },
      ];
      for (const run of i % 2 === 0 ? phases : phases.reverse()) await run();
    }
    console.log(`  issue-concurrency: measured in ${Math.round((Date.now() - started) / 1000)} s`);

    const gapless = await checkGapless(owner, ours.dossierId, issueDate, answered, 'ours');
    const baselineGapless = await checkGapless(owner, other.dossierId, issueDate, baselineNumbers, 'baseline');
    console.log(`  issue-concurrency: gapless and unique: ours 1…${gapless.count} (${gapless.last}), baseline 1…${baselineGapless.count}`);

    // Every number issued has its frozen PDF; those issued with the placeholder kept it.
    const pdfs = await owner.query<{ missing: string; placeholder: string }>(
      `SELECT count(*) FILTER (WHERE pdf_file_id IS NULL) AS missing, count(*) FILTER (WHERE pdf_file_id = $2) AS placeholder FROM documents WHERE dossier_id = $1 AND number IS NOT NULL`,
      [ours.dossierId, placeholderPdf.id],
    );
    const withoutPdfIssued = noPdfQueue.next;
    if (Number(pdfs.rows[0]!.missing) !== 0 || Number(pdfs.rows[0]!.placeholder) !== withoutPdfIssued) {
      throw new Error(`frozen PDFs: ${pdfs.rows[0]!.missing} issued invoices without one, ${pdfs.rows[0]!.placeholder} with the placeholder for ${withoutPdfIssued} issued without rendering`);
    }

    const oursRate = median(oursRuns.map((r) => r.perSecond));
    const baselineRate = median(baselineRuns.map((r) => r.perSecond));
    const noPdfRate = median(noPdfRuns.map((r) => r.perSecond));
    const ratio = round(oursRate / baselineRate, 3);
    const summary = (r: PhaseResult) => ({
      issuedPerSecond: round(r.perSecond, 1),
      p99Ms: round(r.p99Ms, 1),
      meanMs: round(r.meanMs, 1),
      issued: r.issued,
      seconds: round(r.seconds, 1),
      queueExhausted: r.queueExhausted,
      ...(r.pdfBacklogSeconds !== undefined ? { pdfBacklogSeconds: round(r.pdfBacklogSeconds, 1) } : {}),
    });
    return {
      name: 'issue-concurrency',
      metric: `invoices issued per second (${CLIENTS} concurrent clients, one dossier)`,
      unit: 'issued/s',
      ours: round(oursRate, 1),
      baseline: round(baselineRate, 1),
      baselineName: `raw pg pool, same size, ${CLIENTS} workers, the numbering's locking transaction: chain head and counter SELECT … FOR UPDATE + one statement (counter, audit event, chain head, document) + COMMIT, own dossier`,
      ratio,
      goal: `ratio >= ${GOAL}`,
      met: ratio >= GOAL,
      oursP99Ms: round(median(oursRuns.map((r) => r.p99Ms)), 1),
      baselineP99Ms: round(median(baselineRuns.map((r) => r.p99Ms)), 1),
      pdfBacklogSeconds: round(median(oursRuns.map((r) => r.pdfBacklogSeconds ?? 0)), 1),
      issuedPerSecondWithPdfs: round(median(oursRuns.map((r) => r.issued / (r.seconds + (r.pdfBacklogSeconds ?? 0)))), 1),
      withoutPdfRender: {
        issuedPerSecond: round(noPdfRate, 1),
        p99Ms: round(median(noPdfRuns.map((r) => r.p99Ms)), 1),
        meanMs: round(median(noPdfRuns.map((r) => r.meanMs)), 1),
        ratioToBaseline: round(noPdfRate / baselineRate, 3),
        how: 'drafts with pdf_file_id already set: the background task finds the PDF and renders nothing',
      },
      sameTechniqueBaseline: {
        issuedPerSecond: round(median(oneStatementRuns.map((r) => r.perSecond)), 1),
        p99Ms: round(median(oneStatementRuns.map((r) => r.p99Ms)), 1),
        ratioOfOursToIt: round(oursRate / median(oneStatementRuns.map((r) => r.perSecond)), 3),
        how: 'for information, not the goal: raw pg running the locking transaction as the application now does (one statement calling ardoise_take_number, COMMIT pipelined)',
      },
      // What the background PDF rendering costs the issuing: 1 - rate with PDF / rate without, paired
      // within each round (the two phases of a round are closest in time), median over the rounds.
      pdfShareOfThroughput: round(median(oursRuns.map((r, i) => 1 - r.perSecond / noPdfRuns[i]!.perSecond)), 3),
      pdfShareOfMeanLatency: round(median(oursRuns.map((r, i) => 1 - noPdfRuns[i]!.meanMs / r.meanMs)), 3),
      ratioPerRound: oursRuns.map((r, i) => round(r.perSecond / baselineRuns[i]!.perSecond, 3)),
      gapless: { checked: true, ours: `${renderNumber(DEFAULT_FORMATS.invoice, { year: Number(issueDate.slice(0, 4)), month: Number(issueDate.slice(5, 7)), counter: 1 })} … ${gapless.last}`, count: gapless.count, baselineCount: baselineGapless.count },
      route: 'POST /api/d/:dossierId/invoices/:documentId/issue',
      database: process.env.DATABASE_URL ? 'DATABASE_URL (fresh database)' : 'embedded PostgreSQL 15',
      clients: CLIENTS,
      poolSize: server.ctx.config.poolSize,
      seconds: SECONDS,
      rounds: ROUNDS,
      oursRuns: oursRuns.map(summary),
      baselineRuns: baselineRuns.map(summary),
      withoutPdfRuns: noPdfRuns.map(summary),
    };
  } finally {
    await owner.end();
    await ownerPipelined.end();
    await cleanup();
  }
}
