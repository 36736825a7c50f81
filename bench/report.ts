import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Result as AutocannonResult } from 'autocannon';

/** The repository root (benchmarks spawn the app from there, as `npm start` would). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const RESULTS_DIR = path.join(ROOT, 'bench', 'results');

/**
 * One benchmark's outcome: our figure against a baseline measured in the same run, on the same
 * machine, so that the ratio means something on a noisy machine where absolute times do not.
 */
export interface BenchResult {
  name: string;
  metric: string;
  unit: string;
  ours: number;
  baseline: number;
  baselineName: string;
  ratio: number;
  /** A short statement of the target, e.g. "ratio >= 0.6". */
  goal: string;
  met: boolean;
  [extra: string]: unknown;
}

export function median(values: number[]): number {
  if (values.length === 0) throw new Error('median of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export async function writeResult(result: BenchResult): Promise<string> {
  await fs.mkdir(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${result.name}.json`);
  await fs.writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

export function printTable(results: BenchResult[]): void {
  const rows = [
    ['benchmark', 'metric', 'ours', 'baseline', 'baseline is', 'ratio', 'goal', 'met'],
    ...results.map((r) => [r.name, `${r.metric} (${r.unit})`, String(r.ours), String(r.baseline), r.baselineName, String(r.ratio), r.goal, r.met ? 'yes' : 'NO']),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ');
  console.log(`\n${line(rows[0]!)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const row of rows.slice(1)) console.log(line(row));
}

/** A port nobody listens on at the moment. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface LoadResult {
  rps: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

/**
 * Runs autocannon in its own process (its CLI, with JSON output), so that the load generator
 * does not share the event loop of the server it measures.
 */
export function autocannon(url: string, opts: { connections: number; seconds: number; headers?: Record<string, string> }): Promise<LoadResult> {
  const args = [path.join(ROOT, 'node_modules', 'autocannon', 'autocannon.js'), '--json', '-c', String(opts.connections), '-d', String(opts.seconds)];
  for (const [key, value] of Object.entries(opts.headers ?? {})) args.push('-H', `${key}: ${value}`);
  args.push(url);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited with ${code}: ${err}`));
      try {
        const r = JSON.parse(out) as AutocannonResult;
        resolve({ rps: r.requests.average, p99Ms: r.latency.p99, requests: r.requests.total, non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts });
      } catch (error) {
        reject(new Error(`autocannon printed no JSON (${(error as Error).message}): ${out.slice(0, 500)} ${err.slice(0, 500)}`));
      }
    });
  });
}
