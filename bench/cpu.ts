/**
 * CPU time from /proc, which a noisy neighbour disturbs far less than wall time: a process's own
 * utime + stime (every thread), and a PostgreSQL cluster's (its postmaster, live children and the
 * children that exited).
 */
import { execFileSync } from 'node:child_process';
import fsSync from 'node:fs';
import pg from 'pg';

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export interface ProcStat {
  ppid: number;
  /** utime + stime, in ms. */
  own: number;
  /** cutime + cstime (children waited for), in ms. */
  children: number;
}

export function readStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = fsSync.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // "pid (comm) state ppid …": comm may hold spaces and parentheses.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const tick = (i: number) => (Number(fields[i]) * 1000) / CLK_TCK;
  return { ppid: Number(fields[1]), own: tick(11) + tick(12), children: tick(13) + tick(14) };
}

/** CPU-ms used so far by the cluster whose postmaster is `postmaster`: itself, its live children, and its children that exited. */
export function clusterCpuMs(postmaster: number): number {
  const root = readStat(postmaster);
  if (!root) return NaN;
  let total = root.own + root.children;
  for (const entry of fsSync.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat && stat.ppid === postmaster) total += stat.own;
  }
  return total;
}

/** The postmaster of the cluster behind `connectionString`: the parent of a backend, when this machine runs it. */
export async function postmasterOf(connectionString: string): Promise<number | null> {
  const probe = new pg.Client({ connectionString });
  await probe.connect();
  try {
    const backend = (await probe.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    return readStat(backend)?.ppid ?? null;
  } finally {
    await probe.end();
  }
}
