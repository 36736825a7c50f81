import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { DEFAULT_FORMATS, renderNumber } from '../src/core/numbering';
import { parisDate } from '../src/core/dates';
import { loadConfig } from '../src/server/config';
import { createDb } from '../src/server/db/pool';
import { createTx } from '../src/server/db/tx';
import { createDossier } from '../src/server/dossiers/service';
import { hashPassword } from '../src/server/platform/passwords';
import { SELLER } from '../test/helpers/invoicing';
import { clusterCpuMs, postmasterOf, readStat } from './cpu';
import { ROOT, freePort, median, round, sleep, type BenchResult } from './report';

/**
 * invoice-e2e: the whole invoice as a user makes it, through HTTP against the app started as
 * production starts it (`node scripts/start.mjs`, built server, NODE_ENV=production, default log
 * level, its output to a file), on a fresh database. Every client has its own login (its own
 * session, CSRF token and keep-alive connection) as a member of one dossier, and loops:
 *   POST /api/d/:id/invoices        a 30-line draft (3 sections, 27 items at 20, 10, 5.5 and 2.1 % VAT, line discounts, a document discount)
 *   POST …/invoices/:docId/issue
 *   GET  …/invoices/:docId/pdf      until the bytes arrive
 * for SECONDS at each client count (1, 4, 8, 64 by default).
 *
 * CPU: utime + stime from /proc of each app process (every thread: event loop, PDF worker,
 * libuv pool) and of the PostgreSQL cluster (the postmaster, its children, and what its exited
 * children used — cutime/cstime), before and after each phase; the "after" is read once the
 * processes have gone quiet, so the PDFs rendered in the background after the last answer are
 * counted. Divided by the invoices completed: CPU-ms per invoice, which a noisy neighbour
 * disturbs far less than the rates.
 *
 * After each phase: every number of the dossier is F-YYYY-0001 … F-YYYY-N, once each, N the
 * numbers the clients were given; every downloaded PDF's SHA-256 is the one stored with the frozen
 * PDF, and a second download gives the same bytes.
 *
 * The baseline is stated, not measured here: the figures issue 10 gives for the app before this
 * work on the same machine type (the PHP incumbent's figures alongside, for information).
 *
 * Members are created in the database (users with an argon2 hash, the dossier through the app's
 * own createDossier, memberships), then each logs in over HTTP: the benchmark does not depend on
 * how sign-up works.
 *
 * Environment: BENCH_E2E_SECONDS (20), BENCH_E2E_CLIENTS ("1,4,8,64"), BENCH_E2E_NODES (1: app
 * processes sharing the database, clients spread over them), BENCH_E2E_WARMUP_SECONDS (3),
 * BENCH_E2E_CPU_PROF (a directory: the app processes run with --cpu-prof there),
 * BENCH_E2E_RECHECK (1: download every PDF a second time; 0 skips it), DATABASE_URL (a server
 * on which a fresh database is created; otherwise the embedded PostgreSQL on a temporary DATA_DIR).
 */
const SECONDS = Number(process.env.BENCH_E2E_SECONDS ?? 20);
const CLIENT_COUNTS = (process.env.BENCH_E2E_CLIENTS ?? '1,4,8,64').split(',').map((s) => Number(s.trim())).filter((n) => Number.isInteger(n) && n > 0);
const NODES = Math.max(1, Number(process.env.BENCH_E2E_NODES ?? 1));
const WARMUP_SECONDS = Number(process.env.BENCH_E2E_WARMUP_SECONDS ?? 3);
const CPU_PROF_DIR = process.env.BENCH_E2E_CPU_PROF ? path.resolve(process.env.BENCH_E2E_CPU_PROF) : null;
const RECHECK = process.env.BENCH_E2E_RECHECK !== '0';
const LINES = 30;
const PASSWORD = 'ardoise-Bench-e2e-2026';
const START_TIMEOUT_MS = 180_000;

