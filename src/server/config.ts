import path from 'node:path';
import { PLAN_KEYS, type PlanKey } from '../core/plans';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** AUDIT_ANCHOR_KEY: the key that signs the audit checkpoints; without it, DATA_DIR/audit-anchor.key (platform/audit-anchors.ts). */
  auditAnchorKey: string | null;
  /** AUDIT_ANCHOR_PUBLIC_KEY: its public half, for a verifier that must not sign. */
  auditAnchorPublicKey: string | null;
  /** External PostgreSQL; when absent, an embedded PostgreSQL 15 runs under `dataDir/pg`. */
  databaseUrl: string | null;
  embeddedPgPort: number;
  /** The role every application query runs as (neither superuser nor table owner). */
  appRole: string;
  smtpUrl: string | null;
  mailFrom: string;
  /**
   * Documents sent by e-mail (mail/queue.ts): retry timing, the lease of a delivery in progress, the queue's polling;
   * `ratePerHour` (MAIL_RATE_PER_HOUR): messages a dossier may store in any rolling hour, for the sender's reputation.
   */
  mail: { retryBaseSeconds: number; retryForHours: number; leaseSeconds: number; pollSeconds: number; worker: boolean; ratePerHour: number };
  /** Public address of the app, used in e-mailed links. */
  publicUrl: string;
  sessionTtlDays: number;
  secureCookies: boolean;
  /** Behind a reverse proxy: the client's address is read from `X-Forwarded-For`. */
  trustProxy: boolean;
  production: boolean;
  logLevel: string;
  poolSize: number;
  /** Queries prepared once per connection (db/pool.ts); off behind a proxy that cannot keep them. */
  preparedStatements: boolean;
  /** Memory for cached dossier reads (platform/read-cache.ts), in MiB; 0 turns the cache off. */
  readCacheMb: number;
  webDir: string;
  /** The plan of a newly created dossier (the operator changes it with `npm run admin`). */
  defaultPlan: PlanKey;
  /** Failed logins allowed per e-mail, and per IP, within 15 minutes. */
  loginLimits: { perAccount: number; perIp: number };
}

function int(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`Invalid integer in environment: ${value}`);
  return n;
}

function plan(value: string | undefined): PlanKey {
  if (!value) return 'solo';
  if (!(PLAN_KEYS as readonly string[]).includes(value)) throw new Error(`Invalid DEFAULT_PLAN: ${value} (expected ${PLAN_KEYS.join(', ')})`);
  return value as PlanKey;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = int(env.PORT, 3000);
  const production = env.NODE_ENV === 'production';
  const publicUrl = (env.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/$/, '');
  return {
    port,
    host: env.HOST ?? '0.0.0.0',
    dataDir: path.resolve(env.DATA_DIR ?? 'data'),
    auditAnchorKey: env.AUDIT_ANCHOR_KEY || null,
    auditAnchorPublicKey: env.AUDIT_ANCHOR_PUBLIC_KEY || null,
    databaseUrl: env.DATABASE_URL || null,
    embeddedPgPort: int(env.EMBEDDED_PG_PORT, 54329),
    appRole: env.DB_APP_ROLE ?? 'ardoise_app',
    smtpUrl: env.SMTP_URL || null,
    mailFrom: env.MAIL_FROM ?? 'Ardoise <no-reply@localhost>',
    mail: {
      retryBaseSeconds: Math.max(1, int(env.MAIL_RETRY_BASE_SECONDS, 60)),
      retryForHours: int(env.MAIL_RETRY_FOR_HOURS, 24),
      leaseSeconds: Math.max(1, int(env.MAIL_SEND_LEASE_SECONDS, 300)),
      pollSeconds: Math.max(1, int(env.MAIL_QUEUE_POLL_SECONDS, 2)),
      worker: env.MAIL_WORKER !== 'false',
      ratePerHour: Math.max(1, int(env.MAIL_RATE_PER_HOUR, 500)),
    },
    publicUrl,
    sessionTtlDays: int(env.SESSION_TTL_DAYS, 30),
    secureCookies: env.SECURE_COOKIES ? env.SECURE_COOKIES === 'true' : publicUrl.startsWith('https://'),
    trustProxy: env.TRUST_PROXY === 'true',
    production,
    logLevel: env.LOG_LEVEL ?? (env.NODE_ENV === 'test' ? 'silent' : 'info'),
    poolSize: int(env.DB_POOL_SIZE, 20),
    preparedStatements: env.DB_PREPARED_STATEMENTS !== 'false',
    readCacheMb: int(env.READ_CACHE_MB, 32),
    webDir: path.resolve(env.WEB_DIR ?? 'dist/web'),
    defaultPlan: plan(env.DEFAULT_PLAN),
    loginLimits: { perAccount: int(env.LOGIN_MAX_FAILURES_PER_ACCOUNT, 5), perIp: int(env.LOGIN_MAX_FAILURES_PER_IP, 20) },
  };
}
