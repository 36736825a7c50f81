import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app';
import type { Config } from './config';
import { startDatabase, type StartedDatabase } from './database';
import { createDb } from './db/pool';
import { createReadCache } from './platform/read-cache';
import { createCallerLookup } from './platform/caller-lookup';
import { createPdfRenderer } from './pdf/renderer';
import { createPdfFreezer } from './documents/pdf-freezer';
import { createTx } from './db/tx';
import type { AppContext } from './platform/context';
import { createMailer } from './platform/mail';
import { postgresFileStore } from './platform/storage';
import { createLiveHub } from './platform/live';
import { createBackgroundTasks } from './platform/background';
import { ANCHOR_DIR, createAuditAnchors, loadAnchorKey } from './platform/audit-anchors';
import { createMailQueue, type MailQueue } from './mail/queue';

export interface RunningServer {
  app: FastifyInstance;
  ctx: AppContext;
  url: string;
  stop(): Promise<void>;
}

/**
 * config → database → migrations → app → listen. `stop()` closes them in reverse order.
 *
 * The app is built while the migrations are checked: nothing queries the database before the
 * server listens. `opts.database` is one already started (main.ts starts it before loading this
 * module); `opts.databaseUrl` an existing, migrated one (tests and benchmarks).
 */
export async function startServer(config: Config, opts: { database?: StartedDatabase; databaseUrl?: string } = {}): Promise<RunningServer> {
  const database = opts.database ?? (opts.databaseUrl ? { url: opts.databaseUrl, embedded: null, migrated: Promise.resolve() } : await startDatabase(config, () => {}));
  const { db, pool } = createDb(database.url, config.poolSize, { prepare: config.preparedStatements });
  // The pool's first connection opens while the app is built rather than with the first request
  // (on the very first start, when the database is still being created, it fails quietly).
  pool.connect().then(
    (client) => client.release(),
    () => undefined,
  );
  const tx = createTx(db, config.appRole);
  const pdfRenderer = createPdfRenderer();
  const anchors = createAuditAnchors({
    key: loadAnchorKey(config, { create: true })!,
    dir: path.join(config.dataDir, ANCHOR_DIR),
    onError: (error) => app.log.error({ err: error }, 'audit checkpoint failed'),
  });
  const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, outboxDir: path.join(config.dataDir, 'outbox') });
  const pdfs = createPdfFreezer({ tx, files: postgresFileStore, renderer: pdfRenderer, anchors, onError: (error, job) => app.log.error({ err: error, ...job }, 'background PDF failed') });
  const mail: MailQueue = createMailQueue({ databaseUrl: database.url, config, db, tx, mailer, pdfs, log: { error: (obj, msg) => app.log.error(obj, msg), warn: (obj, msg) => app.log.warn(obj, msg) } });
  const ctx: AppContext = {
    config,
    db,
    tx,
    callers: createCallerLookup(db),
    mailer,
    files: postgresFileStore,
    live: createLiveHub(database.url, (error) => console.error('live updates:', error)),
    readCache: createReadCache(config.readCacheMb * 1024 * 1024),
    pdfRenderer,
    pdfs,
    anchors,
    tasks: createBackgroundTasks({ onError: (error, name) => app.log.error({ err: error, task: name }, 'background task failed') }),
    mail,
  };
  const app = await buildApp(ctx);
  await database.migrated;
  await app.listen({ port: config.port, host: config.host });
  // Numbered documents left without their PDF by a stop or a crash: made in the background.
  ctx.pdfs.catchUp(db).catch((error: unknown) => app.log.error({ err: error }, 'could not queue the missing PDFs'));
  // Every dossier's head is anchored now, then hourly where it moved, and at stop.
  ctx.anchors.start(db);
  // The e-mail queue starts in the background (its schema on the very first start): a message
  // stored meanwhile is queued once it runs.
  mail.start().catch((error: unknown) => app.log.error({ err: error }, 'the mail queue could not start'));
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
      // Deliveries in progress finish (their outcome stored) before the pool closes.
      await mail.stop().catch((error: unknown) => app.log.error({ err: error }, 'the mail queue did not stop cleanly'));
      mailer.close();
      await ctx.pdfs.close();
      await ctx.anchors.close();
      await pdfRenderer.close();
      await ctx.live.close();
      await pool.end();
      await database.embedded?.stop();
    },
  };
}
