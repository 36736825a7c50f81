import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ROOT, freePort, median, round, sleep, type BenchResult } from './report';

/**
 * startup: time from spawning the app (`node --import tsx src/server/main.ts`) on an existing
 * data directory to its first successful `GET /api/health`, against the embedded PostgreSQL
 * alone started the same way on the same directory (`bench/start-pg-only.ts`, timed to "ready").
 * The difference is what the app adds to the database's own start: loading the code,
 * migrations check, pool, Fastify, listen.
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
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
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
  const run = spawnNode('src/server/main.ts', childEnv(dataDir, port, await freePort()));
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

/** ms from spawn to "ready" printed by start-pg-only. */
async function timePostgresAlone(dataDir: string): Promise<number> {
  const t0 = performance.now();
  const run = spawnNode('bench/start-pg-only.ts', childEnv(dataDir, 0, await freePort()));
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
    // First start: initialises the cluster, creates the database, applies the migrations.
    const first = await timeApp(dataDir);
    console.log(`  startup: first start (initdb + migrations) ${round(first, 0)} ms`);
    const ours: number[] = [];
    const baseline: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      baseline.push(await timePostgresAlone(dataDir));
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
      baselineName: 'embedded PostgreSQL alone on the same data directory (bench/start-pg-only.ts)',
      ratio: round(oursMs / baselineMs, 3),
      goal: `ours - baseline < ${GOAL_ADDED_MS} ms`,
      met: added < GOAL_ADDED_MS,
      addedMs: round(added, 0),
      firstStartMs: round(first, 0),
      runs: RUNS,
      oursRunsMs: ours.map((v) => round(v, 0)),
      baselineRunsMs: baseline.map((v) => round(v, 0)),
      command: 'node --import tsx src/server/main.ts  vs  node --import tsx bench/start-pg-only.ts',
    };
  } finally {
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}
