/**
 * An Ardoise server in a process of its own, on the database of DATABASE_URL (already migrated),
 * for tests that need a second app process — one they can kill with SIGKILL. Prints `ready` once
 * it listens and its mail queue runs.
 */
import { startServer } from '../../src/server/boot';
import { loadConfig } from '../../src/server/config';

const config = loadConfig(process.env);
const running = await startServer(config, { databaseUrl: process.env.DATABASE_URL! });
await running.ctx.mail.start();
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void running.stop().then(() => process.exit(0));
});
