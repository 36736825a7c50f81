import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema, RouteHandlerMethod } from 'fastify';
import { BUILTIN_PROFILES, isBuiltinProfileKey, normalizePermissions, type Permission } from '../../core/permissions';
import { BUILTIN_PROFILE_NAMES } from '../../core/profiles';
import type { Db } from '../db/pool';
import { isUuid } from '../db/tx';
import { eventTemplate, writeAudit, type AuditHead, type AuditInput, type EventTemplate, type RequestMeta } from './audit';
import type { AppContext } from './context';
import { forbidden, notFound, unauthenticated } from './errors';
import { requestLocale } from './error-handler';
import { readCacheKey } from './read-cache';
import { sessionToken, toSessionUser, type Caller, type SessionUser } from './sessions';
import { hashToken } from './tokens';

/**
 * Every API route declares who may call it; the app refuses to start with a route that does not.
 * A dossier route names the permission of what it does and, in `reads`, the read permissions of
 * the records it also reads or answers with (a payment's answer is its invoice; converting a quote
 * reads the quote and answers the new invoice): the caller needs them all.
 */
export type RouteAuth = 'public' | 'user' | { permission: Permission; reads?: readonly Permission[] };

/** Every permission a dossier route's caller needs. */
export function requiredPermissions(auth: { permission: Permission; reads?: readonly Permission[] }): Permission[] {
  return [auth.permission, ...(auth.reads ?? [])];
}

/**
 * `'dossier'`: the route's answer depends only on the dossier's data, the caller's profile and
 * language, and the URL — it may be served from the read cache while the dossier's revision has
 * not moved (platform/read-cache.ts). Only for GET routes without a response schema.
 */
export type RouteCache = 'dossier';

export interface DossierContext {
  id: string;
  /** The request's transaction, scoped to this dossier by row-level security. */
  t: Db;
  user: SessionUser;
  profileId: string;
  profileName: string;
  permissions: Permission[];
  /**
   * Records an audit event in the request's transaction, with this member as the actor.
   * `commit`: as the transaction's last statement, committing it (the answer is built from what
   * was read or written before). `head`: the chain head this transaction already locked
   * (`lockAuditHead`), which spares locking it again.
   */
  audit(input: AuditInput, opts?: { commit?: boolean; head?: AuditHead }): Promise<void>;
  /** An event whose label holds a number given under the dossier's write lock, prepared before taking it (see `EventTemplate`). */
  eventTemplate(input: (number: string) => AuditInput): EventTemplate;
  /** Work to do once the transaction has committed, before answering (e.g. rendering a frozen PDF). */
  afterCommit(task: () => Promise<void>): void;
  /** The answer changes at this time without any write (e.g. an invitation expires): a cached copy is not served past it. */
  changesAt(at: Date): void;
}

export interface RegisteredRoute {
  method: string;
  url: string;
  auth: RouteAuth;
  cache?: RouteCache;
  /** What the route validates (zod schemas of its params, querystring and body), for tests that go over every route. */
  schema?: FastifySchema;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RouteAuth;
    cache?: RouteCache;
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

/** The user of the request's session, or null for a visitor: for a public route whose answer says who is logged in. */
export async function sessionUser(ctx: AppContext, request: FastifyRequest): Promise<SessionUser | null> {
  const token = sessionToken(request);
  const caller = token ? await ctx.callers.find(token, null) : undefined;
  return caller ? toSessionUser(caller) : null;
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
  app.addHook('onRequest', (request, _reply, done) => {
    request.meta = requestMeta(request);
    done();
  });

  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api')) return;
    const auth = route.config?.auth;
    if (!auth) throw new Error(`Route ${methods(route.method).join(',')} ${route.url} declares no authorization rule (config.auth)`);
    for (const method of methods(route.method)) if (method !== 'HEAD') app.registeredRoutes.push({ method, url: route.url, auth, cache: route.config?.cache, schema: route.schema });
    if (route.config?.cache && (auth === 'public' || auth === 'user' || methods(route.method).some((m) => m !== 'GET' && m !== 'HEAD') || route.schema?.response)) {
      throw new Error(`Route ${route.url}: only GET dossier routes without a response schema may be cached`);
    }
    if (auth === 'user') {
      const guard = async (request: FastifyRequest) => {
        const user = await sessionUser(ctx, request);
        if (!user) throw unauthenticated();
        request.user = user;
      };
      route.preHandler = [guard, ...(route.preHandler ? [route.preHandler].flat() : [])];
    } else if (auth !== 'public') {
      const handler = route.handler as RouteHandlerMethod;
      const required = requiredPermissions(auth);
      route.handler = route.config?.cache ? cachedInDossier(ctx, required, handler) : inDossier(ctx, required, handler);
    }
  });
}

