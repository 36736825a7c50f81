import { CompiledQuery, Kysely, PostgresDialect, type QueryResult } from 'kysely';
import pg from 'pg';
import type { DocumentType } from '../src/core/documents';
import { startServer, type RunningServer } from '../src/server/boot';
import { loadConfig } from '../src/server/config';
import { listDocuments, listQuery } from '../src/server/documents/list';
import { migrate } from '../src/server/db/migrate';
import type { Database } from '../src/server/db/schema';
import { createTx } from '../src/server/db/tx';
import { signUp, startBenchApp } from './issue-concurrency';
import { autocannon, freePort, median, round, sleep, type BenchResult, type LoadResult } from './report';

/**
 * list-scale: p99 of the invoice list (`GET /api/d/:id/invoices`, one page of 50 with its count
 * and totals) for a dossier of 1,000 invoices when the database holds 1,000,000 invoices in
 * 1,000 dossiers, against the same requests when it holds 10,000 invoices in 10 dossiers (the
 * same dossier shape), in the same run and on the same PostgreSQL cluster, alternating.
 * ratio = large p99 ÷ small p99 (the worse of the two request variants); goal ≤ 1.5.
 * Extra: a "big dossier" of 50,000 invoices in the large database.
 *
 * The data is loaded with INSERT … SELECT generate_series as the owner (no API), but dossiers,
 * the user and the memberships are real, so the route runs exactly as in production. Rows of
 * the dossiers are interleaved, as invoices of many tenants arriving over three years are.
 * p99 on this kind of machine is noisy: ROUNDS alternating runs, medians. The result also holds
 * the database's own time (EXPLAIN ANALYZE of the two list queries, captured from listDocuments)
 * and buffer counts, which say whether the table's size changes the work, whatever the noise.
 */
const CONNECTIONS = 8;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = 3;
const ROUNDS = Number(process.env.BENCH_LIST_ROUNDS ?? 5);
/** The big dossier is an extra: measured in the first rounds only. */
const BIG_ROUNDS = Number(process.env.BENCH_LIST_BIG_ROUNDS ?? 2);
const GOAL = 1.5;
const PER_DOSSIER = 1000;
const LARGE_DOSSIERS = Number(process.env.BENCH_LIST_DOSSIERS ?? 1000);
const SMALL_DOSSIERS = 10;
const BIG_DOSSIER = Number(process.env.BENCH_LIST_BIG ?? 50_000);
const CUSTOMERS_PER_DOSSIER = 20;
const CHUNK = 100_000;
/** What a numbered document freezes of its seller (the shape of sellerSnapshot()). */
const SELLER_SNAPSHOT = {
  name: 'Menuiserie Lambert SARL',
  legalForm: 'SARL',
  siren: '732829320',
  siret: '73282932000074',
  vatNumber: 'FR44732829320',
  address: { line1: '12 rue des Lilas', line2: '', postalCode: '69003', city: 'Lyon', country: 'FR' },
  shareCapitalCents: 1_000_000,
  rcsCity: 'Lyon',
  email: 'contact@lambert.example',
  iban: 'FR7630006000011234567890189',
  phone: null,
  bic: 'AGRIFRPP',
  vatRegime: 'normal',
  vatOnDebits: false,
  latePenaltyRate: '12.15',
};
const INVOICE_TYPES: readonly DocumentType[] = ['invoice', 'deposit_invoice', 'credit_note', 'pro_forma'];

interface Dataset {
  label: string;
  server: RunningServer;
  ownerUrl: string;
  cookie: string;
  userId: string;
  /** The measured dossier (1,000 invoices) and its first customer. */
  dossierId: string;
  customerId: string;
  big?: { dossierId: string; customerId: string };
}

/** Deterministic ids, so that documents can name their dossier and customer without a join. */
const uuidOf = (text: string) => `overlay(overlay(md5(${text}) PLACING '4' FROM 13) PLACING '8' FROM 17)::uuid`; // an RFC 4122 version-4 shape
const dossierIdSql = (n: string) => uuidOf(`'bench-dossier-' || ${n}`);
const customerIdSql = (dossier: string, c: string) => uuidOf(`${dossier}::text || ':customer:' || ${c}`);

