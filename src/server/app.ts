import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';
import fastifyStatic from '@fastify/static';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { installAuthGuard } from './platform/auth';
import type { AppContext } from './platform/context';
import { answerFrameworkError, installErrorHandler } from './platform/error-handler';
import { installRequestChecks } from './platform/request-checks';
import { CSRF_COOKIE } from './platform/sessions';
import { accountRoutes } from './accounts/routes';
import { meRoutes } from './accounts/me-routes';
import { dossierRoutes } from './dossiers/routes';
import { memberRoutes } from './members/routes';
import { profileRoutes } from './members/profile-routes';
import { auditRoutes } from './audit/routes';
import { customerRoutes } from './customers/routes';
import { productRoutes } from './products/routes';
import { platformRoutes } from './platform/routes';
import { documentRoutes } from './documents/routes';
import { numberingRoutes } from './documents/numbering-routes';
import { mailRoutes } from './mail/routes';
import { mailTemplateRoutes } from './mail/template-routes';
import { reminderRoutes } from './mail/reminder-routes';

z.config(z.locales.fr());

/**
 * Routes validate and serialise with their zod schemas. Given to Fastify as its compilers from
 * the start (rather than set once it is created), they spare it loading its JSON-schema ones
 * (ajv, fast-json-stringify: about 25 ms of start-up). Fastify's typings expect JSON-schema
 * compilers there, hence the cast.
 */
const ZOD_COMPILERS = { buildValidator: () => validatorCompiler, buildSerializer: () => serializerCompiler } as unknown as NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;

/** The Fastify application: the platform (security, errors, guard) and the feature plugins. */
export async function buildApp(ctx: AppContext): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: ctx.config.logLevel },
    // One line per request, written when it is answered (below), instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
    },
    trustProxy: ctx.config.trustProxy,
    routerOptions: { ignoreTrailingSlash: true },
    // Live streams (server-sent events) must not hold a shutdown.
    forceCloseConnections: true,
    schemaController: { compilersFactory: ZOD_COMPILERS },
    frameworkErrors: answerFrameworkError,
  });
  // The API speaks JSON (and raw images where a route says so): no text/plain bodies.
  app.removeContentTypeParser('text/plain');
  installErrorHandler(app);
  installAuthGuard(app, ctx);
  installRequestChecks(app);
  // Runs once the server no longer accepts connections: the e-mails of requests already answered are sent.
  app.addHook('onClose', () => ctx.tasks.idle());

  await app.register(cookie);
  const securityHeaders = helmetHeaders({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
      },
    },
    strictTransportSecurity: ctx.config.secureCookies,
  });
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(securityHeaders);
    done();
  });
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: CSRF_COOKIE,
    cookieOpts: { path: '/', sameSite: 'lax', httpOnly: true, secure: ctx.config.secureCookies, signed: false },
    getToken: (req) => req.headers['x-csrf-token'] as string | undefined,
  });
  // The CSRF check and `cache-control: no-store` are attached to each API route (platform/request-checks.ts).
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    done(null, payload);
  });
  app.addHook('onResponse', (request, reply, done) => {
    request.log.info({ method: request.method, url: request.url, statusCode: reply.statusCode, responseTime: Math.round(reply.elapsedTime * 10) / 10 }, 'request');
    done();
  });

  await app.register(async (api) => {
    await api.register(platformRoutes, { ctx });
    await api.register(accountRoutes, { ctx });
    await api.register(meRoutes, { ctx });
    await api.register(dossierRoutes, { ctx });
    await api.register(memberRoutes, { ctx });
    await api.register(profileRoutes, { ctx });
    await api.register(auditRoutes, { ctx });
    await api.register(customerRoutes, { ctx });
    await api.register(productRoutes, { ctx });
    await api.register(documentRoutes, { ctx });
    await api.register(numberingRoutes, { ctx });
    await api.register(mailRoutes, { ctx });
    await api.register(mailTemplateRoutes, { ctx });
    await api.register(reminderRoutes, { ctx });
  }, { prefix: '/api' });

  if (existsSync(path.join(ctx.config.webDir, 'index.html'))) {
    // Built assets have content-hashed names: cache them for good.
    await app.register(fastifyStatic, { root: ctx.config.webDir, wildcard: false, index: false, maxAge: '365d', immutable: true });
    app.get('/*', { config: { auth: 'public' } }, (request, reply) => {
      const pathname = request.url.split('?')[0]!;
      // The decoded path, as the router reads it: `/%61pi/…` is an API path too.
      if (/^api(\/|$)/.test((request.params as { '*': string })['*'])) return reply.callNotFound();
      // An asset built after start-up is served from disk; a missing one is a 404, never the page.
      if (pathname.startsWith('/assets/')) return reply.sendFile(pathname.slice(1));
      // The single-page app answers every other path.
      return reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });
    });
  }
  return app;
}

/**
 * The security headers helmet sets, computed once: none of them varies by request (the policy
 * uses no nonces), and building them anew for every request is measurable on fast reads.
 */
function helmetHeaders(options: Parameters<typeof helmet>[0]): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string) => void (headers[name.toLowerCase()] = value),
    removeHeader: () => undefined,
  };
  let failure: unknown;
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, (error?: unknown) => (failure = error));
  if (failure) throw failure instanceof Error ? failure : new Error(String(failure));
  return headers;
}
