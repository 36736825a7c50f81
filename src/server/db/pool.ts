import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import type { Database } from './schema';

export type Db = Kysely<Database>;

// bigint (int8) columns arrive as strings; counts and sequence numbers fit in a JS number.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => v);
// `date` columns are calendar dates (Europe/Paris): keep them as 'YYYY-MM-DD' strings, never as instants.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

export function createDb(connectionString: string, max: number, opts: { prepare?: boolean } = {}): { db: Db; pool: pg.Pool } {
  // Pipeline mode: a query is written without waiting for the previous one's answer. Queries run
  // one after the other as before; only `thenCommit` (below) sends several at once.
  const pool = new pg.Pool({ connectionString, max, idleTimeoutMillis: 30_000, pipeline: true });
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

export interface PipelinedStatement {
  text: string;
  values: unknown[];
}

const commitPipelines = new Map<string, readonly PipelinedStatement[]>();
const THEN_COMMIT = /\n\/\* then commit ([0-9a-f-]{36}) \*\/$/;

/**
 * Marks a statement of an open transaction as its last: the pool sends it, then `before` (e.g.
 * notifications), then COMMIT, all at once (pipeline mode), and answers with the statement's
 * result once the commit is done. Locks the statement takes are held only while PostgreSQL runs
 * it and commits, never across a round trip to the application. If the statement fails, the
 * COMMIT that follows it ends the failed transaction as a ROLLBACK: nothing is committed. The
 * connection then holds no transaction: until it is released, it refuses other statements.
 */
export function thenCommit(text: string, before: readonly PipelinedStatement[] = []): string {
  const id = randomUUID();
  commitPipelines.set(id, before);
  return `${text}\n/* then commit ${id} */`;
}

/** The pool as Kysely sees it: statements prepared (when `prepare`), several statements in one text answered with the last one's result, `thenCommit`. */
function wrapPool(pool: pg.Pool, prepare: boolean): PostgresPool {
  const wrapped = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    let ended = false;
    const send = (text: string, values?: readonly unknown[]): Promise<pg.QueryResult> => {
      const name = prepare ? statementName(text) : undefined;
      if (name) return client.query({ name, text, values: values as unknown[] });
      // Several statements in one text (no parameters): answered with the last one's result.
      return client.query(text, values as unknown[]).then((result: pg.QueryResult | pg.QueryResult[]) => (Array.isArray(result) ? result.at(-1)! : result));
    };
    const query = async (textOrCursor: string | pg.Submittable, values?: readonly unknown[]) => {
      if (typeof textOrCursor !== 'string') return client.query(textOrCursor); // a cursor (streamed rows)
      if (ended) {
        // The transaction was committed (or rolled back) with its last statement.
        if (textOrCursor === 'ROLLBACK' || textOrCursor === 'COMMIT') return { rows: [], command: textOrCursor, rowCount: 0 };
        throw new Error('This transaction has already ended with its last statement (thenCommit)');
      }
      const mark = THEN_COMMIT.exec(textOrCursor);
      if (!mark) return send(textOrCursor, values);
      const before = commitPipelines.get(mark[1]!) ?? [];
      commitPipelines.delete(mark[1]!);
      ended = true;
      // Corked, the statements leave in one write instead of one each.
      const socket = (client as unknown as { connection?: { stream?: { cork?(): void; uncork?(): void } } }).connection?.stream;
      socket?.cork?.();
      let sent: Promise<pg.QueryResult>[];
      try {
        sent = [send(textOrCursor.slice(0, mark.index), values), ...before.map((s) => send(s.text, s.values)), client.query('COMMIT')];
      } finally {
        socket?.uncork?.();
      }
      const answers = await Promise.allSettled(sent);
      const failed = answers.find((a) => a.status === 'rejected');
      if (failed) throw failed.reason;
      const committed = answers.at(-1) as PromiseFulfilledResult<pg.QueryResult>;
      if (committed.value.command !== 'COMMIT') throw new Error(`The transaction ended with ${committed.value.command}`);
      return (answers[0] as PromiseFulfilledResult<pg.QueryResult>).value;
    };
    return {
      query: query as unknown as PostgresPoolClient['query'],
      release: () => {
        ended = false;
        client.release();
      },
    };
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
