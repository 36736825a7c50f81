import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../platform/context';
import { clearSessionCookie, sessionToken, setSessionCookie } from '../platform/sessions';
import { requestLocale } from '../platform/error-handler';
import { confirmPasswordReset, logIn, logOut, requestPasswordReset } from './service';
import { confirmSignUp, requestSignUp } from './signup';
import { loginBody, resetConfirmBody, resetRequestBody, signupBody, signupConfirmBody } from './schema';

/**
 * Sign-up, login, logout and password reset: the routes reachable without a session.
 *
 * Sign-up and reset requests answer `202` with no body whatever the address: whether it has an
 * account is looked up after the answer, in a background task (`ctx.tasks`) that sends the e-mail.
 */
export const accountRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (app, { ctx }) => {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const secure = ctx.config.secureCookies;

  r.post('/auth/signup', { config: { auth: 'public' }, schema: { body: signupBody } }, async (request, reply) => {
    await requestSignUp(ctx, request.body, request.meta, requestLocale(request));
    return reply.status(202).send();
  });

  r.post('/auth/signup/confirm', { config: { auth: 'public' }, schema: { body: signupConfirmBody } }, async (request, reply) => {
    const { user, dossierId, session } = await confirmSignUp(ctx, request.body, request.meta);
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
    const { email } = request.body;
    const meta = request.meta;
    ctx.tasks.run('password-reset', () => requestPasswordReset(ctx, email, meta));
    return reply.status(202).send();
  });

  r.post('/auth/password-reset/confirm', { config: { auth: 'public' }, schema: { body: resetConfirmBody } }, async (request, reply) => {
    await confirmPasswordReset(ctx, request.body, request.meta);
    clearSessionCookie(reply);
    return reply.status(204).send();
  });
};
