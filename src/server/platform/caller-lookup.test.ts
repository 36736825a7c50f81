import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type KyselyPlugin } from 'kysely';
import { startTestServer, type TestServer } from '../../../test/helpers/server';
import { signUp } from '../../../test/helpers/client';
import { createCallerLookup } from './caller-lookup';
import { newToken } from './tokens';

function sessionOf(cookieHeader: string): string {
  const pair = cookieHeader.split('; ').find((c) => c.startsWith('ardoise_session='));
  if (!pair) throw new Error('no session cookie');
  return pair.slice('ardoise_session='.length);
}

describe('caller lookups', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  /** The app's database handle, counting the statements sent through it. */
  function countingDb() {
    const counter = { statements: 0 };
    const plugin: KyselyPlugin = {
      transformQuery: (args) => {
        counter.statements++;
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    return { db: server.ctx.db.withPlugin(plugin), counter };
  }

  it('answers each of many concurrent lookups with its own caller, in fewer statements', async () => {
    const people = await Promise.all(['Camille Durand', 'Hugo Martin', 'Léa Petit'].map((name) => signUp(server.app, { name })));
    const { db, counter } = countingDb();
    const lookup = createCallerLookup(db, 1);
    const cases = people.flatMap((person, i) => {
      const token = sessionOf(person.client.cookieHeader);
      const other = people[(i + 1) % people.length]!;
      return [
        { token, dossierId: person.dossierId, expect: { user_id: person.user.id, is_member: true, profile_key: 'admin' } },
        { token, dossierId: person.dossierId, expect: { user_id: person.user.id, is_member: true, profile_key: 'admin' } },
        { token, dossierId: other.dossierId, expect: { user_id: person.user.id, is_member: false, profile_key: null } },
        { token, dossierId: null, expect: { user_id: person.user.id, name: person.user.name, revision: null } },
      ];
    });
    cases.push({ token: newToken(), dossierId: people[0]!.dossierId, expect: undefined as never });

    const answers = await Promise.all(cases.map((c) => lookup.find(c.token, c.dossierId)));
    cases.forEach((c, i) => {
      if (c.expect === undefined) expect(answers[i]).toBeUndefined();
      else expect(answers[i]).toMatchObject(c.expect);
    });
    // The first lookup went alone; the 12 others waited for it and travelled together.
    expect(counter.statements).toBe(2);
    // Each member's revision is their dossier's audit sequence.
    for (const [i, person] of people.entries()) {
      const head = await server.ctx.db.selectFrom('audit_heads').select('last_seq').where('dossier_id', '=', person.dossierId).executeTakeFirstOrThrow();
      expect(answers[i * 4]!.revision).toBe(String(head.last_seq));
    }
  });

  it('refuses a session revoked while a lookup was on its way, from the next lookup on', async () => {
    const { client, dossierId } = await signUp(server.app);
    const token = sessionOf(client.cookieHeader);
    const lookup = createCallerLookup(server.ctx.db, 1);
    const before = lookup.find(token, dossierId);
    await sql`UPDATE sessions SET revoked_at = now() WHERE token_hash = sha256(convert_to(${token}, 'UTF8'))`.execute(server.ctx.db);
    const after = lookup.find(token, dossierId);
    expect(await after).toBeUndefined();
    // The first lookup was sent before the revocation: it may see the session either way.
    await before;
    expect(await lookup.find(token, null)).toBeUndefined();
  });

  it('fails every waiting lookup when its statement fails, and recovers', async () => {
    const { client, dossierId } = await signUp(server.app);
    const token = sessionOf(client.cookieHeader);
    let fail = true;
    const plugin: KyselyPlugin = {
      transformQuery: (args) => args.node,
      transformResult: async (args) => {
        if (fail) throw new Error('connection lost');
        return args.result;
      },
    };
    const lookup = createCallerLookup(server.ctx.db.withPlugin(plugin), 1);
    const results = await Promise.allSettled([lookup.find(token, dossierId), lookup.find(token, dossierId), lookup.find(token, null)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    fail = false;
    expect(await lookup.find(token, dossierId)).toMatchObject({ is_member: true });
  });
});
