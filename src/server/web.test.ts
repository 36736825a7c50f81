import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/helpers/server';

/** The server serves the built web app: the page for app paths, assets from disk, 404 for missing assets. */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

describe('web app serving', () => {
  it('answers app paths with the page, never cached', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/d/00000000-0000-0000-0000-000000000000/members' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.body).toContain('<div id="root">');
    expect(res.body).not.toMatch(/<script>(?!<\/script>)/);
  });

  it('answers an unknown API path with a JSON 404 that is not stored, however the path is spelled, never with the page', async () => {
    for (const url of ['/api/nothing', '/%61pi/nothing', '/a%70i/nothing', '/ap%69', '/%61pi']) {
      const res = await server.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type'], url).toContain('application/json');
      expect(res.headers['cache-control'], url).toBe('no-store');
    }
  });

  it('serves a built asset, cached for good, and 404 for an asset that does not exist', async () => {
    const assets = await fs.readdir(path.join(server.ctx.config.webDir, 'assets'));
    const js = assets.find((a) => a.endsWith('.js'))!;
    const found = await server.app.inject({ method: 'GET', url: `/assets/${js}` });
    expect(found.statusCode).toBe(200);
    expect(found.headers['cache-control']).toContain('immutable');
    const missing = await server.app.inject({ method: 'GET', url: '/assets/index-doesnotexist.js' });
    expect(missing.statusCode).toBe(404);
  });
});
