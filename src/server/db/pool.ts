import pg from 'pg';
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import type { Database } from './schema';

export type Db = Kysely<Database>;

// bigint (int8) columns arrive as strings; counts and sequence numbers fit in a JS number.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => v);
// `date` columns are calendar dates (Europe/Paris): keep them as 'YYYY-MM-DD' strings, never as instants.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

export function createDb(connectionString: string, max: number, opts: { prepare?: boolean } = {}): { db: Db; pool: pg.Pool } {
  const pool = new pg.Pool({ connectionString, max, idleTimeoutMillis: 30_000 });
  pool.on('error', () => {
    // An idle client lost its connection (e.g. the server restarted); the pool replaces it.
  });
  pool.on('connect', (client) => {
    // A checked-out client whose connection dies (server shutdown, terminated backend) fails
    // its current query; without a listener the 'error' event would crash the process.
    client.on('error', () => undefined);
  });
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool: wrapPool(pool, opts.prepare !== false) }) }), pool };
}

/**
 * Statements are prepared once per connection and their plans kept: most requests run a handful
 * of small queries whose planning (row-level security policies included) costs several times
 * their execution. Kysely generates the same text for the same query shape, so the text names
 * the statement. Only single data statements are prepared (not BEGIN/COMMIT or multi-statement
 * text), and only the first MAX_PREPARED distinct texts, which bounds each backend's memory.
 * Behind a proxy that pools connections per transaction and does not track prepared statements
 * (PgBouncer before 1.21), turn this off: DB_PREPARED_STATEMENTS=false.
 */
const MAX_PREPARED = 1000;
const statementNames = new Map<string, string>();
const PREPARABLE = /^\s*(select|insert|update|delete|with)\b/i;

function statementName(text: string): string | undefined {
  const known = statementNames.get(text);
  if (known !== undefined || statementNames.size >= MAX_PREPARED) return known;
  if (!PREPARABLE.test(text) || text.includes(';')) return undefined;
  const name = `ardoise_${statementNames.size + 1}`;
  statementNames.set(text, name);
  return name;
}

/** The pool as Kysely sees it: statements prepared (when `prepare`), several statements in one text answered with the last one's result. */
function wrapPool(pool: pg.Pool, prepare: boolean): PostgresPool {
  const wrapped = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    const query = (textOrCursor: string | pg.Submittable, values?: readonly unknown[]) => {
      if (typeof textOrCursor !== 'string') return client.query(textOrCursor); // a cursor (streamed rows)
      const name = prepare ? statementName(textOrCursor) : undefined;
      if (name) return client.query({ name, text: textOrCursor, values: values as unknown[] });
      // Several statements in one text (no parameters): answered with the last one's result.
      return client.query(textOrCursor, values as unknown[]).then((result: pg.QueryResult | pg.QueryResult[]) => (Array.isArray(result) ? result.at(-1)! : result));
    };
    return { query: query as unknown as PostgresPoolClient['query'], release: () => client.release() };
  };
  return {
    async connect() {
      const client = await pool.connect();
      let facade = wrapped.get(client);
      if (!facade) wrapped.set(client, (facade = wrap(client)));
      return facade;
    },
    end: () => pool.end(),
  };
}
