import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import { BUILTIN_PROFILES, isBuiltinProfileKey, normalizePermissions, type Permission } from '../../core/permissions';
import { BUILTIN_PROFILE_NAMES } from '../../core/profiles';
import type { Db } from '../db/pool';
import { isUuid } from '../db/tx';
import { writeAudit, type AuditInput, type RequestMeta } from './audit';
import type { AppContext } from './context';
import { forbidden, notFound, unauthenticated } from './errors';
import { sql } from 'kysely';
import { findSession, sessionToken, toSessionUser, touchSession, type SessionUser } from './sessions';
import { hashToken } from './tokens';

/** Every API route declares who may call it; the app refuses to start with a route that does not. */
export type RouteAuth = 'public' | 'user' | { permission: Permission };

export interface DossierContext {
  id: string;
  /** The request's transaction, scoped to this dossier by row-level security. */
  t: Db;
  user: SessionUser;
  profileId: string;
  profileName: string;
  permissions: Permission[];
  /** Records an audit event in the request's transaction, with this member as the actor. */
  audit(input: AuditInput): Promise<void>;
  /** Work to do once the transaction has committed, before answering (e.g. rendering a frozen PDF). */
  afterCommit(task: () => Promise<void>): void;
}

export interface RegisteredRoute {
  method: string;
  url: string;
  auth: RouteAuth;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RouteAuth;
  }
  interface FastifyRequest {
    user: SessionUser | null;
    dossier: DossierContext | null;
    meta: RequestMeta;
  }
  interface FastifyInstance {
    registeredRoutes: RegisteredRoute[];
  }
}

export function requestMeta(request: FastifyRequest): RequestMeta {
  return { ip: request.ip ?? null, userAgent: request.headers['user-agent']?.slice(0, 500) ?? null, requestId: String(request.id) };
}

/** The authenticated user of a `'user'` route (the guard has already refused anonymous calls). */
export function currentUser(request: FastifyRequest): SessionUser {
  if (!request.user) throw unauthenticated();
  return request.user;
}

/** The dossier of a permission route (the guard has already checked membership and permission). */
export function currentDossier(request: FastifyRequest): DossierContext {
  if (!request.dossier) throw new Error('currentDossier() called outside a dossier route');
  return request.dossier;
}

function methods(method: string | string[]): string[] {
  return Array.isArray(method) ? method : [method];
}

/**
 * Installs the guard: authentication of `'user'` routes, and for permission routes a wrapper that
 * runs the handler inside the dossier's transaction after checking session, membership and
 * permission in that same transaction. Non-members get 404 (the dossier's existence is not
 * revealed), members without the permission 403.
 *
 * A dossier route's handler must *return* its answer (setting `reply.status()` if needed), never
 * call `reply.send()`: the transaction commits after the handler returns, and the answer must
 * not reach the client before the change is committed.
 */
export function installAuthGuard(app: FastifyInstance, ctx: AppContext): void {
  app.decorate('registeredRoutes', [] as RegisteredRoute[]);
  app.decorateRequest('user', null);
  app.decorateRequest('dossier', null);
  app.decorateRequest('meta', null as unknown as RequestMeta);
  app.addHook('onRequest', async (request) => {
    request.meta = requestMeta(request);
  });

  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api')) return;
    const auth = route.config?.auth;
    if (!auth) throw new Error(`Route ${methods(route.method).join(',')} ${route.url} declares no authorization rule (config.auth)`);
    for (const method of methods(route.method)) if (method !== 'HEAD') app.registeredRoutes.push({ method, url: route.url, auth });
    if (auth === 'user') {
      const guard = async (request: FastifyRequest) => {
        const token = sessionToken(request);
        if (!token) throw unauthenticated();
        const row = await ctx.tx({}, async (t) => {
          const found = await findSession(t, token);
          if (found) await touchSession(t, found);
          return found;
        });
        if (!row) throw unauthenticated();
        request.user = toSessionUser(row);
      };
      route.preHandler = [guard, ...(route.preHandler ? [route.preHandler].flat() : [])];
    } else if (auth !== 'public') {
      route.handler = inDossier(ctx, auth.permission, route.handler as RouteHandlerMethod);
    }
  });
}

