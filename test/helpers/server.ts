import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { startServer, type RunningServer } from '../../src/server/boot';
import { loadConfig, type Config } from '../../src/server/config';
import { createTestDatabase, type TestDatabase } from './database';

/** A port nobody listens on now, so that e-mailed links can name it before the server starts. */
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

export interface TestServer extends RunningServer {
  db: TestDatabase;
  outboxDir: string;
  dataDir: string;
  close(): Promise<void>;
}

const running = new WeakMap<FastifyInstance, TestServer>();

/** The test server of an app (for helpers that are given only the app, such as `signUp`). */
export function testServerOf(app: FastifyInstance): TestServer {
  const server = running.get(app);
  if (!server) throw new Error('not an app started by startTestServer');
  return server;
}

/**
 * A real Ardoise server on a random port, with its own fresh database and no SMTP server
 * (e-mails land in the outbox under a temporary DATA_DIR). New dossiers get the TPE+ plan so
 * that journeys can invite members; tests of plan limits set the plan explicitly.
 */
export async function startTestServer(env: Record<string, string> = {}, overrides: Partial<Config> = {}): Promise<TestServer> {
  const db = await createTestDatabase();
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ardoise-test-data-'));
  const port = await freePort();
  const config: Config = {
    ...loadConfig({ NODE_ENV: 'test', PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, HOST: '127.0.0.1', DATA_DIR: dataDir, DEFAULT_PLAN: 'tpe_plus', DB_POOL_SIZE: '5', ...env }),
    ...overrides,
  };
  const server = await startServer(config, { databaseUrl: db.url });
  const test: TestServer = {
    ...server,
    db,
    dataDir,
    outboxDir: path.join(dataDir, 'outbox'),
    async close() {
      await server.stop();
      await db.drop();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
  running.set(server.app, test);
  return test;
}