/** The caller as a member of the dossier with the permissions, or the refusal: 401, 404 for non-members (the dossier's existence is not revealed), 403. */
function admit(caller: Caller | undefined, required: readonly Permission[]): ResolvedProfile {
  if (!caller) throw unauthenticated();
  if (!caller.is_member) throw notFound();
  const resolved = resolveProfile(caller, caller.locale);
  if (!required.every((p) => resolved.permissions.includes(p))) throw forbidden();
  return resolved;
}

function dossierIdOf(request: FastifyRequest): string {
  const dossierId = (request.params as { dossierId?: string }).dossierId;
  if (!dossierId || !isUuid(dossierId)) throw notFound();
  return dossierId;
}

/** What a cached read learns while its handler runs. */
interface AnswerExpiry {
  expiresAt: number | null;
}

/**
 * Runs a dossier route's handler inside the dossier's transaction. The caller is checked in that
 * same transaction, unless `known` was already checked for this request (cached reads).
 */
function inDossier(ctx: AppContext, required: readonly Permission[], handler: RouteHandlerMethod, known?: Caller, expiry?: AnswerExpiry): RouteHandlerMethod {
  return async function (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
    const token = sessionToken(request);
    if (!token) throw unauthenticated();
    const dossierId = dossierIdOf(request);
    const afterCommit: (() => Promise<void>)[] = [];
    const answer = await ctx.tx({ dossierId, sessionTokenHash: known ? null : hashToken(token).toString('hex') }, async (t, found) => {
      const caller = known ?? found;
      const resolved = admit(caller, required);
      const user = toSessionUser(caller!);
      // The trail names the profile in the dossier's language of record, whatever the reader's UI language.
      const actor = { userId: user.id, name: user.name, profile: resolveProfile(caller!).profileName };
      request.user = user;
      request.dossier = {
        id: dossierId,
        t,
        user,
        ...resolved,
        audit: (input, opts) => writeAudit(t, dossierId, actor, request.meta, input, opts),
        eventTemplate: (input) => eventTemplate(dossierId, actor, request.meta, input),
        afterCommit: (task) => afterCommit.push(task),
        changesAt: (at) => {
          if (expiry) expiry.expiresAt = Math.min(expiry.expiresAt ?? Infinity, at.getTime());
        },
      };
      const result = await handler.call(this, request, reply);
      if (reply.sent) throw new Error(`${request.method} ${request.url} sent its answer before its transaction committed`);
      return result;
    });
    for (const task of afterCommit) {
      // The change is committed: a failure here must not turn it into an error for the user.
      await task().catch((error: unknown) => request.log.error({ err: error }, 'after-commit task failed'));
    }
    return answer instanceof AnsweredAfterTransaction ? answer.finish() : answer;
  };
}

/**
 * What a dossier route's handler returns when its answer is made once its transaction has ended
 * and its connection is back in the pool: waiting for background work (a frozen PDF being made)
 * must not hold a connection that this work may need. The caller was checked in the transaction.
 */
export class AnsweredAfterTransaction {
  constructor(readonly finish: () => Promise<unknown>) {}
}

/**
 * A cacheable dossier read: one statement checks the caller and reads the dossier's revision;
 * while the revision has not moved, the stored answer is sent (304 when the browser has it),
 * otherwise the handler runs in the dossier's transaction and its answer is stored.
 */
function cachedInDossier(ctx: AppContext, required: readonly Permission[], handler: RouteHandlerMethod): RouteHandlerMethod {
  return async function (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
    const token = sessionToken(request);
    if (!token) throw unauthenticated();
    const dossierId = dossierIdOf(request);
    const caller = await ctx.callers.find(token, dossierId);
    const resolved = admit(caller, required);
    const revision = caller!.revision!;
    const key = readCacheKey({ dossierId, profileId: resolved.profileId, locales: `${caller!.locale}/${requestLocale(request)}`, url: request.url });
    let answer = ctx.readCache.get(key, revision);
    if (!answer) {
      const expiry: AnswerExpiry = { expiresAt: null };
      const result: unknown = await inDossier(ctx, required, handler, caller, expiry).call(this, request, reply);
      answer = ctx.readCache.put(key, revision, JSON.stringify(result), expiry.expiresAt);
    }
    // Browsers keep the answer and ask again with If-None-Match: unchanged answers cost no body.
    reply.header('cache-control', 'private, no-cache').header('etag', answer.etag);
    if (request.headers['if-none-match'] === answer.etag) return reply.code(304).send();
    return reply.type('application/json; charset=utf-8').send(answer.body);
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
