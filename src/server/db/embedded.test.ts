import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded';

const started: { db: EmbeddedDatabase; dir: string }[] = [];

async function start(dir: string, port = 20_000 + Math.floor(Math.random() * 20_000), log?: (message: string) => void): Promise<EmbeddedDatabase> {
  await fs.mkdir(dir, { recursive: true });
  await fs.chmod(dir, 0o755); // as root, postgres runs as the `postgres` user
  const db = await startEmbeddedPostgres(dir, port, log);
  started.push({ db, dir });
  return db;
}

/** The server's address as this connection sees it: null over a Unix socket. */
async function serverAddress(connectionString: string): Promise<string | null> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return (await client.query<{ addr: string | null }>('SELECT inet_server_addr()::text AS addr')).rows[0]!.addr;
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  for (const { db, dir } of started) {
    await db.stop();
    await fs.rm(dir, { recursive: true, force: true });
  }
});

describe('embedded PostgreSQL connections', () => {
  it('gives the app a Unix socket in the data directory that only its own user can open, and still listens on 127.0.0.1', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ardoise-sock-'));
    const db = await start(dir);
    const url = new URL(db.url);
    const socketDir = path.join(dir, 'pg-socket');
    expect(url.searchParams.get('host')).toBe(socketDir);
    expect((await fs.stat(socketDir)).mode & 0o777).toBe(0o700);
    const socket = (await fs.readdir(socketDir)).find((name) => /^\.s\.PGSQL\.\d+$/.test(name));
    expect(socket).toBe(`.s.PGSQL.${url.port}`);
    expect(await serverAddress(db.url)).toBeNull();
    // Without the socket parameter, the same URL reaches it over TCP.
    url.searchParams.delete('host');
    expect(await serverAddress(url.toString())).toBe('127.0.0.1/32');
  }, 60_000);

  it('falls back to TCP when the data directory is too deep for a socket path', async () => {
    const base = await fs.mkdtemp(path.join(os.tmpdir(), 'ardoise-sock-'));
    await fs.chmod(base, 0o755);
    const dir = path.join(base, 'a-data-directory-whose-path-is-longer-than-a-unix-socket-may-be'.repeat(2));
    const db = await start(dir);
    expect(new URL(db.url).searchParams.has('host')).toBe(false);
    expect(await serverAddress(db.url)).toBe('127.0.0.1/32');
    await fs.rm(base, { recursive: true, force: true }).catch(() => undefined);
  }, 60_000);

  it('falls back to TCP when the socket cannot be made (its directory cannot be created, or PostgreSQL cannot bind in it)', async () => {
    // pg-socket is a file: the directory cannot be made.
    const first = await fs.mkdtemp(path.join(os.tmpdir(), 'ardoise-sock-'));
    await fs.writeFile(path.join(first, 'pg-socket'), 'not a directory');
    const a = await start(first);
    expect(new URL(a.url).searchParams.has('host')).toBe(false);
    expect(await serverAddress(a.url)).toBe('127.0.0.1/32');
    // The socket's path is taken by a directory PostgreSQL may not remove: it cannot bind there.
    const second = await fs.mkdtemp(path.join(os.tmpdir(), 'ardoise-sock-'));
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const taken = path.join(second, 'pg-socket', `.s.PGSQL.${port}`);
    await fs.mkdir(taken, { recursive: true });
    await fs.writeFile(path.join(taken, 'keep'), '');
    const said: string[] = [];
    const b = await start(second, port, (message) => said.push(message));
    expect(said.join('\n')).toMatch(/No Unix socket in .*pg-socket .*: connecting over TCP/);
    expect(new URL(b.url).searchParams.has('host')).toBe(false);
    expect(await serverAddress(b.url)).toBe('127.0.0.1/32');
  }, 90_000);
});
