import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { ROOT, freePort, median, round, sleep, type BenchResult } from './report';

/**
 * startup: time from spawning the app as `npm start` runs it (`node scripts/start.mjs`, with its
 * builds up to date) on an existing data directory to its first successful `GET /api/health`,
 * against the embedded PostgreSQL alone started the same way on the same directory
 * (`bench/start-pg-only.ts`, bundled as the server is and run by plain Node, timed to "ready").
 * The difference is what the app adds to the database's own start: checking its builds, loading
 * the code, migrations check, Fastify, listen, the first request.
 *
 * Why `node scripts/start.mjs` and not `npm start`: npm's own command line adds 0.1 to 0.3 s
 * before it runs the script (measured on a 2-core machine: `npm start` 521 ms against
 * `node scripts/start.mjs` 399 ms, medians of 7), the same for any npm script and not Ardoise's
 * to save; and a SIGINT sent to npm alone is not passed on to the app (a terminal's Ctrl-C
 * signals the whole group), so process managers run the script directly too.
 */
const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 5);
const GOAL_ADDED_MS = 1500;
const TIMEOUT_MS = 120_000;

interface Env {
  [key: string]: string | undefined;
}

function childEnv(dataDir: string, port: number, pgPort: number): Env {
  const env: Env = { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', EMBEDDED_PG_PORT: String(pgPort), LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL; // this is about the embedded database
  delete env.NODE_OPTIONS;
  return env;
}

function spawnNode(script: string, env: Env): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [script], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** SIGINT, as Ctrl-C would, and wait for a clean exit. */
async function stop(run: ReturnType<typeof spawnNode>, label: string): Promise<void> {
  run.child.kill('SIGINT');
  const code = await Promise.race([run.exited, sleep(30_000).then(() => 'timeout' as const)]);
  if (code === 'timeout') {
    run.child.kill('SIGKILL');
    throw new Error(`${label} did not stop within 30 s after SIGINT`);
  }
  if (code !== 0) throw new Error(`${label} exited with ${code} after SIGINT:\n${run.output()}`);
}

async function healthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(url);
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/** ms from spawn to the first successful /api/health. */
async function timeApp(dataDir: string): Promise<number> {
  const port = await freePort();
  const t0 = performance.now();
  const run = spawnNode('scripts/start.mjs', childEnv(dataDir, port, await freePort()));
  let exited = false;
  void run.exited.then(() => (exited = true));
  const url = `http://127.0.0.1:${port}/api/health`;
  while (!(await healthy(url))) {
    if (exited) throw new Error(`the app exited before it was healthy:\n${run.output()}`);
    if (performance.now() - t0 > TIMEOUT_MS) {
      run.child.kill('SIGKILL');
      throw new Error(`the app was not healthy within ${TIMEOUT_MS} ms:\n${run.output()}`);
    }
    await sleep(10);
  }
  const ms = performance.now() - t0;
  await stop(run, 'the app');
  return ms;
}

/** bench/start-pg-only.ts bundled as scripts/build-server.mjs bundles the server, so that both start on plain Node. */
async function buildPostgresAlone(): Promise<string> {
  const outfile = path.join(ROOT, 'dist', 'bench', 'start-pg-only.js');
  await build({ absWorkingDir: ROOT, entryPoints: ['bench/start-pg-only.ts'], outfile, bundle: true, format: 'esm', platform: 'node', target: 'node20', packages: 'external', logLevel: 'warning' });
  return outfile;
}

/** ms from spawn to "ready" printed by start-pg-only. */
async function timePostgresAlone(script: string, dataDir: string): Promise<number> {
  const t0 = performance.now();
  const run = spawnNode(script, childEnv(dataDir, 0, await freePort()));
  const ms = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      run.child.kill('SIGKILL');
      reject(new Error(`start-pg-only was not ready within ${TIMEOUT_MS} ms:\n${run.output()}`));
    }, TIMEOUT_MS);
    run.child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) {
        clearTimeout(timer);
        resolve(performance.now() - t0);
      }
    });
    void run.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`start-pg-only exited (${code}) before it was ready:\n${run.output()}`));
    });
  });
  await stop(run, 'start-pg-only');
  return ms;
}

export async function startup(): Promise<BenchResult> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ardoise-bench-startup-'));
  await fs.chmod(dataDir, 0o755); // the embedded postgres runs as the `postgres` user when we are root
  try {
    const postgresAlone = await buildPostgresAlone();
    // First start: builds the web app and the server if they are out of date, initialises the
    // cluster, creates the database, applies the migrations.
    const first = await timeApp(dataDir);
    console.log(`  startup: first start (builds if out of date, initdb + migrations) ${round(first, 0)} ms`);
    const ours: number[] = [];
    const baseline: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      baseline.push(await timePostgresAlone(postgresAlone, dataDir));
      ours.push(await timeApp(dataDir));
      console.log(`  startup run ${i + 1}/${RUNS}: postgres alone ${round(baseline.at(-1)!, 0)} ms, app ${round(ours.at(-1)!, 0)} ms`);
    }
    const oursMs = median(ours);
    const baselineMs = median(baseline);
    const added = oursMs - baselineMs;
    return {
      name: 'startup',
      metric: `start-up to first healthy answer (added: ${round(added, 0)})`,
      unit: 'ms',
      ours: round(oursMs, 0),
      baseline: round(baselineMs, 0),
      baselineName: 'embedded PostgreSQL alone on the same data directory (bench/start-pg-only.ts, bundled)',
      ratio: round(oursMs / baselineMs, 3),
      goal: `ours - baseline < ${GOAL_ADDED_MS} ms`,
      met: added < GOAL_ADDED_MS,
      addedMs: round(added, 0),
      firstStartMs: round(first, 0),
      runs: RUNS,
      oursRunsMs: ours.map((v) => round(v, 0)),
      baselineRunsMs: baseline.map((v) => round(v, 0)),
      command: 'node scripts/start.mjs  vs  node dist/bench/start-pg-only.js',
    };
  } finally {
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}
