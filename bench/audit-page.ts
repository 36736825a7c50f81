import pg from 'pg';
import { encodeCursor } from '../src/server/audit/journal';
import { call, signUp, startBenchApp, type Session } from './issue-concurrency';
import { round, type BenchResult } from './report';

/**
 * audit-page: the Journal des actions' pages through HTTP (a logged-in session, `GET /audit`), in
 * a dossier of LARGE events against one of SMALL events, in the same run:
 *   - the first page, unfiltered;
 *   - a page DEPTH rows deep, filtered by one user and one month (its cursor taken as the pages
 *     before it would give it).
 * p99 over REQUESTS requests of each, the two dossiers alternated request by request. Goal: the
 * large dossier's p99 ≤ 1.5 × the small one's, for both pages.
 *
 * The events are written in bulk by the owner connection (generate_series), LARGE spread over
 * USERS people and MONTHS months, so that one person's month holds more than DEPTH events; the
 * small dossier's SMALL events are all one person's, in the same month, so that the same page
 * exists there. Their hashes are placeholders: the journal does not verify the chain (the
 * integrity check does, and is not measured here).
 */
const LARGE = Number(process.env.BENCH_AUDIT_EVENTS ?? 1_000_000);
const SMALL = Number(process.env.BENCH_AUDIT_SMALL ?? 10_100);
const USERS = 10;
const MONTHS = 4;
const DEPTH = Number(process.env.BENCH_AUDIT_DEPTH ?? 10_000);
const REQUESTS = Number(process.env.BENCH_AUDIT_REQUESTS ?? 300);
const PAGE = 50;
const GOAL = 1.5;
const MONTH = '2026-03';

/** Events `after` the dossier's head, by USERS people round robin (or one), from MONTH over `months` months, head moved to the last. */
async function fill(owner: pg.Pool, dossierId: string, count: number, people: string[], months: number): Promise<void> {
  const { rows } = await owner.query<{ last_seq: string }>('SELECT last_seq FROM audit_heads WHERE dossier_id = $1', [dossierId]);
  const start = Number(rows[0]!.last_seq);
  const chunk = 200_000;
  for (let from = 1; from <= count; from += chunk) {
    const to = Math.min(count, from + chunk - 1);
    await owner.query(
      `INSERT INTO audit_events (dossier_id, seq, id, occurred_at, actor_user_id, actor_name, actor_profile, action, entity_type, entity_id, entity_label, summary, changes, ip, prev_hash, hash)
       SELECT $1, $2::bigint + g, gen_random_uuid(),
              ($3::date)::timestamp AT TIME ZONE 'Europe/Paris' + (g::double precision / $4) * ($5::int * interval '30 days'),
              ($6::uuid[])[1 + g % array_length($6::uuid[], 1)], 'Membre ' || (1 + g % array_length($6::uuid[], 1)), 'ADV',
              'customer.updated', 'customer', gen_random_uuid()::text, 'Client ' || g, 'Modification du client', '{"name":{"before":"A","after":"B"}}'::jsonb,
              '198.51.100.7', repeat('0', 64), repeat('0', 64)
       FROM generate_series($7::bigint, $8::bigint) g`,
      [dossierId, start, `${MONTH}-01`, count, months, people, from, to],
    );
  }
  await owner.query('UPDATE audit_heads SET last_seq = $2 WHERE dossier_id = $1', [dossierId, start + count]);
  await owner.query('ANALYZE audit_events');
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * p) - 1))]!;
}
const p99 = (values: number[]) => percentile(values, 0.99);
const p50 = (values: number[]) => percentile(values, 0.5);

async function timed(base: string, s: Session, query: string): Promise<number> {
  const started = performance.now();
  const page = await call<{ events: unknown[] }>(base, s, 'GET', `/api/d/${s.dossierId}/audit?${query}`, undefined, 200);
  const ms = performance.now() - started;
  if (page.events.length !== PAGE) throw new Error(`a page of ${page.events.length} events, ${PAGE} expected (${query})`);
  return ms;
}

