import http from 'node:http';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/server';
import { ApiClient, signUp, STRONG_PASSWORD } from '../../../test/helpers/client';
import { isLoopbackAddress, isLoopbackHost } from './local-outbox';

/**
 * Without an SMTP server, password-reset and invitation links wait in the local outbox: only the
 * person running the instance, on that machine, may read them. Anyone else gets the answer of a
 * route that does not exist.
 */

const NOT_FOUND = { error: { code: 'not_found', message: "Cette ressource n'existe pas ou vous n'y avez pas accès." } };

/** The machine's first address that is not loopback: a connection to it arrives from a non-loopback peer. */
function externalAddress(): string {
  for (const entries of Object.values(os.networkInterfaces())) {
    for (const entry of entries ?? []) if (!entry.internal && entry.family === 'IPv4') return entry.address;
  }
  throw new Error('This test needs a network interface other than loopback (an IPv4 address on eth0 or similar).');
}

/** A real HTTP GET over a socket to `address`, with the `Host` header a local browser would send. */
function realGet(address: string, port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any; peer: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: address, port, path, headers: { host: `localhost:${port}`, ...headers } }, (res) => {
      const peer = res.socket.localAddress ?? '';
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null, peer }));
    });
    request.on('error', reject);
    request.end();
  });
}

/** A victim's account, and a reset link for it sitting in the outbox. Returns the message's id. */
async function pendingReset(server: TestServer): Promise<{ email: string; messageId: string }> {
  const { email } = await signUp(server.app);
  const anyone = new ApiClient(server.app, { ip: '203.0.113.7' });
  expect((await anyone.post('/api/auth/password-reset', { email })).status).toBe(202);
  await server.ctx.tasks.idle();
  const message = (await server.ctx.mailer.listOutbox()).find((m) => m.to === email && m.links.some((l) => l.includes('/reset-password?token=')));
  expect(message).toBeDefined();
  return { email, messageId: message!.id };
}

describe('on a local instance listening on every interface', () => {
  let server: TestServer;
  let external: string;
  let port: number;

  beforeAll(async () => {
    external = externalAddress();
    server = await startTestServer({ HOST: '0.0.0.0' });
    port = Number(new URL(server.url).port);
  });
  afterAll(() => server?.close());

  it('refuses the outbox to a client connecting from another machine, as if it did not exist, and the reset link stays unread', async () => {
    const { email, messageId } = await pendingReset(server);
    for (const path of ['/api/outbox', `/api/outbox/${messageId}`]) {
      const res = await realGet(external, port, path);
      expect(res.peer).toBe(external);
      expect(res.status, path).toBe(404);
      expect(res.body, path).toEqual(NOT_FOUND);
    }
    expect((await realGet(external, port, '/api/no-such-route')).body).toEqual(NOT_FOUND);
    expect((await realGet(external, port, '/api/config')).body).toEqual({ smtpConfigured: false, outboxAvailable: false });
    // The victim's password still works.
    expect((await new ApiClient(server.app).post('/api/auth/login', { email, password: STRONG_PASSWORD })).status).toBe(200);
  });

  it('serves the outbox to a browser on the machine itself', async () => {
    const { messageId } = await pendingReset(server);
    expect((await realGet('127.0.0.1', port, '/api/config')).body).toEqual({ smtpConfigured: false, outboxAvailable: true });
    const list = await realGet('127.0.0.1', port, '/api/outbox');
    expect(list.status).toBe(200);
    expect(list.body.messages.map((m: { id: string }) => m.id)).toContain(messageId);
    const one = await realGet('127.0.0.1', port, `/api/outbox/${messageId}`);
    expect(one.status).toBe(200);
    expect(one.body.message.links[0]).toContain('/reset-password?token=');
  });

  it('refuses a loopback request that a proxy forwarded, or that names another host (DNS rebinding)', async () => {
    const { messageId } = await pendingReset(server);
    const refused: Record<string, string>[] = [
      { 'x-forwarded-for': '203.0.113.7' },
      { forwarded: 'for=203.0.113.7' },
      { 'x-real-ip': '203.0.113.7' },
      { 'x-forwarded-host': 'ardoise.example' },
      { host: `rebound.example:${port}` },
      { host: `localhost.example:${port}` },
    ];
    for (const headers of refused) {
      const res = await realGet('127.0.0.1', port, `/api/outbox/${messageId}`, headers);
      expect(res.status, JSON.stringify(headers)).toBe(404);
      expect(res.body).toEqual(NOT_FOUND);
    }
  });

  it('answers a non-loopback client the same through the app as over a socket (inject)', async () => {
    const { messageId } = await pendingReset(server);
    for (const ip of ['203.0.113.7', '192.168.1.10', '::ffff:192.168.1.10', 'fd00::2']) {
      const client = new ApiClient(server.app, { ip });
      expect((await client.get(`/api/outbox/${messageId}`)).status, ip).toBe(404);
      expect((await client.get('/api/outbox')).status, ip).toBe(404);
    }
    for (const ip of ['127.0.0.1', '127.5.6.7', '::1', '::ffff:127.0.0.1']) {
      expect((await new ApiClient(server.app, { ip }).get(`/api/outbox/${messageId}`)).status, ip).toBe(200);
    }
  });
});

