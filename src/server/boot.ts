import path from 'node:path';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app';
import type { Config } from './config';
import { runningEmbeddedUrl, startEmbeddedPostgres, type EmbeddedDatabase } from './db/embedded';
import { migrate } from './db/migrate';
import { createDb } from './db/pool';
import { createReadCache } from './platform/read-cache';
import { createPdfRenderer } from './pdf/renderer';
import { createPdfFreezer } from './documents/pdf-freezer';
import { createTx } from './db/tx';
import type { AppContext } from './platform/context';
import { createMailer } from './platform/mail';
import { postgresFileStore } from './platform/storage';
import { createLiveHub } from './platform/live';

export interface RunningServer {
  app: FastifyInstance;
  ctx: AppContext;
  url: string;
  stop(): Promise<void>;
}

const EMBEDDED_DATABASE = 'ardoise';

/** Creates the application database on the embedded cluster the first time. */
async function ensureDatabase(adminUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Opens the database (embedded or external) and applies the migrations. */
export async function openDatabase(config: Config, log: (msg: string) => void): Promise<{ url: string; embedded: EmbeddedDatabase | null }> {
  if (config.databaseUrl) {
    await migrate(config.databaseUrl, config.appRole);
    return { url: config.databaseUrl, embedded: null };
  }
  const embedded = await startEmbeddedPostgres(config.dataDir, config.embeddedPgPort, log);
  try {
    const url = await ensureDatabase(embedded.url, EMBEDDED_DATABASE);
    await migrate(url, config.appRole);
    return { url, embedded };
  } catch (error) {
    await embedded.stop();
    throw error;
  }
}

/**
 * For operator commands: the database of a running app (its embedded cluster), or the external
 * one, or an embedded cluster started for the command's duration.
 */
export async function openDatabaseForTool(config: Config): Promise<{ url: string; close(): Promise<void> }> {
  if (!config.databaseUrl) {
    const running = await runningEmbeddedUrl(config.dataDir);
    if (running) return { url: await ensureDatabase(running, EMBEDDED_DATABASE), close: async () => {} };
  }
  const database = await openDatabase(config, () => {});
  return { url: database.url, close: async () => database.embedded?.stop() };
}

/** config → database → migrations → app → listen. `stop()` closes them in reverse order. */
export async function startServer(config: Config, opts: { databaseUrl?: string } = {}): Promise<RunningServer> {
  const database = opts.databaseUrl ? { url: opts.databaseUrl, embedded: null } : await openDatabase(config, () => {});
  const { db, pool } = createDb(database.url, config.poolSize);
  const tx = createTx(db, config.appRole);
  const pdfRenderer = createPdfRenderer();
  const ctx: AppContext = {
    config,
    db,
    tx,
    mailer: createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, outboxDir: path.join(config.dataDir, 'outbox') }),
    files: postgresFileStore,
    live: createLiveHub(database.url, (error) => console.error('live updates:', error)),
    readCache: createReadCache(config.readCacheMb * 1024 * 1024),
    pdfRenderer,
    pdfs: createPdfFreezer({ tx, files: postgresFileStore, renderer: pdfRenderer, onError: (error, job) => app.log.error({ err: error, ...job }, 'background PDF failed') }),
  };
  const app = await buildApp(ctx);
  await app.listen({ port: config.port, host: config.host });
  // Numbered documents left without their PDF by a stop or a crash: made in the background.
  ctx.pdfs.catchUp(db).catch((error: unknown) => app.log.error({ err: error }, 'could not queue the missing PDFs'));
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  let stopped = false;
  return {
    app,
    ctx,
    url: `http://127.0.0.1:${port}`,
    async stop() {
      if (stopped) return;
      stopped = true;
      await app.close();
      await ctx.pdfs.close();
      await pdfRenderer.close();
      await ctx.live.close();
      await pool.end();
      await database.embedded?.stop();
    },
  };
}
