import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../src/server/db/embedded';
import { migrate } from '../src/server/db/migrate';
import { databaseUrl } from './helpers/database';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgTemplate: string;
  }
}


/**
 * One PostgreSQL server for the whole run: the embedded one (a fresh cluster in a temporary
 * directory) or the one named by DATABASE_URL. Migrations are applied once to a template
 * database; each test file clones it (see test/helpers/database.ts).
 */
export default async function setup(project: TestProject) {
  let adminUrl = process.env.DATABASE_URL;
  let stopEmbedded: (() => Promise<void>) | null = null;
  let dir: string | null = null;
  if (!adminUrl) {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ardoise-test-pg-'));
    await fs.chmod(dir, 0o755);
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const embedded = await startEmbeddedPostgres(dir, port);
    adminUrl = embedded.url;
    stopEmbedded = () => embedded.stop();
  }
  const template = `ardoise_tpl_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${template}`);
  await admin.query(`CREATE DATABASE ${template}`);
  await admin.end();
  await migrate(databaseUrl(adminUrl, template), process.env.DB_APP_ROLE ?? 'ardoise_app');
  // The job queue's schema (pg-boss creates it at its first start), made once in the template
  // rather than by every test server.
  const PgBoss = (await import('pg-boss')).default;
  const boss = new PgBoss({ connectionString: databaseUrl(adminUrl, template), max: 1, supervise: false, schedule: false });
  await boss.start();
  await boss.stop({ graceful: false, wait: true });
  project.provide('pgAdminUrl', adminUrl);
  project.provide('pgTemplate', template);

  return async () => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    const leftovers = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $2`, [template, `${template}_%`]);
    for (const { datname } of leftovers.rows) await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    await client.end();
    await stopEmbedded?.();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  };
}
