import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { Database } from './schema';

export type Db = Kysely<Database>;

// bigint (int8) columns arrive as strings; counts and sequence numbers fit in a JS number.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => v);
// `date` columns are calendar dates (Europe/Paris): keep them as 'YYYY-MM-DD' strings, never as instants.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

export function createDb(connectionString: string, max: number): { db: Db; pool: pg.Pool } {
  const pool = new pg.Pool({ connectionString, max, idleTimeoutMillis: 30_000 });
  pool.on('error', () => {
    // An idle client lost its connection (e.g. the server restarted); the pool replaces it.
  });
  pool.on('connect', (client) => {
    // A checked-out client whose connection dies (server shutdown, terminated backend) fails
    // its current query; without a listener the 'error' event would crash the process.
    client.on('error', () => undefined);
  });
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), pool };
}
