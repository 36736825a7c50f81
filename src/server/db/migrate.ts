import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { INSTALL_DIR } from '../install-dir';

const MIGRATIONS_DIR = path.join(INSTALL_DIR, 'src', 'server', 'db', 'migrations');
/** Any constant: serialises concurrent migrators (several app nodes starting at once). */
const MIGRATION_LOCK = 7_311_942;

/** The names of the migrations applied so far (none when the table does not exist yet). */
async function appliedMigrations(client: pg.Client): Promise<Set<string>> {
  try {
    return new Set((await client.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name));
  } catch (error) {
    if ((error as { code?: string }).code === '42P01') return new Set(); // undefined_table: a new database
    throw error;
  }
}

/** Applies the forward-only SQL migrations not yet applied, each in its own transaction. Returns their names. */
export async function migrate(connectionString: string, appRole: string): Promise<string[]> {
  if (!/^[a-z_][a-z0-9_]*$/.test(appRole)) throw new Error(`Invalid DB_APP_ROLE: ${appRole}`);
  const files = (await fs.readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).sort();
  const client = new pg.Client({ connectionString });
  await client.connect();
  let locked = false;
  try {
    // Usually every migration is applied already: one query then, and no lock (an applied
    // migration is committed and never undone).
    const alreadyApplied = await appliedMigrations(client);
    if (files.every((file) => alreadyApplied.has(file))) return [];
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    locked = true;
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    // Under the lock: another node may have applied some meanwhile.
    const done = await appliedMigrations(client);
    const applied: string[] = [];
    for (const file of files) {
      if (done.has(file)) continue;
      const text = (await fs.readFile(path.join(MIGRATIONS_DIR, file), 'utf8')).replaceAll('{{app_role}}', appRole);
      try {
        await client.query('BEGIN');
        await client.query(text);
        await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [file]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`Migration ${file} failed: ${(error as Error).message}`, { cause: error });
      }
      applied.push(file);
    }
    return applied;
  } finally {
    if (locked) await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await client.end();
  }
}
