import { randomUUID } from 'node:crypto';
import type { Db } from '../db/pool';
import type { RequestMeta } from './audit';

export const SECURITY_EVENT_KINDS = [
  'signup',
  'signup_attempted',
  'login',
  'login_failed',
  'logout',
  'password_changed',
  'password_reset_requested',
  'password_reset',
  'session_revoked',
] as const;
export type SecurityEventKind = (typeof SECURITY_EVENT_KINDS)[number];

/** The per-user security log (append-only, like the audit trail). */
export async function recordSecurityEvent(t: Db, userId: string, kind: SecurityEventKind, meta: RequestMeta): Promise<void> {
  await t
    .insertInto('security_events')
    .values({ id: randomUUID(), user_id: userId, kind, ip: meta.ip, user_agent: meta.userAgent, request_id: meta.requestId })
    .execute();
}
