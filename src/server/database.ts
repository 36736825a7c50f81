import pg from 'pg';
import type { Config } from './config';
import { runningEmbeddedUrl, startEmbeddedPostgres, type EmbeddedDatabase } from './db/embedded';
import { migrate } from './db/migrate';

const EMBEDDED_DATABASE = 'ardoise';

/** The URL of database `name` on the server of `serverUrl`. */
function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

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
  return databaseUrl(adminUrl, name);
}

export interface StartedDatabase {
  url: string;
  embedded: EmbeddedDatabase | null;
  /** Settles once the application database exists and is migrated; if that fails, the embedded cluster is stopped. */
  migrated: Promise<void>;
}

/**
 * The end of `migrating` as the caller sees it: on failure the embedded cluster is stopped first.
 * The caller may await it only after other work: it is not an unhandled rejection meanwhile.
 */
function whenMigrated(migrating: Promise<unknown>, embedded: EmbeddedDatabase | null): Promise<void> {
  const migrated = migrating.then(
    () => undefined,
    async (error: unknown) => {
      await embedded?.stop();
      throw error;
    },
  );
  migrated.catch(() => {});
  return migrated;
}

/**
 * Starts the database (the embedded cluster, or DATABASE_URL's server) and begins creating the
 * application database and applying the migrations: its URL is known before they are done, so
 * that the server can be built meanwhile.
 */
export async function startDatabase(config: Config, log: (msg: string) => void): Promise<StartedDatabase> {
  if (config.databaseUrl) {
    return { url: config.databaseUrl, embedded: null, migrated: whenMigrated(migrate(config.databaseUrl, config.appRole), null) };
  }
  const embedded = await startEmbeddedPostgres(config.dataDir, config.embeddedPgPort, log);
  const url = databaseUrl(embedded.url, EMBEDDED_DATABASE);
  const migrating = migrate(url, config.appRole).catch(async (error: unknown) => {
    // The first start: the application database does not exist yet (invalid_catalog_name).
    if ((error as { code?: string }).code !== '3D000') throw error;
    await ensureDatabase(embedded.url, EMBEDDED_DATABASE);
    return migrate(url, config.appRole);
  });
  return { url, embedded, migrated: whenMigrated(migrating, embedded) };
}

/** Opens the database (embedded or external) and applies the migrations. */
export async function openDatabase(config: Config, log: (msg: string) => void): Promise<{ url: string; embedded: EmbeddedDatabase | null }> {
  const database = await startDatabase(config, log);
  await database.migrated;
  return database;
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
