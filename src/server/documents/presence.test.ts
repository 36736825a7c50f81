import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../boot';
import { startTestServer, type TestServer } from '../../../test/helpers/server';
import { ApiClient, signUp, STRONG_PASSWORD } from '../../../test/helpers/client';
import { createCustomer, createDraft, LINE, setUpSeller } from '../../../test/helpers/invoicing';

/**
 * Two app nodes on one database: who has a document open, and "someone changed it", reach the
 * members connected to the other node (PostgreSQL LISTEN/NOTIFY), over real HTTP server-sent events.
 */

let nodeA: TestServer;
let nodeB: RunningServer;

beforeAll(async () => {
  nodeA = await startTestServer();
  nodeB = await startServer({ ...nodeA.ctx.config, port: 0 }, { databaseUrl: nodeA.db.url });
});
afterAll(async () => {
  await nodeB.stop();
  await nodeA.close();
});

/** Reads server-sent events from a real HTTP connection until `until` is satisfied. */
async function openStream(baseUrl: string, path: string, cookie: string) {
  const controller = new AbortController();
  const res = await fetch(`${baseUrl}${path}`, { headers: { cookie }, signal: controller.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const events: { event: string; data: unknown }[] = [];
  const pump = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const event = /^event: (.+)$/m.exec(block)?.[1];
          const data = /^data: (.+)$/m.exec(block)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) });
        }
      }
    } catch {
      // aborted
    }
  })();
  return {
    events,
    async waitFor(predicate: (e: { event: string; data: any }) => boolean, timeoutMs = 10_000) {
      const started = Date.now();
      for (;;) {
        const found = events.find(predicate);
        if (found) return found;
        if (Date.now() - started > timeoutMs) throw new Error(`event not received; got ${JSON.stringify(events)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      controller.abort();
      await pump;
    },
  };
}

describe('live presence and changes across app nodes', () => {
  it('shows who else has the document open, and tells them when it changes', async () => {
    const alice = await signUp(nodeA.app, { name: 'Alice Martin' });
    await setUpSeller(alice.client, alice.dossierId);
    const customerId = await createCustomer(alice.client, alice.dossierId);
    const draft = await createDraft(alice.client, alice.dossierId, { type: 'invoice', customerId, lines: [LINE] });
    const bob = await signUp(nodeA.app, { name: 'Bob Leroy' });
    await alice.client.post(`/api/d/${alice.dossierId}/members`, { email: bob.email, profileId: 'adv' });
    const bobOnB = new ApiClient(nodeB.app);
    expect((await bobOnB.post('/api/auth/login', { email: bob.email, password: STRONG_PASSWORD })).status).toBe(200);

    const path = `/api/d/${alice.dossierId}/invoices/${draft.id}/events`;
    const aliceStream = await openStream(nodeA.url, path, alice.client.cookieHeader);
    await aliceStream.waitFor((e) => e.event === 'presence' && e.data.some((v: { name: string }) => v.name === 'Alice Martin'));
    const bobStream = await openStream(nodeB.url, path, bobOnB.cookieHeader);
    // Alice, on node A, learns that Bob (connected to node B) opened it.
    await aliceStream.waitFor((e) => e.event === 'presence' && e.data.some((v: { name: string }) => v.name === 'Bob Leroy'));

    const saved = await bobOnB.patch(`/api/d/${alice.dossierId}/invoices/${draft.id}`, { version: draft.version, notes: 'Livraison vendredi' });
    expect(saved.status).toBe(200);
    const changed = await aliceStream.waitFor((e) => e.event === 'changed');
    expect(changed.data).toMatchObject({ version: 2, what: 'updated', byName: 'Bob Leroy' });

    await bobStream.close();
    await aliceStream.waitFor((e) => e.event === 'presence' && e.data.length === 1 && e.data[0].name === 'Alice Martin');
    await aliceStream.close();
  });

  it('refuses the stream to someone outside the dossier', async () => {
    const alice = await signUp(nodeA.app);
    await setUpSeller(alice.client, alice.dossierId);
    const customerId = await createCustomer(alice.client, alice.dossierId);
    const draft = await createDraft(alice.client, alice.dossierId, { type: 'invoice', customerId, lines: [LINE] });
    const mallory = await signUp(nodeA.app);
    const res = await fetch(`${nodeA.url}/api/d/${alice.dossierId}/invoices/${draft.id}/events`, { headers: { cookie: mallory.client.cookieHeader } });
    expect(res.status).toBe(404);
  });
});
