import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import pg from 'pg';
import { startTestServer, type TestServer } from '../../../test/helpers/server';
import { executeAndCommit, notifyAtCommit } from './tx';

describe('notifications queued in a transaction', () => {
  let server: TestServer;
  let listener: pg.Client;
  const received: string[] = [];
  const CHANNEL = 'ardoise_test_notify';

  beforeAll(async () => {
    server = await startTestServer();
    listener = new pg.Client({ connectionString: server.db.url });
    await listener.connect();
    listener.on('notification', (msg) => received.push(msg.payload ?? ''));
    await listener.query(`LISTEN ${CHANNEL}`);
  });
  afterAll(async () => {
    await listener.end();
    await server.close();
  });

  const settle = () => new Promise((resolve) => setTimeout(resolve, 200));

  it('are delivered once the transaction commits, intact whatever their characters', async () => {
    received.length = 0;
    const payloads = ["l'avoir", 'C:\\Factures\\2026', 'Éloïse — 12,50 €', '{"quote":"\\"x\\""}'];
    await server.ctx.tx({}, async (t) => {
      for (const payload of payloads) await notifyAtCommit(t, CHANNEL, payload);
      await settle();
      // Nothing is sent before the commit.
      expect(received).toEqual([]);
    });
    await settle();
    expect(received).toEqual(payloads);
  });

  it('are dropped when the transaction fails', async () => {
    received.length = 0;
    await expect(
      server.ctx.tx({}, async (t) => {
        await notifyAtCommit(t, CHANNEL, 'jamais');
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    await settle();
    expect(received).toEqual([]);
  });

  it('fail the operation, which commits nothing, when PostgreSQL refuses one; the connection stays usable', async () => {
    received.length = 0;
    await sql`CREATE TABLE IF NOT EXISTS notify_probe (v text)`.execute(server.ctx.db);
    await sql.raw(`GRANT SELECT, INSERT ON notify_probe TO ${server.ctx.config.appRole}`).execute(server.ctx.db);
    await expect(
      server.ctx.tx({}, async (t) => {
        await sql`INSERT INTO notify_probe VALUES ('written')`.execute(t);
        await notifyAtCommit(t, CHANNEL, 'x'.repeat(9000)); // over the 8000-byte limit
      }),
    ).rejects.toThrow(/payload string too long/);
    const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM notify_probe`.execute(server.ctx.db);
    expect(rows[0]!.n).toBe('0');
    // Every pooled connection still answers (none was left inside the failed transaction).
    const answers = await Promise.all(Array.from({ length: 8 }, () => server.ctx.tx({}, async (t) => (await sql<{ one: number }>`SELECT 1 AS one`.execute(t)).rows[0]!.one)));
    expect(answers).toEqual(Array(8).fill(1));
    await settle();
    expect(received).toEqual([]);
  });
});

describe('a transaction ended by its last statement (executeAndCommit)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ DB_POOL_SIZE: '2' });
    await sql`CREATE TABLE commit_probe (v text UNIQUE)`.execute(server.ctx.db);
    await sql.raw(`GRANT SELECT, INSERT ON commit_probe TO ${server.ctx.config.appRole}`).execute(server.ctx.db);
  });
  afterAll(() => server.close());

  const probe = async () => (await sql<{ v: string }>`SELECT v FROM commit_probe ORDER BY v`.execute(server.ctx.db)).rows.map((r) => r.v);

  it('commits the earlier statements and the last one together, and answers with its rows', async () => {
    const rows = await server.ctx.tx({}, async (t) => {
      await sql`INSERT INTO commit_probe VALUES ('a')`.execute(t);
      return (await executeAndCommit(t, sql<{ v: string }>`INSERT INTO commit_probe VALUES ('b') RETURNING v`)).rows;
    });
    expect(rows).toEqual([{ v: 'b' }]);
    expect(await probe()).toEqual(['a', 'b']);
  });

  it('commits nothing when the last statement fails, and leaves every connection usable', async () => {
    await expect(
      server.ctx.tx({}, async (t) => {
        await sql`INSERT INTO commit_probe VALUES ('c')`.execute(t);
        await executeAndCommit(t, sql`INSERT INTO commit_probe VALUES ('a')`); // duplicate
      }),
    ).rejects.toThrow(/commit_probe_v_key/);
    expect(await probe()).toEqual(['a', 'b']);
    const answers = await Promise.all(Array.from({ length: 6 }, () => server.ctx.tx({}, async (t) => (await sql<{ one: number }>`SELECT 1 AS one`.execute(t)).rows[0]!.one)));
    expect(answers).toEqual(Array(6).fill(1));
  });

  it('refuses any statement after it, so that nothing runs outside the tenant transaction', async () => {
    await expect(
      server.ctx.tx({}, async (t) => {
        await executeAndCommit(t, sql`INSERT INTO commit_probe VALUES ('d')`);
        await sql`INSERT INTO commit_probe VALUES ('e')`.execute(t);
      }),
    ).rejects.toThrow(/already ended/);
    expect(await probe()).toEqual(['a', 'b', 'd']);
  });
});
