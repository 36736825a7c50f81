import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/pool';
import type { RequestMeta } from './audit';
import { hashToken, newToken } from './tokens';

export const SESSION_COOKIE = 'ardoise_session';
/** The CSRF secret's cookie (@fastify/csrf-protection, app.ts). */
export const CSRF_COOKIE = 'ardoise_csrf';

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

/**
 * A new session, or none, comes with a new CSRF secret: a token obtained before (one planted by
 * someone else included) stops working, and the client fetches a new one from `GET /api/csrf`.
 */
function rotateCsrfSecret(reply: FastifyReply): void {
  reply.clearCookie(CSRF_COOKIE, { path: '/' });
}

export function setSessionCookie(reply: FastifyReply, token: string, expiresAt: Date, secure: boolean): void {
  reply.setCookie(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'lax', secure, expires: expiresAt });
  rotateCsrfSecret(reply);
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
  rotateCsrfSecret(reply);
}

export function sessionToken(request: FastifyRequest): string | null {
  const token = request.cookies[SESSION_COOKIE];
  return token && token.length <= 100 ? token : null;
}

export interface SessionRow {
  session_id: string;
  user_id: string;
  name: string;
  email: string;
  locale: 'fr' | 'en';
}

export type { Caller } from '../db/tx';

export function toSessionUser(row: SessionRow): SessionUser {
  return { sessionId: row.session_id, id: row.user_id, name: row.name, email: row.email, locale: row.locale };
}
