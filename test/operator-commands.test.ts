/**
 * The operator commands (`npm run admin`, `audit:verify`, `migrate`) never create a database:
 * pointed at a DATA_DIR or a DATABASE_URL with no Ardoise database, they say where they looked
 * and exit 1, leaving nothing behind. Each runs as npm runs it, in a process of its own.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { databaseUrl } from './helpers/database';

const TSX = path.resolve('node_modules/.bin/tsx');
const COMMANDS: Record<string, string[]> = {
  'admin -- dossiers': ['scripts/admin.ts', 'dossiers'],
  'audit:verify': ['scripts/audit-verify.ts'],
  migrate: ['scripts/migrate.ts'],
};

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  const base = { ...process.env };
  delete base.DATABASE_URL;
  delete base.DATA_DIR;
  return new Promise((resolve) => {
    execFile(TSX, args, { env: { ...base, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code) : 0, output: stdout + stderr });
    });
  });
}

async function query<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

describe('an operator command with no database where it looks', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ardoise-tool-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(Object.keys(COMMANDS))('npm run %s: an empty DATA_DIR is named, nothing is created, exit 1', async (name) => {
    const { code, output } = await run(COMMANDS[name]!, { DATA_DIR: dir });
    expect(output).toContain(`No Ardoise database in the embedded PostgreSQL of DATA_DIR=${dir}: ${path.join(dir, 'pg')} holds no PostgreSQL cluster.`);
    expect(code).toBe(1);
    expect(readdirSync(dir)).toEqual([]);
  }, 90_000);

  it('a DATA_DIR that does not exist is not created', async () => {
    const missing = path.join(dir, 'no-such-dir');
    const { code, output } = await run(COMMANDS['admin -- dossiers']!, { DATA_DIR: missing });
    expect(code).toBe(1);
    expect(output).toContain(`DATA_DIR=${missing}`);
    expect(existsSync(missing)).toBe(false);
  }, 90_000);
});

describe('an operator command on DATABASE_URL', () => {
  const adminUrl = inject('pgAdminUrl');
  const name = `ardoise_tool_${randomBytes(4).toString('hex')}`;
  const url = databaseUrl(adminUrl, name);
  /** The URL as the commands print it: password hidden. */
  const shown = (() => {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  })();
  const password = new URL(adminUrl).password;
  const exists = async () => (await query(adminUrl, 'SELECT 1 FROM pg_database WHERE datname = $1', [name])).length > 0;
  afterAll(async () => {
    await query(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  it('a database that does not exist: named without its password, not created, exit 1', async () => {
    const runs = await Promise.all([COMMANDS['admin -- dossiers']!, COMMANDS['audit:verify']!].map((args) => run(args, { DATABASE_URL: url })));
    for (const { code, output } of runs) {
      expect(output).toContain(`No database at DATABASE_URL=${shown}: it does not exist.`);
      if (password) expect(output).not.toContain(password);
      expect(code).toBe(1);
    }
    expect(await exists()).toBe(false);
  }, 120_000);

  it('an empty database: admin and audit:verify refuse and write nothing; migrate sets it up, then admin lists it', async () => {
    await query(adminUrl, `CREATE DATABASE ${name}`);
    const schema = async () => (await query<{ found: string | null }>(url, `SELECT to_regclass('public.schema_migrations')::text AS found`))[0]!.found;
    const runs = await Promise.all([COMMANDS['admin -- dossiers']!, COMMANDS['audit:verify']!].map((args) => run(args, { DATABASE_URL: url })));
    for (const { code, output } of runs) {
      expect(output).toContain(`No Ardoise database at DATABASE_URL=${shown}: the database exists but holds no Ardoise schema. npm run migrate sets it up.`);
      expect(code).toBe(1);
    }
    expect(await schema()).toBeNull();

    const migrated = await run(COMMANDS.migrate!, { DATABASE_URL: url });
    expect(migrated).toEqual({ code: 0, output: `Migrations applied (DATABASE_URL=${shown}).\n` });
    expect(await schema()).toBe('schema_migrations');

    const listed = await run(COMMANDS['admin -- dossiers']!, { DATABASE_URL: url });
    expect(listed).toEqual({ code: 0, output: `No dossier yet (DATABASE_URL=${shown}).\n` });
  }, 180_000);
});