/** Issue 10's figures for Ardoise before this work, on the same machine type (2 cores). */
const BASELINE = {
  cpuMsPerInvoice: 65,
  invoicesPerSecond: { 1: 11, 4: 28.5, 8: 19.2, 64: 14.9 } as Record<number, number>,
  p99Ms64: 5900,
  stepP50Ms1: { create: 18, issue: 13, pdf: 53 },
  pdfP50Ms: { 8: 274, 64: 1800 } as Record<number, number>,
  source: 'issue 10: 11 invoices/s with 1 client, 26–31/s with 4, 19.2/s at 8, 31.3/s or 14.9/s at 64 (p99 3.6–5.9 s); about 65 CPU-ms per invoice',
};
const INCUMBENT = { name: 'Dolibarr 20 (PHP-FPM + opcache, MariaDB)', invoicesPerSecond: { 1: '8.4–9.9', 4: '15.8–17.4', 8: 'deadlocks and duplicate numbers' } };

const GOALS = { cpuMsPerInvoice: 12, rate1: 80, rate4plus: 160, collapse: 0.9, p99Factor: 2 };

interface CpuSample {
  appMs: number;
  pgMs: number;
}

// ---------------------------------------------------------------------------------------------
// The app processes

interface AppNode {
  url: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  logFile: string;
}

async function healthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/api/health`);
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

async function startNode(index: number, env: Record<string, string | undefined>, dataDir: string): Promise<AppNode> {
  const port = await freePort();
  const logFile = path.join(dataDir, `app-${index + 1}.log`);
  const out = fsSync.openSync(logFile, 'a');
  const args = [...(CPU_PROF_DIR ? ['--cpu-prof', '--cpu-prof-dir', CPU_PROF_DIR] : []), 'scripts/start.mjs'];
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...env, PORT: String(port) }, stdio: ['ignore', out, out] });
  fsSync.closeSync(out);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => (gone = true));
  const url = `http://127.0.0.1:${port}`;
  const t0 = Date.now();
  while (!(await healthy(url))) {
    if (gone) throw new Error(`app ${index + 1} exited before it was healthy:\n${(await fs.readFile(logFile, 'utf8')).slice(-3000)}`);
    if (Date.now() - t0 > START_TIMEOUT_MS) {
      child.kill('SIGKILL');
      throw new Error(`app ${index + 1} was not healthy within ${START_TIMEOUT_MS} ms`);
    }
    await sleep(50);
  }
  return { url, child, exited, logFile };
}

async function stopNode(node: AppNode): Promise<void> {
  if (node.child.exitCode !== null) return;
  node.child.kill('SIGINT');
  const code = await Promise.race([node.exited, sleep(30_000).then(() => 'timeout' as const)]);
  if (code === 'timeout') node.child.kill('SIGKILL');
}

// ---------------------------------------------------------------------------------------------
// HTTP clients

interface Login {
  cookie: string;
  token: string;
  base: string;
}

function cookiesOf(res: Response, jar: Map<string, string>): void {
  for (const line of res.headers.getSetCookie()) {
    const pair = line.split(';')[0]!;
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const value = pair.slice(eq + 1).trim();
    if (value === '') jar.delete(pair.slice(0, eq).trim());
    else jar.set(pair.slice(0, eq).trim(), value);
  }
}

/** As a browser logs in: a CSRF token, the login (which rotates the CSRF secret), a new token for the session. */
async function logIn(base: string, email: string): Promise<Login> {
  const jar = new Map<string, string>();
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const first = await fetch(`${base}/api/csrf`);
  cookiesOf(first, jar);
  const { token } = (await first.json()) as { token: string };
  const res = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-csrf-token': token, cookie: cookie() },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  if (res.status !== 200) throw new Error(`login of ${email}: ${res.status} ${await res.text()}`);
  await res.arrayBuffer();
  cookiesOf(res, jar);
  const again = await fetch(`${base}/api/csrf`, { headers: { cookie: cookie() } });
  cookiesOf(again, jar);
  const { token: sessionToken } = (await again.json()) as { token: string };
  return { cookie: cookie(), token: sessionToken, base };
}

