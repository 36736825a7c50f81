import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The real app as a process, started as `npm start` starts it (`node scripts/start.mjs`: builds
 * what is out of date, then runs the bundled server in the same process), on the embedded
 * PostgreSQL (never DATABASE_URL, even when the suite runs with one): first start, `kill -9` of
 * Node (its postgres child survives and holds the data directory), restart on the same DATA_DIR
 * with the committed rows intact, then a clean Ctrl-C.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const READY_TIMEOUT_MS = 90_000;
const PASSWORD = 'ardoise-Startup-pass-2026';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Alive, and not a zombie waiting to be reaped. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The postmaster pid recorded in the cluster, if any. */
function postmasterPid(pgDir: string): number | null {
  const file = path.join(pgDir, 'postmaster.pid');
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** Live postgres servers started on this data directory (`postgres -D <pgDir>`), whatever postmaster.pid says. */
function postgresProcessesOn(pgDir: string): number[] {
  const found = new Map<number, number>(); // pid → parent pid
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const d = args.indexOf('-D');
      if (d < 0 || args[d + 1] !== pgDir || path.basename(args[0] ?? '') !== 'postgres' || !alive(Number(entry))) continue;
      // The field after the parenthesised command name is the state, then the parent's pid.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      found.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // The process ended while we looked.
    }
  }
  // A child the postmaster has just forked carries its command line until it renames itself: it
  // is not a second server on the directory.
  return [...found].filter(([, parent]) => !found.has(parent)).map(([pid]) => pid);
}

interface App {
  child: ChildProcess;
  url: string;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** A minimal browser: keeps cookies, sends the CSRF token with mutations. */
class Browser {
  private jar = new Map<string, string>();
  private csrf: string | null = null;
  constructor(private readonly base: string) {}

  private remember(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const pair = line.split(';')[0]!;
      const eq = pair.indexOf('=');
      if (eq > 0) this.jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
      // A new CSRF secret (at login, logout, sign-up): the token in hand is spent.
      if (pair.startsWith('ardoise_csrf=')) this.csrf = null;
    }
  }