export async function auditPage(): Promise<BenchResult> {
  const { server, ownerUrl, cleanup } = await startBenchApp('audit-page');
  const owner = new pg.Pool({ connectionString: ownerUrl, max: 2 });
  try {
    const base = server.url;
    const large = await signUp(base, 'journal-large');
    const small = await signUp(base, 'journal-small');
    const people = Array.from({ length: USERS }, () => crypto.randomUUID());
    let started = performance.now();
    await fill(owner, large.dossierId, LARGE, people, MONTHS);
    await fill(owner, small.dossierId, SMALL, [people[0]!], 1);
    console.log(`  audit-page: ${LARGE} and ${SMALL} events written in ${round((performance.now() - started) / 1000, 1)} s`);

    const filter = `user=${people[0]}&from=${MONTH}-01&to=${MONTH}-31`;
    /** The cursor of the page DEPTH rows deep: the seq of the DEPTH-th row of the filtered list. */
    const deepCursor = async (s: Session) => {
      const { rows } = await owner.query<{ seq: string }>(
        `SELECT seq FROM audit_events WHERE dossier_id = $1 AND actor_user_id = $2 AND occurred_at >= ($3::date)::timestamp AT TIME ZONE 'Europe/Paris'
           AND occurred_at < ($4::date + 1)::timestamp AT TIME ZONE 'Europe/Paris' ORDER BY seq DESC OFFSET $5 LIMIT 1`,
        [s.dossierId, people[0], `${MONTH}-01`, `${MONTH}-31`, DEPTH - 1],
      );
      if (!rows[0]) throw new Error(`fewer than ${DEPTH} events of the user in ${MONTH}`);
      return encodeCursor(s.dossierId, Number(rows[0].seq), 'desc');
    };
    const queries = {
      first: { large: `pageSize=${PAGE}`, small: `pageSize=${PAGE}` },
      deep: { large: `${filter}&pageSize=${PAGE}&cursor=${await deepCursor(large)}`, small: `${filter}&pageSize=${PAGE}&cursor=${await deepCursor(small)}` },
    };
    // Warm both: plans cached, pages in memory, as for any dossier in use.
    for (let i = 0; i < 20; i++) for (const q of Object.values(queries)) await Promise.all([timed(base, large, q.large), timed(base, small, q.small)]);

    started = performance.now();
    const times = { first: { large: [] as number[], small: [] as number[] }, deep: { large: [] as number[], small: [] as number[] } };
    for (let i = 0; i < REQUESTS; i++) {
      for (const kind of ['first', 'deep'] as const) {
        // Alternated, the order flipped every other request: neither dossier always goes first.
        const order = i % 2 === 0 ? (['large', 'small'] as const) : (['small', 'large'] as const);
        for (const which of order) times[kind][which].push(await timed(base, which === 'large' ? large : small, queries[kind][which]));
      }
    }
    const result = {
      first: { large: round(p99(times.first.large), 1), small: round(p99(times.first.small), 1) },
      deep: { large: round(p99(times.deep.large), 1), small: round(p99(times.deep.small), 1) },
    };
    const medians = {
      first: { large: round(p50(times.first.large), 1), small: round(p50(times.first.small), 1) },
      deep: { large: round(p50(times.deep.large), 1), small: round(p50(times.deep.small), 1) },
    };
    const ratios = { first: round(result.first.large / result.first.small, 2), deep: round(result.deep.large / result.deep.small, 2) };
    console.log(
      `  audit-page: p99 first page ${result.first.large} ms (${LARGE} events) vs ${result.first.small} ms (${SMALL}) → ${ratios.first}; ` +
        `${DEPTH} rows deep, one user and month: ${result.deep.large} ms vs ${result.deep.small} ms → ${ratios.deep} (${REQUESTS} requests each, ${Math.round((performance.now() - started) / 1000)} s; p50 ${medians.first.large} / ${medians.first.small} and ${medians.deep.large} / ${medians.deep.small} ms)`,
    );
    const worst = Math.max(ratios.first, ratios.deep);
    return {
      name: 'audit-page',
      metric: `p99 of a journal page in a dossier of ${LARGE} events, the first page and one ${DEPTH} rows deep filtered by user and month (worse of the two ratios)`,
      unit: 'ratio',
      ours: worst,
      baseline: 1,
      baselineName: `the same pages in a dossier of ${SMALL} events, same run`,
      ratio: worst,
      goal: `ratio <= ${GOAL} for both pages`,
      met: ratios.first <= GOAL && ratios.deep <= GOAL,
      p99Ms: result,
      p50Ms: medians,
      ratios,
      requests: REQUESTS,
      pageSize: PAGE,
      database: process.env.DATABASE_URL ? 'DATABASE_URL (fresh database)' : 'embedded PostgreSQL 15',
    };
  } finally {
    await owner.end();
    await cleanup();
  }
}