async function json<T>(login: Login, method: string, route: string, body: unknown, expected: number): Promise<T> {
  const res = await fetch(`${login.base}${route}`, {
    method,
    headers: { 'content-type': 'application/json', 'x-csrf-token': login.token, cookie: login.cookie },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== expected) throw new Error(`${method} ${route}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** A 30-line invoice: three sections of nine items (VAT at 20, 10, 5.5 and 2.1 %, some line discounts), a 5 % document discount. */
export function invoiceBody(customerId: string, n: number): Record<string, unknown> {
  const rates = ['20', '10', '5.5', '2.1'];
  const lines: Record<string, unknown>[] = [];
  for (let s = 0; s < 3; s++) {
    lines.push({ kind: 'section', designation: ['Préparation du chantier', 'Menuiseries intérieures', 'Finitions et fournitures'][s] });
    for (let i = 0; i < 9; i++) {
      const k = s * 9 + i;
      lines.push({
        kind: 'item',
        reference: `REF-${String(k + 1).padStart(3, '0')}`,
        designation: `Prestation ${k + 1} — pose et réglage`,
        description: k % 4 === 0 ? 'Fourniture et pose, dépose de l’existant comprise' : null,
        unit: k % 2 === 0 ? 'h' : 'u',
        quantity: String(1 + ((k * 7 + n) % 13)) + (k % 3 === 0 ? '.5' : ''),
        unitPrice: `${20 + ((k * 37) % 480)}.${String((k * 13) % 100).padStart(2, '0')}`,
        discount: k % 5 === 0 ? { type: 'percent', value: '10' } : k % 7 === 0 ? { type: 'amount', value: '5' } : null,
        vatRate: rates[k % rates.length],
        nature: k % 3 === 0 ? 'goods' : 'service',
      });
    }
  }
  if (lines.length !== LINES) throw new Error(`the invoice has ${lines.length} lines`);
  return { type: 'invoice', customerId, lines, discount: { type: 'percent', value: '5' }, notes: 'Merci de votre confiance.' };
}

interface Done {
  id: string;
  number: string;
  pdfUrl: string;
  sha256: string;
  headerSha256: string | null;
  bytes: number;
  login: Login;
}

interface PhaseOutcome {
  clients: number;
  seconds: number;
  invoices: Done[];
  create: number[];
  issue: number[];
  pdf: number[];
  whole: number[];
  errors: string[];
  pdfRetries: number;
}

async function runPhase(logins: Login[], clients: number, seconds: number, customerId: string, dossierId: string): Promise<PhaseOutcome> {
  const outcome: PhaseOutcome = { clients, seconds: 0, invoices: [], create: [], issue: [], pdf: [], whole: [], errors: [], pdfRetries: 0 };
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let serial = 0;
  const client = async (login: Login) => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        const { document: draft } = await json<{ document: { id: string; version: number } }>(login, 'POST', `/api/d/${dossierId}/invoices`, invoiceBody(customerId, serial++), 201);
        const t1 = performance.now();
        const { document: issued } = await json<{ document: { number: string; pdfUrl: string } }>(login, 'POST', `/api/d/${dossierId}/invoices/${draft.id}/issue`, { version: draft.version }, 200);
        const t2 = performance.now();
        let bytes: Buffer | null = null;
        let header: string | null = null;
        while (bytes === null) {
          const res = await fetch(`${login.base}${issued.pdfUrl}`, { headers: { cookie: login.cookie } });
          const body = Buffer.from(await res.arrayBuffer());
          if (res.status === 200 && body.length > 0) {
            bytes = body;
            header = res.headers.get('x-content-sha256');
          } else if (res.status === 202 || res.status === 503) {
            outcome.pdfRetries++;
            await sleep(Number(res.headers.get('retry-after') ?? 0) * 1000 || 20);
          } else throw new Error(`GET ${issued.pdfUrl}: ${res.status} ${body.toString('utf8', 0, 300)}`);
          if (performance.now() - t2 > 60_000) throw new Error(`GET ${issued.pdfUrl}: no PDF after 60 s`);
        }
        const t3 = performance.now();
        outcome.create.push(t1 - t0);
        outcome.issue.push(t2 - t1);
        outcome.pdf.push(t3 - t2);
        outcome.whole.push(t3 - t0);
        outcome.invoices.push({ id: draft.id, number: issued.number, pdfUrl: issued.pdfUrl, sha256: createHash('sha256').update(bytes).digest('hex'), headerSha256: header, bytes: bytes.length, login });
      } catch (error) {
        outcome.errors.push(error instanceof Error ? error.message : String(error));
        await sleep(10);
      }
    }
  };
  await Promise.all(logins.slice(0, clients).map(client));
  outcome.seconds = (performance.now() - started) / 1000;
  return outcome;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * p) - 1))]!;
}

// ---------------------------------------------------------------------------------------------
// Checks

async function checkNumbers(owner: pg.Pool, dossierId: string, answered: string[]): Promise<string[]> {
  const problems: string[] = [];
  const { rows } = await owner.query<{ number: string }>(`SELECT number FROM documents WHERE dossier_id = $1 AND series = 'invoice' AND number IS NOT NULL`, [dossierId]);
  const stored = rows.map((r) => r.number);
  const unique = new Set(stored);
  if (unique.size !== stored.length) problems.push(`${stored.length - unique.size} duplicate numbers stored`);
  const given = new Set(answered);
  if (given.size !== answered.length) problems.push(`${answered.length - given.size} numbers given twice`);
  const today = parisDate();
  const expected = Array.from({ length: stored.length }, (_, i) => renderNumber(DEFAULT_FORMATS.invoice, { year: Number(today.slice(0, 4)), month: Number(today.slice(5, 7)), counter: i + 1 }));
  const missing = expected.filter((n) => !unique.has(n));
  if (missing.length > 0) problems.push(`gaps: ${missing.length} numbers missing, first ${missing.slice(0, 3).join(', ')}`);
  const notGiven = stored.filter((n) => !given.has(n));
  if (notGiven.length > 0) problems.push(`${notGiven.length} numbers stored that no client was given (an issue answered with an error after committing?), first ${notGiven.slice(0, 3).join(', ')}`);
  const notStored = answered.filter((n) => !unique.has(n));
  if (notStored.length > 0) problems.push(`${notStored.length} numbers given but not stored`);
  return problems;
}

async function checkPdfs(owner: pg.Pool, dossierId: string, invoices: Done[]): Promise<{ problems: string[]; redownloaded: number }> {
  const problems: string[] = [];
  const stored = new Map<string, string>();
  for (let i = 0; i < invoices.length; i += 1000) {
    const ids = invoices.slice(i, i + 1000).map((d) => d.id);
    const { rows } = await owner.query<{ id: string; sha256: string | null }>(
      `SELECT d.id, encode(f.sha256, 'hex') AS sha256 FROM documents d LEFT JOIN files f ON f.dossier_id = d.dossier_id AND f.id = d.pdf_file_id WHERE d.dossier_id = $1 AND d.id = ANY($2::uuid[])`,
      [dossierId, ids],
    );
    for (const r of rows) if (r.sha256) stored.set(r.id, r.sha256);
  }
  let mismatched = 0;
  for (const d of invoices) {
    const frozen = stored.get(d.id);
    if (!frozen) problems.push(`${d.number}: no frozen PDF stored`);
    else if (frozen !== d.sha256 || d.headerSha256 !== frozen) mismatched++;
  }
  if (mismatched > 0) problems.push(`${mismatched} downloaded PDFs differ from the frozen one`);
  let redownloaded = 0;
  if (RECHECK) {
    let next = 0;
    let differing = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < invoices.length) {
          const d = invoices[next++]!;
          const res = await fetch(`${d.login.base}${d.pdfUrl}`, { headers: { cookie: d.login.cookie } });
          const bytes = Buffer.from(await res.arrayBuffer());
          if (res.status !== 200 || createHash('sha256').update(bytes).digest('hex') !== d.sha256) differing++;
          redownloaded++;
        }
      }),
    );
    if (differing > 0) problems.push(`${differing} second downloads differ from the first`);
  }
  return { problems: problems.slice(0, 20), redownloaded };
}

// ---------------------------------------------------------------------------------------------

interface Setup {
  nodes: AppNode[];
  ownerUrl: string;
  postmaster: number | null;
  cleanup(): Promise<void>;
}

async function startApps(): Promise<Setup> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ardoise-bench-e2e-'));
  await fs.chmod(dataDir, 0o755); // the embedded postgres runs as the `postgres` user when we are root
  const env: Record<string, string | undefined> = { ...process.env, NODE_ENV: 'production', HOST: '127.0.0.1', DATA_DIR: dataDir };
  delete env.NODE_OPTIONS;
  delete env.LOG_LEVEL; // production's level
  const given = process.env.DATABASE_URL;
  let dropDatabase = async () => {};
  let ownerUrl: string;
  const nodes: AppNode[] = [];
  const cleanup = async () => {
    for (const node of nodes.slice().reverse()) await stopNode(node);
    await dropDatabase();
    await fs.rm(dataDir, { recursive: true, force: true });
  };
  try {
    if (given) {
      const name = `ardoise_bench_e2e_${process.pid}`;
      const admin = new pg.Client({ connectionString: given });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      const url = new URL(given);
      url.pathname = `/${name}`;
      env.DATABASE_URL = ownerUrl = url.toString();
      dropDatabase = async () => {
        const client = new pg.Client({ connectionString: given });
        await client.connect();
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await client.end();
      };
      for (let i = 0; i < NODES; i++) nodes.push(await startNode(i, env, dataDir));
    } else {
      delete env.DATABASE_URL;
      const pgPort = await freePort();
      env.EMBEDDED_PG_PORT = String(pgPort);
      // The first node runs the embedded PostgreSQL; the others share it (and DATA_DIR: the audit anchor key), as external database.
      nodes.push(await startNode(0, env, dataDir));
      const secret = (await fs.readFile(path.join(dataDir, 'pg-password'), 'utf8')).trim();
      ownerUrl = `postgres://postgres:${encodeURIComponent(secret)}@127.0.0.1:${pgPort}/ardoise`;
      for (let i = 1; i < NODES; i++) nodes.push(await startNode(i, { ...env, DATABASE_URL: ownerUrl }, dataDir));
    }
  } catch (error) {
    await cleanup();
    throw error;
  }
  // The cluster's postmaster: the parent of a backend, if this machine runs it.
  const postmaster = await postmasterOf(ownerUrl);
  return { nodes, ownerUrl, postmaster, cleanup };
}