describe('the instance decides whether it is a local one', () => {
  async function servedOnLoopback(env: Record<string, string>): Promise<{ config: unknown; list: number; message: number }> {
    const server = await startTestServer({ LOG_LEVEL: 'silent', ...env });
    try {
      const { messageId } = await pendingReset(server);
      const local = new ApiClient(server.app, { ip: '127.0.0.1' });
      return {
        config: (await local.get('/api/config')).body,
        list: (await local.get('/api/outbox')).status,
        message: (await local.get(`/api/outbox/${messageId}`)).status,
      };
    } finally {
      await server.close();
    }
  }

  it('with a public address, refuses it even on loopback (a reverse proxy on the same host forwards from there)', async () => {
    expect(await servedOnLoopback({ PUBLIC_URL: 'https://ardoise.example' })).toEqual({ config: { smtpConfigured: false, outboxAvailable: false }, list: 404, message: 404 });
  });

  it('behind a declared proxy, or in production, refuses it on loopback', async () => {
    const refused = { config: { smtpConfigured: false, outboxAvailable: false }, list: 404, message: 404 };
    expect(await servedOnLoopback({ TRUST_PROXY: 'true' })).toEqual(refused);
    expect(await servedOnLoopback({ NODE_ENV: 'production' })).toEqual(refused);
  });

  it('with a localhost public address, serves it on loopback', async () => {
    const served = { config: { smtpConfigured: false, outboxAvailable: true }, list: 200, message: 200 };
    expect(await servedOnLoopback({ PUBLIC_URL: 'http://localhost:3000' })).toEqual(served);
    expect(await servedOnLoopback({ PUBLIC_URL: 'http://[::1]:3000' })).toEqual(served);
  });
});

describe('loopback addresses and hosts', () => {
  it('tells loopback addresses from others', () => {
    for (const address of ['127.0.0.1', '127.255.0.9', '::1', '::ffff:127.0.0.1', '::FFFF:127.0.0.2']) expect(isLoopbackAddress(address), address).toBe(true);
    for (const address of [undefined, '', '10.0.0.1', '192.0.2.2', '::ffff:10.0.0.1', 'fd00::2', '::', '0.0.0.0', 'localhost', '128.0.0.1']) expect(isLoopbackAddress(address), address).toBe(false);
  });

  it('tells loopback hosts from others', () => {
    for (const host of ['localhost', 'LOCALHOST:3000', '127.0.0.1', '127.0.0.1:8080', '[::1]', '[::1]:3000']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of [undefined, '', 'ardoise.example', 'localhost.example', 'evil@localhost', 'localhost/x', '127.0.0.1.nip.io', '::1', '[fd00::2]:3000', '192.0.2.2:3000']) expect(isLoopbackHost(host), host).toBe(false);
  });
});
