import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { sql } from 'kysely';
import pg from 'pg';
import { startServer, type RunningServer } from '../src/server/boot';
import { loadConfig } from '../src/server/config';
import { signupConfirmationToken } from './signup-link';
import { autocannon, freePort, median, round, type BenchResult, type LoadResult } from './report';

/**
 * api-read: an authenticated read (`GET /api/d/:dossierId/members`: session, membership and
 * permission checks, then the members, invitations and seats queries, in one RLS-scoped
 * transaction) against a bare Fastify route running `SELECT 1` through the same pg pool.
 * The ratio says how much of the database's plain round-trip capacity the real read keeps.
 */
const CONNECTIONS = 32;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = 2;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const GOAL = 0.6;

/** Cookies set by a response, as `name=value` pairs (attributes dropped). */
function cookiesOf(res: Response, jar: Map<string, string>): void {
  for (const line of res.headers.getSetCookie()) {
    const pair = line.split(';')[0]!;
    const eq = pair.indexOf('=');
    if (eq > 0) jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
}

const cookieHeader = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');

/** Signs up through the HTTP API, as a browser does: CSRF token first, the form, then the e-mailed confirmation link (from the local outbox). */
async function signUp(baseUrl: string): Promise<{ cookie: string; dossierId: string }> {
  const jar = new Map<string, string>();
  const csrfRes = await fetch(`${baseUrl}/api/csrf`);
  if (!csrfRes.ok) throw new Error(`GET /api/csrf: ${csrfRes.status}`);
  cookiesOf(csrfRes, jar);
  const { token } = (await csrfRes.json()) as { token: string };
  const email = `bench.${Date.now()}@example.com`;
  const post = (route: string, body: unknown) =>
    fetch(`${baseUrl}${route}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': token, cookie: cookieHeader(jar) }, body: JSON.stringify(body) });
  const asked = await post('/api/auth/signup', { name: 'Camille Banc', email, password: 'ardoise-Bench-pass-2026', dossierName: 'Atelier Banc' });
  if (asked.status !== 202) throw new Error(`sign-up failed: ${asked.status} ${await asked.text()}`);
  const res = await post('/api/auth/signup/confirm', { token: await signupConfirmationToken(baseUrl, email), password: 'ardoise-Bench-pass-2026' });
  if (res.status !== 201) throw new Error(`sign-up confirmation failed: ${res.status} ${await res.text()}`);
  cookiesOf(res, jar);
  const { dossierId } = (await res.json()) as { dossierId: string };
  return { cookie: cookieHeader(jar), dossierId };
}

/** An app of our own: the embedded PostgreSQL in a temporary DATA_DIR, or a fresh database on DATABASE_URL. */
async function startApp(): Promise<{ server: RunningServer; cleanup(): Promise<void> }> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ardoise-bench-'));
  await fs.chmod(dataDir, 0o755); // the embedded postgres runs as the `postgres` user when we are root
  const env: Record<string, string> = { LOG_LEVEL: 'silent', HOST: '127.0.0.1', PORT: String(await freePort()), DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(await freePort()) };
  let dropDatabase = async () => {};
  const adminUrl = process.env.DATABASE_URL;
  if (adminUrl) {
    const name = `ardoise_bench_${process.pid}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    env.DATABASE_URL = url.toString();
    dropDatabase = async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    };
  }
  const server = await startServer(loadConfig(env));
  return {
    server,
    async cleanup() {
      await server.stop();
      await dropDatabase();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

function check(label: string, r: LoadResult): LoadResult {
  // Anything but 2xx (a rate limit, a lost session, an error) would make the figure meaningless.
  if (r.non2xx > 0 || r.errors > 0 || r.timeouts > 0 || r.requests === 0) {
    throw new Error(`${label}: ${r.non2xx} non-2xx answers, ${r.errors} errors, ${r.timeouts} timeouts over ${r.requests} requests`);
  }
  return r;
}

export async function apiRead(): Promise<BenchResult> {
  const { server, cleanup } = await startApp();
  const bare = Fastify({ logger: false });
  try {
    const { cookie, dossierId } = await signUp(server.url);
    const oursUrl = `${server.url}/api/d/${dossierId}/members`;
    const probe = await fetch(oursUrl, { headers: { cookie } });
    if (probe.status !== 200) throw new Error(`GET members: ${probe.status} ${await probe.text()}`);

    const db = server.ctx.db;
    bare.get('/select1', async () => {
      await sql`select 1`.execute(db);
      return { ok: true };
    });
    await bare.listen({ port: 0, host: '127.0.0.1' });
    const { port } = bare.server.address() as { port: number };
    const baselineUrl = `http://127.0.0.1:${port}/select1`;

    const ours = (seconds: number) => autocannon(oursUrl, { connections: CONNECTIONS, seconds, headers: { cookie } }).then((r) => check('ours', r));
    const baseline = (seconds: number) => autocannon(baselineUrl, { connections: CONNECTIONS, seconds }).then((r) => check('baseline', r));

    await baseline(WARMUP_SECONDS);
    await ours(WARMUP_SECONDS);
    const oursRuns: LoadResult[] = [];
    const baselineRuns: LoadResult[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      baselineRuns.push(await baseline(SECONDS));
      console.log(`  api-read round ${i + 1}/${ROUNDS}: baseline ${round(baselineRuns.at(-1)!.rps, 0)} req/s`);
      oursRuns.push(await ours(SECONDS));
      console.log(`  api-read round ${i + 1}/${ROUNDS}: ours     ${round(oursRuns.at(-1)!.rps, 0)} req/s`);
    }
    const oursRps = median(oursRuns.map((r) => r.rps));
    const baselineRps = median(baselineRuns.map((r) => r.rps));
    const ratio = round(oursRps / baselineRps, 3);
    return {
      name: 'api-read',
      metric: 'requests per second',
      unit: 'req/s',
      ours: round(oursRps, 0),
      baseline: round(baselineRps, 0),
      baselineName: 'bare Fastify route running SELECT 1 on the same pg pool',
      ratio,
      goal: `ratio >= ${GOAL}`,
      met: ratio >= GOAL,
      oursP99Ms: median(oursRuns.map((r) => r.p99Ms)),
      baselineP99Ms: median(baselineRuns.map((r) => r.p99Ms)),
      route: 'GET /api/d/:dossierId/members',
      database: process.env.DATABASE_URL ? 'DATABASE_URL (fresh database)' : 'embedded PostgreSQL 15',
      connections: CONNECTIONS,
      seconds: SECONDS,
      rounds: ROUNDS,
      oursRuns: oursRuns.map((r) => ({ rps: round(r.rps, 0), p99Ms: r.p99Ms })),
      baselineRuns: baselineRuns.map((r) => ({ rps: round(r.rps, 0), p99Ms: r.p99Ms })),
      poolSize: server.ctx.config.poolSize,
    };
  } finally {
    await bare.close();
    await cleanup();
  }
}
