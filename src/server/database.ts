import { existsSync } from 'node:fs';
import path from 'node:path';
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

/** An operator command found no Ardoise database where it looked (it never creates one). */
export class NoDatabaseError extends Error {}

/** Where an operator command looks: DATABASE_URL without its password, or the embedded cluster's directory. */
export function toolDatabaseLabel(config: Config): string {
  if (!config.databaseUrl) return `the embedded PostgreSQL of DATA_DIR=${config.dataDir}`;
  try {
    const url = new URL(config.databaseUrl);
    if (url.password) url.password = '***';
    return `DATABASE_URL=${url.toString()}`;
  } catch {
    return 'DATABASE_URL (not a valid URL)';
  }
}

async function databaseExists(serverUrl: string, name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return ((await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount ?? 0) > 0;
  } finally {
    await client.end();
  }
}

/** Whether the database holds Ardoise's schema (its migrations table); throws NoDatabaseError when the database itself does not exist. */
async function hasArdoiseSchema(url: string, label: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch (error) {
    if ((error as { code?: string }).code === '3D000') throw new NoDatabaseError(`No database at ${label}: it does not exist.`);
    throw error;
  }
  try {
    return (await client.query<{ found: string | null }>(`SELECT to_regclass('public.schema_migrations')::text AS found`)).rows[0]?.found != null;
  } finally {
    await client.end();
  }
}

/**
 * For operator commands: the database of a running app (its embedded cluster), or the external
 * one, or the embedded cluster started for the command's duration — never a new one. Where there
 * is no Ardoise database, it throws a NoDatabaseError saying where it looked. Pending migrations
 * are applied, as at every start of the app.
 *
 * `setUp` is for `npm run migrate`, whose job is to set up the schema: in DATABASE_URL's
 * database, or in an existing embedded cluster that has no application database yet. It does not
 * create an embedded cluster either (that is `npm start`'s job, with DATA_DIR).
 */
export async function openDatabaseForTool(config: Config, options: { setUp?: boolean } = {}): Promise<{ url: string; close(): Promise<void> }> {
  const label = toolDatabaseLabel(config);
  let serverUrl: string | null = null;
  let close = async () => {};
  if (!config.databaseUrl) {
    const pgDir = path.join(config.dataDir, 'pg');
    if (!existsSync(path.join(pgDir, 'PG_VERSION'))) {
      throw new NoDatabaseError(`No Ardoise database in ${label}: ${pgDir} holds no PostgreSQL cluster. Run the command with the app's DATA_DIR (or its DATABASE_URL); npm start creates the database.`);
    }
    serverUrl = await runningEmbeddedUrl(config.dataDir);
    if (!serverUrl) {
      const embedded = await startEmbeddedPostgres(config.dataDir, config.embeddedPgPort);
      serverUrl = embedded.url;
      close = () => embedded.stop();
    }
  }
  try {
    let url: string;
    if (serverUrl) {
      if (!(await databaseExists(serverUrl, EMBEDDED_DATABASE))) {
        if (!options.setUp) throw new NoDatabaseError(`No Ardoise database in ${label}: its cluster has no "${EMBEDDED_DATABASE}" database. npm start (or npm run migrate) creates it.`);
        await ensureDatabase(serverUrl, EMBEDDED_DATABASE);
      }
      url = databaseUrl(serverUrl, EMBEDDED_DATABASE);
    } else {
      url = config.databaseUrl!;
    }
    if (!options.setUp && !(await hasArdoiseSchema(url, label))) {
      throw new NoDatabaseError(`No Ardoise database at ${label}: the database exists but holds no Ardoise schema. npm run migrate sets it up.`);
    }
    await migrate(url, config.appRole).catch((error: unknown) => {
      if ((error as { code?: string }).code === '3D000') throw new NoDatabaseError(`No database at ${label}: it does not exist.`);
      throw error;
    });
    return { url, close };
  } catch (error) {
    await close();
    throw error;
  }
}
