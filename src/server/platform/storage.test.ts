import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/server';
import { signUp } from '../../../test/helpers/client';
import { postgresFileStore } from './storage';

let server: TestServer;
let dossierId: string;
beforeAll(async () => {
  server = await startTestServer();
  dossierId = (await signUp(server.app)).dossierId;
});
afterAll(() => server.close());

const roundTrip = (content: Buffer) =>
  server.ctx.tx({ dossierId }, async (t) => {
    const put = await postgresFileStore.put(t, dossierId, { contentType: 'application/pdf', content });
    const got = await postgresFileStore.get(t, dossierId, put.id);
    return { put, got };
  });

describe('the PostgreSQL file store', () => {
  it('gives back every byte as stored, whatever the bytes and the size (read as base64, not hex)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), async (bytes) => {
        const content = Buffer.from(bytes);
        const { put, got } = await roundTrip(content);
        expect(got).not.toBeNull();
        expect(got!.content.equals(content)).toBe(true);
        expect(got!.sha256).toBe(put.sha256);
        expect(got!.contentType).toBe('application/pdf');
      }),
      { numRuns: 60 },
    );
    // Larger than PostgreSQL's out-of-line threshold, and more than one line of its base64.
    for (const size of [0, 1, 57, 58, 2048, 70_000, 1_000_003]) {
      const content = randomBytes(size);
      const { got } = await roundTrip(content);
      expect(got!.content.equals(content)).toBe(true);
    }
  });

  it('keeps large contents out of line without compressing them again (frozen PDFs are compressed already)', async () => {
    const content = Buffer.alloc(200_000, 'A'); // very compressible: PostgreSQL would compress it by default
    const { put } = await roundTrip(content);
    const row = await server.ctx.tx({ dossierId }, (t) =>
      sql<{ compression: string | null; storage: string }>`SELECT pg_column_compression(content) AS compression, (SELECT attstorage FROM pg_attribute WHERE attrelid = 'files'::regclass AND attname = 'content') AS storage FROM files WHERE dossier_id = ${dossierId} AND id = ${put.id}`
        .execute(t)
        .then((r) => r.rows[0]!),
    );
    expect(row).toEqual({ compression: null, storage: 'e' });
  });
});