  async request(method: string, url: string, body?: unknown): Promise<{ status: number; body: any }> {
    const headers: Record<string, string> = {};
    if (method !== 'GET') {
      if (!this.csrf) this.csrf = (await this.request('GET', '/api/csrf')).body.token as string;
      headers['x-csrf-token'] = this.csrf;
    }
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.jar.size > 0) headers.cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(`${this.base}${url}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    this.remember(res);
    const text = await res.text();
    return { status: res.status, body: text && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text };
  }
}

/** The sign-up link e-mailed to `email`, read from the local outbox as its page does (it is sent just after the answer). */
async function confirmationLink(browser: Browser, email: string): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const list = await browser.request('GET', '/api/outbox');
    const entry = (list.body.messages as { id: string; to: string }[]).find((m) => m.to === email);
    if (entry) {
      const message = await browser.request('GET', `/api/outbox/${entry.id}`);
      return (message.body.message.links as string[]).find((l) => l.includes('/signup/confirm?token='))!;
    }
    await sleep(100);
  }
  throw new Error(`no sign-up e-mail to ${email}`);
}

describe('start-up and shutdown of the real app on the embedded PostgreSQL', () => {
  let dataDir = '';
  let pgDir = '';
  const spawned: ChildProcess[] = [];

  async function startApp(opts: { ownGroup?: boolean } = {}): Promise<App> {
    const port = await freePort();
    const env: Record<string, string | undefined> = {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      EMBEDDED_PG_PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
    };
    delete env.DATABASE_URL; // this test is about the embedded database
    delete env.NODE_OPTIONS;
    const child = spawn(process.execPath, ['scripts/start.mjs'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: opts.ownGroup ?? false });
    spawned.push(child);
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    let gone = false;
    void exited.then(() => (gone = true));
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (gone) throw new Error(`the app exited before answering /api/health:\n${out}`);
      if (Date.now() > deadline) throw new Error(`the app did not answer /api/health within ${READY_TIMEOUT_MS} ms:\n${out}`);
      try {
        const res = await fetch(`${url}/api/health`);
        await res.arrayBuffer();
        if (res.ok) break;
      } catch {
        // Not listening yet.
      }
      await sleep(100);
    }
    return { child, url, output: () => out, exited };
  }

  async function waitExit(app: App, ms = 60_000) {
    return Promise.race([app.exited, sleep(ms).then(() => ({ code: 'timeout' as const, signal: null }))]);
  }

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ardoise-startup-'));
    await fs.chmod(dataDir, 0o755); // as root, the embedded postgres runs as the `postgres` user
    pgDir = path.join(dataDir, 'pg');
  });

  afterAll(async () => {
    for (const child of spawned) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    // Whatever postgres is left on our data directory: immediate shutdown, then kill.
    const leftovers = new Set([...(pgDir ? postgresProcessesOn(pgDir) : []), ...[postmasterPid(pgDir)].filter((p): p is number => p !== null && alive(p))]);
    for (const pid of leftovers) process.kill(pid, 'SIGQUIT');
    for (let i = 0; i < 50 && [...leftovers].some(alive); i++) await sleep(100);
    for (const pid of leftovers) if (alive(pid)) process.kill(pid, 'SIGKILL');
    if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  });

  const email = `startup.${Date.now().toString(36)}@example.com`;
  let dossierId = '';
  let stalePostgres: number | null = null;

  it('starts on a fresh data directory, signs up, then survives a kill -9 of Node', async () => {
    const app = await startApp();
    const browser = new Browser(app.url);
    const signup = await browser.request('POST', '/api/auth/signup', { name: 'Claude Redémarre', email, password: PASSWORD, dossierName: 'Atelier Redémarrage' });
    expect(signup.status, JSON.stringify(signup.body)).toBe(202);
    const link = await confirmationLink(browser, email);
    const confirmed = await browser.request('POST', '/api/auth/signup/confirm', { token: new URL(link).searchParams.get('token'), password: PASSWORD });
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(201);
    dossierId = confirmed.body.dossierId;
    expect(dossierId).toMatch(/^[0-9a-f-]{36}$/);

    stalePostgres = postmasterPid(pgDir);
    expect(stalePostgres).not.toBeNull();
    app.child.kill('SIGKILL');
    expect((await waitExit(app)).signal).toBe('SIGKILL');
    // The trap: Node is gone, its postgres is not, and it still holds the data directory.
    expect(alive(stalePostgres!)).toBe(true);
  }, 240_000);

  it('comes back on the same DATA_DIR: the stale postgres is stopped and committed rows are there', async () => {
    expect(dossierId, 'needs the previous test').not.toBe('');
    const app = await startApp();
    expect(alive(stalePostgres!)).toBe(false);
    expect(postgresProcessesOn(pgDir)).toHaveLength(1);

    const browser = new Browser(app.url);
    const login = await browser.request('POST', '/api/auth/login', { email, password: PASSWORD });
    expect(login.status, JSON.stringify(login.body)).toBe(200);
    const me = await browser.request('GET', '/api/me');
    expect(me.status).toBe(200);
    expect(me.body.user.email).toBe(email);
    expect(me.body.dossiers).toEqual([expect.objectContaining({ id: dossierId, legalName: 'Atelier Redémarrage' })]);

    // SIGINT to Node alone (as a process manager would send it): orderly stop, exit code 0.
    const running = postmasterPid(pgDir);
    app.child.kill('SIGINT');
    const { code } = await waitExit(app);
    expect(code, app.output()).toBe(0);
    expect(running === null || !alive(running)).toBe(true);
    expect(postmasterPid(pgDir)).toBeNull();
    expect(postgresProcessesOn(pgDir)).toEqual([]);
  }, 240_000);

  it('restarts its embedded PostgreSQL after a kill -9 of it, says so, and answers again', async () => {
    expect(dossierId, 'needs the first test').not.toBe('');
    const app = await startApp();
    const browser = new Browser(app.url);
    expect((await browser.request('POST', '/api/auth/login', { email, password: PASSWORD })).status).toBe(200);
    const killed = postmasterPid(pgDir)!;
    process.kill(killed, 'SIGKILL');

    // An answer right after the kill proves nothing (the session may be served from its cache, or
    // by a connection the postmaster's death has not reached yet): first the app must say it restarted.
    const deadline = Date.now() + 90_000;
    while (!app.output().includes('The embedded PostgreSQL is running again.') && Date.now() < deadline) await sleep(200);
    let me = await browser.request('GET', '/api/me').catch(() => ({ status: 0, body: null }));
    while (me.status !== 200 && Date.now() < deadline) {
      await sleep(500);
      me = await browser.request('GET', '/api/me').catch(() => ({ status: 0, body: null }));
    }
    expect(me.status, app.output()).toBe(200);
    expect(me.body.dossiers).toEqual([expect.objectContaining({ id: dossierId })]);
    expect(app.output()).toContain('The embedded PostgreSQL stopped unexpectedly (SIGKILL); restarting it.');
    expect(app.output()).toContain('The embedded PostgreSQL is running again.');
    const restarted = postmasterPid(pgDir);
    expect(restarted).not.toBeNull();
    expect(restarted).not.toBe(killed);

    app.child.kill('SIGINT');
    const { code } = await waitExit(app);
    expect(code, app.output()).toBe(0);
    expect(alive(restarted!)).toBe(false);
    expect(postgresProcessesOn(pgDir)).toEqual([]);
  }, 240_000);

  it('stops cleanly on Ctrl-C in a terminal (SIGINT to the whole process group), with no error logged', async () => {
    const app = await startApp({ ownGroup: true });
    const running = postmasterPid(pgDir);
    expect(running).not.toBeNull();
    // A request in flight and a LISTEN connection open while the signal arrives.
    const browser = new Browser(app.url);
    const login = browser.request('POST', '/api/auth/login', { email, password: PASSWORD }).catch(() => null);
    process.kill(-app.child.pid!, 'SIGINT'); // the whole process group, as a terminal does
    await login;
    const { code } = await waitExit(app);
    expect(code, app.output()).toBe(0);
    expect(app.output()).not.toMatch(/error|terminat/i);
    expect(alive(running!)).toBe(false);
    expect(postmasterPid(pgDir)).toBeNull();
    expect(postgresProcessesOn(pgDir)).toEqual([]);
  }, 240_000);
});
