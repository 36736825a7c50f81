import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../platform/context';
import { clearSessionCookie, sessionToken, setSessionCookie } from '../platform/sessions';
import { confirmPasswordReset, logIn, logOut, requestPasswordReset, signUp } from './service';
import { loginBody, resetConfirmBody, resetRequestBody, signupBody } from './schema';

/** Sign-up, login, logout and password reset: the routes reachable without a session. */
export const accountRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (app, { ctx }) => {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const secure = ctx.config.secureCookies;

  r.post('/auth/signup', { config: { auth: 'public' }, schema: { body: signupBody } }, async (request, reply) => {
    const { user, dossierId, session } = await signUp(ctx, request.body, request.meta);
    setSessionCookie(reply, session.token, session.expiresAt, secure);
    return reply.status(201).send({ user, dossierId });
  });

  r.post('/auth/login', { config: { auth: 'public' }, schema: { body: loginBody } }, async (request, reply) => {
    const { user, session } = await logIn(ctx, request.body, request.meta, ctx.config.loginLimits);
    setSessionCookie(reply, session.token, session.expiresAt, secure);
    return { user };
  });

  r.post('/auth/logout', { config: { auth: 'public' } }, async (request, reply) => {
    const token = sessionToken(request);
    if (token) await logOut(ctx, token, request.meta);
    clearSessionCookie(reply);
    return reply.status(204).send();
  });

  r.post('/auth/password-reset', { config: { auth: 'public' }, schema: { body: resetRequestBody } }, async (request, reply) => {
    await requestPasswordReset(ctx, request.body.email, request.meta).catch((error: unknown) => {
      // Never tell the caller whether the address exists, not even through a mail failure.
      request.log.error({ err: error }, 'password reset e-mail failed');
    });
    return reply.status(202).send();
  });

  r.post('/auth/password-reset/confirm', { config: { auth: 'public' }, schema: { body: resetConfirmBody } }, async (request, reply) => {
    await confirmPasswordReset(ctx, request.body, request.meta);
    clearSessionCookie(reply);
    return reply.status(204).send();
  });
};