function sampleCpu(setup: Setup): CpuSample {
  let appMs = 0;
  for (const node of setup.nodes) appMs += readStat(node.child.pid!)?.own ?? NaN;
  return { appMs, pgMs: setup.postmaster ? clusterCpuMs(setup.postmaster) : NaN };
}

/** Waits until the app and the database have gone quiet (background PDFs done): at most 60 s. */
async function settle(setup: Setup): Promise<number> {
  const t0 = performance.now();
  let last = sampleCpu(setup);
  for (;;) {
    await sleep(250);
    const now = sampleCpu(setup);
    const used = now.appMs - last.appMs + (Number.isNaN(now.pgMs) ? 0 : now.pgMs - last.pgMs);
    last = now;
    // Under 5 % of one core: timers, the idle pool, the anchors.
    if (used < 12.5 || performance.now() - t0 > 60_000) return (performance.now() - t0) / 1000;
  }
}

/** Members of one dossier, made in the database; the dossier through the app's own createDossier (its audit chain starts as in production). */
async function setUpDossier(ownerUrl: string, members: number): Promise<{ dossierId: string; emails: string[] }> {
  const config = loadConfig({ ...process.env, DATABASE_URL: ownerUrl });
  const { db, pool } = createDb(ownerUrl, 2);
  const owner = new pg.Client({ connectionString: ownerUrl });
  await owner.connect();
  try {
    const hash = await hashPassword(PASSWORD);
    const stamp = Date.now().toString(36);
    const users = Array.from({ length: members }, (_, i) => ({ id: randomUUID(), email: `bench.e2e.${i + 1}.${stamp}@example.com`, name: `Membre ${i + 1}` }));
    await owner.query(
      `INSERT INTO users (id, email, name, password_hash) SELECT u.id, u.email, u.name, $4 FROM unnest($1::uuid[], $2::text[], $3::text[]) AS u(id, email, name)`,
      [users.map((u) => u.id), users.map((u) => u.email), users.map((u) => u.name), hash],
    );
    // Whatever confirmation of the address sign-up may require: these addresses are confirmed now.
    const { rows: confirmations } = await owner.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'users'
         AND data_type LIKE 'timestamp%' AND (column_name LIKE '%confirmed%' OR column_name LIKE '%verified%')`,
    );
    for (const { column_name } of confirmations) await owner.query(`UPDATE users SET ${pg.escapeIdentifier(column_name)} = now() WHERE id = ANY($1::uuid[])`, [users.map((u) => u.id)]);
    const dossierId = randomUUID();
    const tx = createTx(db, config.appRole);
    await tx({ dossierId, userId: users[0]!.id }, (t) =>
      createDossier(t, { dossierId, legalName: 'Menuiserie Lambert', plan: 'tpe_plus', owner: users[0]! }, { ip: '127.0.0.1', userAgent: 'invoice-e2e', requestId: null }),
    );
    await owner.query(`UPDATE dossiers SET extra_seats = $2 WHERE id = $1`, [dossierId, members]);
    await owner.query(
      `INSERT INTO memberships (dossier_id, user_id, profile_key) SELECT $1, u, 'admin' FROM unnest($2::uuid[]) AS u`,
      [dossierId, users.slice(1).map((u) => u.id)],
    );
    return { dossierId, emails: users.map((u) => u.email) };
  } finally {
    await owner.end();
    await db.destroy().catch(() => undefined);
    await pool.end().catch(() => undefined);
  }
}

interface PhaseSummary {
  clients: number;
  seconds: number;
  invoices: number;
  invoicesPerSecond: number;
  cpuMsPerInvoice: number;
  appCpuMsPerInvoice: number;
  pgCpuMsPerInvoice: number;
  settleSeconds: number;
  p50Ms: { create: number; issue: number; pdf: number; invoice: number };
  p99Ms: { create: number; issue: number; pdf: number; invoice: number };
  errors: number;
  errorSamples: string[];
  pdfRetries: number;
  numbersProblems: string[];
  pdfProblems: string[];
  redownloaded: number;
  pdfBytesMedian: number;
}

export async function invoiceE2e(): Promise<BenchResult> {
  if (CLIENT_COUNTS.length === 0) throw new Error('BENCH_E2E_CLIENTS names no client count');
  if (CPU_PROF_DIR) await fs.mkdir(CPU_PROF_DIR, { recursive: true });
  const setup = await startApps();
  const owner = new pg.Pool({ connectionString: setup.ownerUrl, max: 4 });
  owner.on('error', () => undefined);
  try {
    const members = Math.max(...CLIENT_COUNTS, 4);
    const { dossierId, emails } = await setUpDossier(setup.ownerUrl, members);
    // Client i talks to node i mod NODES, with its own login.
    const logins: Login[] = [];
    for (let i = 0; i < emails.length; i += 4) {
      logins.push(...(await Promise.all(emails.slice(i, i + 4).map((email, j) => logIn(setup.nodes[(i + j) % NODES]!.url, email)))));
    }
    await json(logins[0]!, 'PATCH', `/api/d/${dossierId}/settings`, SELLER, 200);
    const { customer } = await json<{ customer: { id: string } }>(
      logins[0]!,
      'POST',
      `/api/d/${dossierId}/customers`,
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
    console.log(`  invoice-e2e: ${NODES} app process(es) (${setup.nodes.map((n) => n.url).join(', ')}), ${members} members logged in, PostgreSQL ${setup.postmaster ? `postmaster pid ${setup.postmaster}` : 'not on this machine (its CPU is not counted)'}`);

    const answered: string[] = [];
    if (WARMUP_SECONDS > 0) {
      const warm = await runPhase(logins, Math.min(4, logins.length), WARMUP_SECONDS, customer.id, dossierId);
      answered.push(...warm.invoices.map((d) => d.number));
      await settle(setup);
      console.log(`  invoice-e2e: warm-up ${warm.invoices.length} invoices in ${round(warm.seconds, 1)} s, ${warm.errors.length} errors`);
    }

    const phases: PhaseSummary[] = [];
    for (const clients of CLIENT_COUNTS) {
      const before = sampleCpu(setup);
      const loadBefore = os.loadavg()[0]!;
      const run = await runPhase(logins, clients, SECONDS, customer.id, dossierId);
      const settleSeconds = await settle(setup);
      const after = sampleCpu(setup);
      answered.push(...run.invoices.map((d) => d.number));
      const numbersProblems = await checkNumbers(owner, dossierId, answered);
      const { problems: pdfProblems, redownloaded } = await checkPdfs(owner, dossierId, run.invoices);
      const n = Math.max(1, run.invoices.length);
      const appMs = after.appMs - before.appMs;
      const pgMs = after.pgMs - before.pgMs;
      const summary: PhaseSummary = {
        clients,
        seconds: round(run.seconds, 2),
        invoices: run.invoices.length,
        invoicesPerSecond: round(run.invoices.length / run.seconds, 1),
        cpuMsPerInvoice: round((appMs + (Number.isNaN(pgMs) ? 0 : pgMs)) / n, 1),
        appCpuMsPerInvoice: round(appMs / n, 1),
        pgCpuMsPerInvoice: round(pgMs / n, 1),
        settleSeconds: round(settleSeconds, 2),
        p50Ms: { create: round(percentile(run.create, 0.5), 1), issue: round(percentile(run.issue, 0.5), 1), pdf: round(percentile(run.pdf, 0.5), 1), invoice: round(percentile(run.whole, 0.5), 1) },
        p99Ms: { create: round(percentile(run.create, 0.99), 1), issue: round(percentile(run.issue, 0.99), 1), pdf: round(percentile(run.pdf, 0.99), 1), invoice: round(percentile(run.whole, 0.99), 1) },
        errors: run.errors.length,
        errorSamples: [...new Set(run.errors)].slice(0, 5),
        pdfRetries: run.pdfRetries,
        numbersProblems,
        pdfProblems,
        redownloaded,
        pdfBytesMedian: run.invoices.length ? median(run.invoices.map((d) => d.bytes)) : 0,
      };
      phases.push(summary);
      console.log(
        `  invoice-e2e ${String(clients).padStart(2)} client(s): ${summary.invoicesPerSecond} invoices/s (${summary.invoices} in ${summary.seconds} s), ` +
          `${summary.cpuMsPerInvoice} CPU-ms/invoice (app ${summary.appCpuMsPerInvoice}, PostgreSQL ${summary.pgCpuMsPerInvoice}; quiet ${summary.settleSeconds} s after), ` +
          `p50 create ${summary.p50Ms.create} / issue ${summary.p50Ms.issue} / pdf ${summary.p50Ms.pdf} / invoice ${summary.p50Ms.invoice} ms, p99 invoice ${summary.p99Ms.invoice} ms, ` +
          `${summary.errors} errors, load ${round(loadBefore, 2)}` +
          (numbersProblems.length + pdfProblems.length > 0 ? `\n    CHECKS FAILED: ${[...numbersProblems, ...pdfProblems].join('; ')}` : ', numbers gapless, PDFs frozen'),
      );
      if (summary.errorSamples.length > 0) console.log(`    errors, e.g.: ${summary.errorSamples.join(' | ')}`);
    }

    // Goals (issue 10).
    const at = (c: number) => phases.find((p) => p.clients === c);
    const totalInvoices = phases.reduce((s, p) => s + p.invoices, 0);
    const cpuMs = round(median(phases.map((p) => p.cpuMsPerInvoice)), 1);
    const best48 = Math.max(...phases.filter((p) => p.clients === 4 || p.clients === 8).map((p) => p.invoicesPerSecond));
    const goals: { goal: string; measured: string; met: boolean | null }[] = [];
    goals.push({ goal: `CPU-ms per invoice (app + PostgreSQL), median over the phases <= ${GOALS.cpuMsPerInvoice}`, measured: `${cpuMs} (per phase: ${phases.map((p) => `${p.clients}: ${p.cpuMsPerInvoice}`).join(', ')})`, met: setup.postmaster ? cpuMs <= GOALS.cpuMsPerInvoice : null });
    const one = at(1);
    goals.push({ goal: `>= ${GOALS.rate1} invoices/s with 1 client`, measured: one ? `${one.invoicesPerSecond}` : 'not run', met: one ? one.invoicesPerSecond >= GOALS.rate1 : null });
    const many = phases.filter((p) => p.clients >= 4);
    goals.push({ goal: `>= ${GOALS.rate4plus} invoices/s with 4 or more clients`, measured: many.length ? many.map((p) => `${p.clients}: ${p.invoicesPerSecond}`).join(', ') : 'not run', met: many.length ? many.every((p) => p.invoicesPerSecond >= GOALS.rate4plus) : null });
    const p64 = at(64);
    const collapseMet = p64 && Number.isFinite(best48) ? p64.invoicesPerSecond >= GOALS.collapse * best48 : null;
    goals.push({ goal: `no collapse: rate at 64 clients >= ${GOALS.collapse} x the best rate at 4 or 8`, measured: p64 && Number.isFinite(best48) ? `${p64.invoicesPerSecond} vs ${round(best48, 1)} (x ${round(p64.invoicesPerSecond / best48, 2)})` : 'not run', met: collapseMet });
    const p99Limit = Number.isFinite(best48) ? (GOALS.p99Factor * 64 * 1000) / best48 : NaN;
    goals.push({ goal: `p99 of a whole invoice at 64 clients <= ${GOALS.p99Factor} x (64 / best rate at 4 or 8)`, measured: p64 && Number.isFinite(p99Limit) ? `${p64.p99Ms.invoice} ms (limit ${round(p99Limit, 0)} ms)` : 'not run', met: p64 && Number.isFinite(p99Limit) ? p64.p99Ms.invoice <= p99Limit : null });
    const errors = phases.reduce((s, p) => s + p.errors, 0);
    goals.push({ goal: '0 errors', measured: String(errors), met: errors === 0 });
    const checkProblems = phases.flatMap((p) => [...p.numbersProblems, ...p.pdfProblems]);
    goals.push({ goal: 'numbers gapless and unique, every PDF the frozen one (and the same bytes at a second download)', measured: checkProblems.length ? checkProblems.slice(0, 5).join('; ') : `${answered.length} numbers, ${totalInvoices} PDFs checked`, met: checkProblems.length === 0 });
    const met = goals.every((g) => g.met !== false) && goals.some((g) => g.met === true);

    return {
      name: NODES > 1 ? `invoice-e2e-${NODES}-nodes` : 'invoice-e2e',
      metric: `CPU-ms per invoice (create a ${LINES}-line invoice, issue it, download its PDF; app + PostgreSQL, from /proc)`,
      unit: 'CPU-ms/invoice',
      ours: cpuMs,
      baseline: BASELINE.cpuMsPerInvoice,
      baselineName: 'Ardoise before this work, as stated in issue 10 (same machine type, 2 cores)',
      ratio: round(cpuMs / BASELINE.cpuMsPerInvoice, 3),
      goal: `<= ${GOALS.cpuMsPerInvoice} CPU-ms/invoice and ${goals.length - 1} more (goals)`,
      met,
      goals,
      phases,
      ratesAgainstBaseline: phases.map((p) => ({ clients: p.clients, invoicesPerSecond: p.invoicesPerSecond, baseline: BASELINE.invoicesPerSecond[p.clients] ?? null, ratio: BASELINE.invoicesPerSecond[p.clients] ? round(p.invoicesPerSecond / BASELINE.invoicesPerSecond[p.clients]!, 2) : null })),
      baselineFigures: BASELINE,
      incumbent: INCUMBENT,
      nodes: NODES,
      machine: { cores: os.cpus().length, loadAverageAtEnd: os.loadavg().map((l) => round(l, 2)) },
      database: process.env.DATABASE_URL ? 'DATABASE_URL (fresh database)' : 'embedded PostgreSQL 15 (started by the first app process)',
      seconds: SECONDS,
      clientCounts: CLIENT_COUNTS,
      command: `BENCH_E2E_SECONDS=${SECONDS} BENCH_E2E_CLIENTS=${CLIENT_COUNTS.join(',')} BENCH_E2E_NODES=${NODES} npm run bench invoice-e2e`,
      note: 'Rates are wall-clock and depend on what else runs on the machine (see machine.loadAverageAtEnd); CPU-ms per invoice does much less.',
    };
  } finally {
    await owner.end();
    await setup.cleanup();
  }
}