function inDossier(ctx: AppContext, permission: Permission, handler: RouteHandlerMethod): RouteHandlerMethod {
  return async function (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
    const token = sessionToken(request);
    if (!token) throw unauthenticated();
    const dossierId = (request.params as { dossierId?: string }).dossierId;
    if (!dossierId || !isUuid(dossierId)) throw notFound();
    const afterCommit: (() => Promise<void>)[] = [];
    const answer = await ctx.tx({ dossierId }, async (t) => {
      // Session, user, membership and profile in one round trip.
      const row = await t
        .selectFrom('sessions as s')
        .innerJoin('users as u', 'u.id', 's.user_id')
        .leftJoin('memberships as m', (j) => j.onRef('m.user_id', '=', 'u.id').on('m.dossier_id', '=', dossierId))
        .leftJoin('profiles as p', (j) => j.onRef('p.dossier_id', '=', 'm.dossier_id').onRef('p.id', '=', 'm.profile_id'))
        .select(['s.id as session_id', 's.last_seen_at', 'u.id as user_id', 'u.name', 'u.email', 'u.locale'])
        .select(['m.user_id as member_id', 'm.profile_key', 'm.profile_id', 'p.name as custom_name', 'p.permissions as custom_permissions'])
        .where('s.token_hash', '=', hashToken(token))
        .where('s.revoked_at', 'is', null)
        .where('s.expires_at', '>', sql<Date>`now()`)
        .executeTakeFirst();
      if (!row) throw unauthenticated();
      if (!row.member_id) throw notFound();
      const session = row;
      const member = row;
      const resolved = resolveProfile(member, session.locale);
      if (!resolved.permissions.includes(permission)) throw forbidden();
      await touchSession(t, session);
      const user = toSessionUser(session);
      // The trail names the profile in the dossier's language of record, whatever the reader's UI language.
      const auditProfile = resolveProfile(member).profileName;
      request.user = user;
      request.dossier = {
        id: dossierId,
        t,
        user,
        ...resolved,
        audit: (input) => writeAudit(t, dossierId, { userId: user.id, name: user.name, profile: auditProfile }, request.meta, input),
        afterCommit: (task) => afterCommit.push(task),
      };
      const result = await handler.call(this, request, reply);
      if (reply.sent) throw new Error(`${request.method} ${request.url} sent its answer before its transaction committed`);
      return result;
    });
    for (const task of afterCommit) {
      // The change is committed: a failure here must not turn it into an error for the user.
      await task().catch((error: unknown) => request.log.error({ err: error }, 'after-commit task failed'));
    }
    return answer;
  };
}

export interface ResolvedProfile {
  profileId: string;
  profileName: string;
  permissions: Permission[];
}

/** A membership's profile: a built-in one from the permissions table, or the dossier's custom profile. */
export function resolveProfile(
  m: { profile_key: string | null; profile_id: string | null; custom_name: string | null; custom_permissions: string[] | null },
  locale: 'fr' | 'en' = 'fr',
): ResolvedProfile {
  if (m.profile_key && isBuiltinProfileKey(m.profile_key)) {
    return { profileId: m.profile_key, profileName: BUILTIN_PROFILE_NAMES[m.profile_key][locale], permissions: [...BUILTIN_PROFILES[m.profile_key]] };
  }
  return { profileId: m.profile_id ?? '', profileName: m.custom_name ?? '', permissions: normalizePermissions(m.custom_permissions ?? []) };
}

/** A second check inside an operation that touches another family (e.g. a quote converted into an invoice). */
export function requirePermission(d: DossierContext, permission: Permission): void {
  if (!d.permissions.includes(permission)) throw forbidden();
}
