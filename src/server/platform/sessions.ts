import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/pool';
import type { RequestMeta } from './audit';
import { hashToken, newToken } from './tokens';

export const SESSION_COOKIE = 'ardoise_session';
/** Sessions record activity at most this often, so that reads do not all turn into writes. */
const TOUCH_INTERVAL_MS = 5 * 60_000;

export interface SessionUser {
  sessionId: string;
  id: string;
  name: string;
  email: string;
  locale: 'fr' | 'en';
}

export async function createSession(t: Db, userId: string, meta: RequestMeta, ttlDays: number): Promise<{ token: string; expiresAt: Date }> {
  const token = newToken();
  const expiresAt = new Date(Date.now() + ttlDays * 86_400_000);
  await t
    .insertInto('sessions')
    .values({ id: randomUUID(), user_id: userId, token_hash: hashToken(token), expires_at: expiresAt, ip: meta.ip, user_agent: meta.userAgent?.slice(0, 500) ?? null })
    .execute();
  return { token, expiresAt };
}

export function setSessionCookie(reply: FastifyReply, token: string, expiresAt: Date, secure: boolean): void {
  reply.setCookie(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'lax', secure, expires: expiresAt });
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
}

export function sessionToken(request: FastifyRequest): string | null {
  const token = request.cookies[SESSION_COOKIE];
  return token && token.length <= 100 ? token : null;
}

export interface SessionRow {
  session_id: string;
  last_seen_at: Date;
  user_id: string;
  name: string;
  email: string;
  locale: 'fr' | 'en';
}

/** The live session behind a token, with its user. Expired and revoked sessions are not found. */
export async function findSession(t: Db, token: string): Promise<SessionRow | undefined> {
  return t
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select(['s.id as session_id', 's.last_seen_at', 'u.id as user_id', 'u.name', 'u.email', 'u.locale'])
    .where('s.token_hash', '=', hashToken(token))
    .where('s.revoked_at', 'is', null)
    .where('s.expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
}

export async function touchSession(t: Db, row: { session_id: string; last_seen_at: Date }): Promise<void> {
  if (Date.now() - row.last_seen_at.getTime() < TOUCH_INTERVAL_MS) return;
  await t.updateTable('sessions').set({ last_seen_at: sql<Date>`now()` }).where('id', '=', row.session_id).execute();
}

export function toSessionUser(row: SessionRow): SessionUser {
  return { sessionId: row.session_id, id: row.user_id, name: row.name, email: row.email, locale: row.locale };
}