async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  const result = await fn();
  console.log(`  list-scale: ${label} in ${round((Date.now() - t0) / 1000, 1)} s`);
  return result;
}

/**
 * Loads `dossiers` dossiers of PER_DOSSIER issued invoices each (plus, when `big` > 0, one more
 * dossier of `big` invoices, its rows spread among the others'), with CUSTOMERS_PER_DOSSIER
 * customers per dossier; the user becomes an admin of the measured dossier(s).
 */
export async function load(ownerUrl: string, label: string, dossiers: number, big: number, userId: string): Promise<{ dossierId: string; customerId: string; big?: { dossierId: string; customerId: string } }> {
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    await client.query('SET synchronous_commit = off');
    const total = dossiers + (big > 0 ? 1 : 0);
    // Dossier n = 0 is the big one (when there is one); the measured one sits in the middle.
    const measured = Math.ceil(dossiers / 2);
    const first = big > 0 ? 0 : 1;
    await timed(`${label}: ${total} dossiers`, () =>
      client.query(
        `INSERT INTO dossiers (id, legal_name, legal_form, siren, address, rcs_city, email, created_at)
         SELECT ${dossierIdSql('g')}, 'Entreprise ' || g, 'SARL', lpad((100000000 + g)::text, 9, '0'),
                jsonb_build_object('line1', g || ' rue des Lilas', 'line2', '', 'postalCode', '69003', 'city', 'Lyon', 'country', 'FR'),
                'Lyon', 'contact' || g || '@example.com', now() - interval '3 years'
         FROM generate_series($1::int, $2::int) g`,
        [first, dossiers],
      ),
    );
    const members = big > 0 ? [measured, 0] : [measured];
    await client.query(
      `INSERT INTO memberships (dossier_id, user_id, profile_key) SELECT ${dossierIdSql('g')}, $1, 'admin' FROM unnest($2::int[]) g`,
      [userId, members],
    );
    // Lookup tables for the documents' load: each customer with its snapshot, and 1,000 amounts
    // with their totals (per-row JSON building would dominate the load time).
    await client.query(
      `CREATE TEMP TABLE bench_customers AS
       SELECT g AS n, c, d.id AS dossier_id, ${customerIdSql('d.id', 'c')} AS id,
              jsonb_build_object('name', 'Client ' || c || ' de ' || g,
                                 'address', jsonb_build_object('line1', c || ' place du Marché', 'line2', '', 'postalCode', '38000', 'city', 'Grenoble', 'country', 'FR'),
                                 'siren', lpad((200000000 + c)::text, 9, '0'), 'vatNumber', NULL, 'emails', jsonb_build_array('compta' || c || '@client.example')) AS snapshot
       FROM generate_series($1::int, $2::int) g CROSS JOIN LATERAL (SELECT ${dossierIdSql('g')} AS id) d CROSS JOIN generate_series(1, $3::int) c`,
      [first, dossiers, CUSTOMERS_PER_DOSSIER],
    );
    await client.query(
      `CREATE TEMP TABLE bench_amounts AS
       SELECT a, net, vat, jsonb_build_object('vat', jsonb_build_array(jsonb_build_object('rate', '20', 'linesNetCents', net, 'discountCents', 0, 'saleBaseCents', net, 'saleVatCents', vat,
                                                                                 'depositBaseCents', 0, 'depositVatCents', 0, 'baseCents', net, 'vatCents', vat)),
                                      'lines', jsonb_build_array(jsonb_build_object('amountCents', net, 'discountCents', 0, 'netCents', net)),
                                      'linesNetCents', net, 'discountCents', 0, 'saleNetCents', net, 'saleVatCents', vat, 'saleGrossCents', net + vat,
                                      'depositsNetCents', 0, 'depositsVatCents', 0, 'depositsGrossCents', 0, 'netCents', net, 'vatCents', vat, 'grossCents', net + vat) AS totals
       FROM (SELECT a, (10000 + a * 491)::bigint AS net, ((10000 + a * 491) / 5)::bigint AS vat FROM generate_series(0, 999) a) s`,
    );
    await client.query('ALTER TABLE bench_customers ADD PRIMARY KEY (n, c); ALTER TABLE bench_amounts ADD PRIMARY KEY (a); ANALYZE bench_customers; ANALYZE bench_amounts');
    await timed(`${label}: ${total * CUSTOMERS_PER_DOSSIER} customers`, () =>
      client.query(
        `INSERT INTO customers (dossier_id, id, kind, name, siren, billing_address, emails)
         SELECT dossier_id, id, 'company', snapshot->>'name', snapshot->>'siren', snapshot->'address', ARRAY['compta' || c || '@client.example'] FROM bench_customers`,
      ),
    );

    // Row g of the series: with a big dossier, every `every`-th row is the big dossier's, the others
    // (renumbered r = 1…dossiers×PER_DOSSIER) go round the regular dossiers, so that each dossier's
    // invoices are spread over the whole table in date order, as they would have arrived.
    const regular = dossiers * PER_DOSSIER;
    if (big > regular / 2) throw new Error(`the big dossier (${big}) must hold at most half as many invoices as the others together (${regular})`);
    const every = big > 0 ? Math.round((regular + big) / big) : 0;
    const rows = big > 0 ? regular + Math.floor(regular / (every - 1)) : regular;
    const bigCount = rows - regular;
    // Bulk-load shortcut (this database is the benchmark's own): the secondary indexes are dropped and
    // rebuilt after the load (same definitions, read from the catalogue), and the foreign keys are not
    // checked row by row (session_replication_role = replica); the ids are valid by construction and
    // checked once below. BENCH_LIST_KEEP_INDEXES=1 loads with every index in place instead.
    const keepIndexes = Boolean(process.env.BENCH_LIST_KEEP_INDEXES);
    const secondary = keepIndexes
      ? []
      : (
          await client.query<{ name: string; def: string }>(
            `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def FROM pg_index i
             WHERE i.indrelid = 'documents'::regclass AND NOT i.indisprimary AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`,
          )
        ).rows;
    for (const index of secondary) await client.query(`DROP INDEX ${index.name}`);
    await client.query(`SET session_replication_role = replica; SET work_mem = '256MB'`);
    const started = Date.now();
    for (let from = 1; from <= rows; from += CHUNK) {
      const to = Math.min(rows, from + CHUNK - 1);
      await client.query(
        `INSERT INTO documents (dossier_id, id, type, status, series, number, issue_date, due_date, customer_id, customer_snapshot, seller_snapshot,
                                payment_terms, totals, net_cents, vat_cents, gross_cents, paid_cents, created_by, created_at, updated_by, updated_at, issued_at, issued_by)
         SELECT bc.dossier_id, gen_random_uuid(), 'invoice', 'issued', 'invoice',
                'F-' || extract(year FROM k.issue_date) || '-' || lpad(i.k::text, 6, '0'),
                k.issue_date, k.issue_date + 30, bc.id, bc.snapshot, $8::jsonb, '{"days":30,"endOfMonth":false}'::jsonb,
                am.totals, am.net, am.vat, am.net + am.vat,
                CASE WHEN k.issue_date < current_date - 60 THEN (CASE WHEN i.g % 10 < 8 THEN am.net + am.vat WHEN i.g % 10 = 8 THEN (am.net + am.vat) / 2 ELSE 0 END)
                     ELSE (CASE WHEN i.g % 10 < 3 THEN am.net + am.vat ELSE 0 END) END,
                k.by_user, k.at, k.by_user, k.at, k.at, k.by_user
         FROM generate_series($1::bigint, $2::bigint) g
         CROSS JOIN LATERAL (
           SELECT g, CASE WHEN g % NULLIF($3::bigint, 0) = 0 THEN 0 ELSE (g - COALESCE(g / NULLIF($3::bigint, 0), 0) - 1) % $4 + 1 END AS n,
                     CASE WHEN g % NULLIF($3::bigint, 0) = 0 THEN g / $3 ELSE (g - COALESCE(g / NULLIF($3::bigint, 0), 0) - 1) / $4 + 1 END AS k
         ) i
         CROSS JOIN LATERAL (
           SELECT d AS issue_date, d + time '10:00' AS at, ((i.k * 7) % $7)::int + 1 AS c, CASE WHEN i.n IN (${members.join(', ')}) THEN $9::uuid END AS by_user
           FROM (SELECT (current_date - 1095 + ((i.k - 1) * 1095 / CASE WHEN i.n = 0 THEN $5::int ELSE $6::int END)::int) AS d) x
         ) k
         JOIN bench_customers bc ON bc.n = i.n AND bc.c = k.c
         JOIN bench_amounts am ON am.a = (i.g * 7919) % 1000
         -- In series order: a hash join may reorder the rows and cluster each dossier's invoices,
         -- which a table filled by many tenants over three years never is.
         ORDER BY i.g`,
        [from, to, every, dossiers, Math.max(1, bigCount), PER_DOSSIER, CUSTOMERS_PER_DOSSIER, JSON.stringify(SELLER_SNAPSHOT), userId],
      );
      const elapsed = (Date.now() - started) / 1000;
      console.log(`  list-scale: ${label}: documents ${to.toLocaleString('en')} / ${rows.toLocaleString('en')} (${round(elapsed, 0)} s, ${Math.round(to / elapsed).toLocaleString('en')} rows/s)`);
    }
    await client.query('SET session_replication_role = DEFAULT');
    await client.query(`SET maintenance_work_mem = '256MB'`);
    for (const index of secondary) await timed(`${label}: ${index.name} rebuilt`, () => client.query(index.def));
    const orphans = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM documents d
       WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.dossier_id = d.dossier_id AND c.id = d.customer_id)
          OR NOT EXISTS (SELECT 1 FROM dossiers o WHERE o.id = d.dossier_id)`,
    );
    if (Number(orphans.rows[0]!.n) > 0) throw new Error(`${label}: ${orphans.rows[0]!.n} documents name a missing dossier or customer`);
    await timed(`${label}: VACUUM ANALYZE`, () => client.query('VACUUM (ANALYZE) documents, customers, dossiers, memberships, audit_heads'));
    const count = await client.query<{ n: string }>(`SELECT count(*) AS n FROM documents WHERE dossier_id = ${dossierIdSql('$1::int')}`, [measured]);
    if (Number(count.rows[0]!.n) !== PER_DOSSIER) throw new Error(`${label}: the measured dossier holds ${count.rows[0]!.n} invoices, not ${PER_DOSSIER}`);
    const ids = await client.query<{ d: string; c: string; bd: string; bc: string }>(
      `SELECT ${dossierIdSql('$1::int')} AS d, ${customerIdSql(dossierIdSql('$1::int'), '1')} AS c, ${dossierIdSql('0')} AS bd, ${customerIdSql(dossierIdSql('0'), '1')} AS bc`,
      [measured],
    );
    const r = ids.rows[0]!;
    return { dossierId: r.d, customerId: r.c, ...(big > 0 ? { big: { dossierId: r.bd, customerId: r.bc } } : {}) };
  } finally {
    await client.end();
  }
}

interface Variant {
  name: string;
  path: (dossierId: string, customerId: string) => string;
}

const VARIANTS: Variant[] = [
  { name: 'status', path: (d) => `/api/d/${d}/invoices?status=paid&sort=issueDate&order=desc&pageSize=50` },
  { name: 'customer', path: (d, c) => `/api/d/${d}/invoices?customerId=${c}&sort=grossCents&order=desc&pageSize=50` },
];

function check(label: string, r: LoadResult, lenient: boolean): LoadResult {
  // The big dossier is an extra: its requests may outlast autocannon's 10 s timeout on a loaded
  // machine (they are counted and reported), and a warm-up may complete none; wrong answers fail.
  if (r.non2xx > 0 || (!lenient && (r.errors > 0 || r.timeouts > 0 || r.requests === 0))) {
    throw new Error(`${label}: ${r.non2xx} non-2xx answers, ${r.errors} errors, ${r.timeouts} timeouts over ${r.requests} requests`);
  }
  return r;
}

/** EXPLAIN (ANALYZE, BUFFERS) of the queries the list route runs (captured from listDocuments itself), in the tenant transaction. */
export async function explainList(ownerUrl: string, appRole: string, dossierId: string, query: Record<string, string>): Promise<{ query: string; ms: number; buffers: number; plan: string }[]> {
  const pool = new pg.Pool({ connectionString: ownerUrl, max: 1 });
  const captured: CompiledQuery[] = [];
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log: (e) => void (e.level === 'query' && captured.push(e.query)) });
  try {
    const tx = createTx(db, appRole);
    await tx({ dossierId }, (t) => listDocuments(t, dossierId, INVOICE_TYPES, listQuery.parse(query)));
    const queries = captured.filter((q) => !q.sql.startsWith('BEGIN') && q.sql !== 'COMMIT');
    const out: { query: string; ms: number; buffers: number; plan: string }[] = [];
    for (const q of queries) {
      // Five times: the median execution time, and the last plan (warm).
      const times: number[] = [];
      let plan = '';
      for (let i = 0; i < 5; i++) {
        const result = (await tx({ dossierId }, (t) => t.executeQuery(CompiledQuery.raw(`EXPLAIN (ANALYZE, BUFFERS) ${q.sql}`, [...q.parameters])))) as QueryResult<{ 'QUERY PLAN': string }>;
        plan = result.rows.map((r) => r['QUERY PLAN']).join('\n');
        times.push(Number(/Execution Time: ([\d.]+) ms/.exec(plan)?.[1] ?? NaN));
      }
      const buffers = [...plan.matchAll(/Buffers: shared (?:hit=(\d+))?\s*(?:read=(\d+))?/g)][0];
      out.push({
        query: q.sql.includes('count(*)') ? 'count and totals' : 'page',
        ms: median(times),
        buffers: buffers ? Number(buffers[1] ?? 0) + Number(buffers[2] ?? 0) : NaN,
        plan,
      });
    }
    return out;
  } finally {
    await db.destroy();
  }
}

async function prepare(label: string, server: RunningServer, ownerUrl: string, dossiers: number, big: number): Promise<Dataset> {
  const session = await signUp(server.url, `list-${label}`);
  const ids = await load(ownerUrl, label, dossiers, big, session.userId);
  const data: Dataset = { label, server, ownerUrl, cookie: session.cookie, userId: session.userId, ...ids };
  // The route answers for the measured dossier(s), with the expected shape.
  for (const [dossierId, customerId, expected] of [[ids.dossierId, ids.customerId, PER_DOSSIER], ...(ids.big ? [[ids.big.dossierId, ids.big.customerId, big]] : [])] as [string, string, number][]) {
    const res = await fetch(`${server.url}/api/d/${dossierId}/invoices?pageSize=1`, { headers: { cookie: session.cookie } });
    const body = (await res.json()) as { total: number; items: unknown[] };
    if (res.status !== 200 || body.total < expected) throw new Error(`${label}: GET invoices answered ${res.status}, total ${body.total} (expected ${expected})`);
    for (const v of VARIANTS) {
      const r = await fetch(`${server.url}${v.path(dossierId, customerId)}`, { headers: { cookie: session.cookie } });
      const b = (await r.json()) as { total: number; items: unknown[] };
      if (r.status !== 200 || b.items.length === 0) throw new Error(`${label} ${v.name}: ${r.status}, ${b.total} items`);
    }
  }
  return data;
}

export async function listScale(): Promise<BenchResult> {
  const large = await startBenchApp('list');
  const appRole = large.server.ctx.config.appRole;
  // The small database lives on the same cluster (or server), so that both see the same machine.
  const smallName = `${new URL(large.ownerUrl).pathname.slice(1)}_small`;
  const smallUrl = new URL(large.ownerUrl);
  smallUrl.pathname = `/${smallName}`;
  const admin = new pg.Client({ connectionString: large.adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${smallName} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${smallName}`);
  await admin.end();
  let small: RunningServer | null = null;
  try {
    await migrate(smallUrl.toString(), appRole);
    small = await startServer(loadConfig({ LOG_LEVEL: 'silent', HOST: '127.0.0.1', PORT: String(await freePort()), DATA_DIR: large.dataDir }), { databaseUrl: smallUrl.toString() });

    const smallSet = await prepare('small', small, smallUrl.toString(), SMALL_DOSSIERS, 0);
    const largeSet = await timed('large database loaded', () => prepare('large', large.server, large.ownerUrl, LARGE_DOSSIERS, BIG_DOSSIER));

    const run = (set: Dataset, v: Variant, seconds: number, which: 'measured' | 'big' = 'measured') => {
      const ids = which === 'big' ? set.big! : set;
      return autocannon(`${set.server.url}${v.path(ids.dossierId, ids.customerId)}`, { connections: CONNECTIONS, seconds, headers: { cookie: set.cookie } }).then((r) =>
        check(`${set.label} ${which} ${v.name}`, r, which === 'big' || seconds === WARMUP_SECONDS),
      );
    };

    for (const v of VARIANTS) {
      await run(smallSet, v, WARMUP_SECONDS);
      await run(largeSet, v, WARMUP_SECONDS);
      if (largeSet.big) {
        await run(largeSet, v, WARMUP_SECONDS, 'big');
        await sleep(5000);
      }
    }
    const runs: Record<string, { small: LoadResult[]; large: LoadResult[]; big: LoadResult[] }> = Object.fromEntries(VARIANTS.map((v) => [v.name, { small: [], large: [], big: [] }]));
    for (let i = 0; i < ROUNDS; i++) {
      for (const v of VARIANTS) {
        // Alternate which goes first, so that neither always follows the other.
        const order = i % 2 === 0 ? (['small', 'large'] as const) : (['large', 'small'] as const);
        for (const which of order) runs[v.name]![which].push(await run(which === 'small' ? smallSet : largeSet, v, SECONDS));
        const big = largeSet.big && i < BIG_ROUNDS;
        if (big) {
          runs[v.name]!.big.push(await run(largeSet, v, SECONDS, 'big'));
          await sleep(5000); // let the server finish the slow requests autocannon left behind
        }
        const r = runs[v.name]!;
        console.log(
          `  list-scale round ${i + 1}/${ROUNDS} ${v.name}: p99 small ${r.small.at(-1)!.p99Ms} ms, large ${r.large.at(-1)!.p99Ms} ms` +
            (big ? `, big dossier ${r.big.at(-1)!.p99Ms} ms${r.big.at(-1)!.timeouts > 0 ? ` (+${r.big.at(-1)!.timeouts} over 10 s)` : ''}` : '') +
            ` (req/s ${round(r.small.at(-1)!.rps, 0)} / ${round(r.large.at(-1)!.rps, 0)}${big ? ` / ${round(r.big.at(-1)!.rps, 0)}` : ''})`,
        );
      }
    }

    const perVariant = VARIANTS.map((v) => {
      const r = runs[v.name]!;
      const smallP99 = median(r.small.map((x) => x.p99Ms));
      const largeP99 = median(r.large.map((x) => x.p99Ms));
      const bigP99 = r.big.length > 0 ? median(r.big.map((x) => x.p99Ms)) : null;
      return {
        variant: v.name,
        request: v.path(':dossierId', ':customerId'),
        smallP99Ms: smallP99,
        largeP99Ms: largeP99,
        ratio: round(largeP99 / smallP99, 3),
        smallRps: round(median(r.small.map((x) => x.rps)), 0),
        largeRps: round(median(r.large.map((x) => x.rps)), 0),
        ...(bigP99 !== null
          ? {
              bigDossierP99Ms: bigP99,
              bigDossierRatio: round(bigP99 / smallP99, 3),
              bigDossierRps: round(median(r.big.map((x) => x.rps)), 1),
              bigDossierTimeouts: r.big.reduce((sum, x) => sum + x.timeouts, 0),
            }
          : {}),
        runs: { small: r.small.map((x) => x.p99Ms), large: r.large.map((x) => x.p99Ms), big: r.big.map((x) => x.p99Ms) },
      };
    });
    const worst = perVariant.reduce((a, b) => (b.ratio > a.ratio ? b : a));

    // Where the time goes: the plans of the list's two queries (page; count and totals) on each database.
    const explain: Record<string, unknown> = {};
    const targets: [string, Dataset, 'measured' | 'big'][] = [
      ['small', smallSet, 'measured'],
      ['large', largeSet, 'measured'],
      ...(largeSet.big ? [['bigDossier', largeSet, 'big'] as [string, Dataset, 'big']] : []),
    ];
    for (const [name, set, which] of targets) {
      const ids = which === 'big' ? set.big! : set;
      for (const v of VARIANTS) {
        const query = Object.fromEntries(new URL(`http://x${v.path(ids.dossierId, ids.customerId)}`).searchParams);
        const plans = await explainList(set.ownerUrl, appRole, ids.dossierId, query);
        explain[`${name}.${v.name}`] = plans.map((p) => ({ query: p.query, ms: p.ms, buffers: p.buffers }));
        if (process.env.BENCH_LIST_EXPLAIN) for (const p of plans) console.log(`\n--- ${name} ${v.name} ${p.query}\n${p.plan}`);
      }
    }

    // The database's own share: execution time of the two queries (median of five EXPLAIN ANALYZE runs).
    const sqlMs = (key: string) => (explain[key] as { ms: number }[]).reduce((sum, p) => sum + p.ms, 0);
    const sql = VARIANTS.map((v) => ({
      variant: v.name,
      smallMs: round(sqlMs(`small.${v.name}`), 2),
      largeMs: round(sqlMs(`large.${v.name}`), 2),
      ratio: round(sqlMs(`large.${v.name}`) / sqlMs(`small.${v.name}`), 3),
      ...(largeSet.big ? { bigDossierMs: round(sqlMs(`bigDossier.${v.name}`), 2) } : {}),
    }));
    console.log(`  list-scale: SQL time per request (page + count), small / large${largeSet.big ? ' / big dossier' : ''}: ${sql.map((x) => `${x.variant} ${x.smallMs} / ${x.largeMs}${x.bigDossierMs !== undefined ? ` / ${x.bigDossierMs}` : ''} ms`).join(', ')}`);

    const indexes = await (async () => {
      const client = new pg.Client({ connectionString: large.ownerUrl });
      await client.connect();
      try {
        return (await client.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE tablename = 'documents' ORDER BY indexname`)).rows.map((r) => r.indexname);
      } finally {
        await client.end();
      }
    })();

    return {
      name: 'list-scale',
      metric: 'p99 of the invoice list, 1,000 invoices per dossier, 1,000,000 invoices in the database',
      unit: 'ms',
      ours: worst.largeP99Ms,
      baseline: worst.smallP99Ms,
      baselineName: 'same requests with 10,000 invoices in the database (10 dossiers of 1,000)',
      ratio: worst.ratio,
      goal: `ratio <= ${GOAL} (large p99 / small p99, worse variant)`,
      met: perVariant.every((v) => v.ratio <= GOAL),
      headlineVariant: worst.variant,
      variants: perVariant,
      bigDossier: largeSet.big
        ? {
            invoices: BIG_DOSSIER,
            variants: perVariant.map((v) => ({ variant: v.variant, p99Ms: v.bigDossierP99Ms, ratioToSmall: v.bigDossierRatio, rps: v.bigDossierRps, timeoutsOver10s: v.bigDossierTimeouts })),
            note: 'p99 of the requests that completed; requests over 10 s count as timeouts',
          }
        : null,
      sql,
      explain,
      documentIndexes: indexes,
      dataset: { large: `${LARGE_DOSSIERS} dossiers × ${PER_DOSSIER} invoices + 1 dossier × ${BIG_DOSSIER}`, small: `${SMALL_DOSSIERS} dossiers × ${PER_DOSSIER} invoices`, customersPerDossier: CUSTOMERS_PER_DOSSIER },
      database: process.env.DATABASE_URL ? 'DATABASE_URL (fresh databases)' : 'embedded PostgreSQL 15 (both databases on one cluster)',
      connections: CONNECTIONS,
      seconds: SECONDS,
      rounds: ROUNDS,
    };
  } finally {
    await small?.stop();
    const drop = new pg.Client({ connectionString: large.adminUrl });
    await drop.connect().then(
      () => drop.query(`DROP DATABASE IF EXISTS ${smallName} WITH (FORCE)`).finally(() => drop.end()),
      () => undefined,
    );
    await large.cleanup();
  }
}
