import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { AppContext } from './context';
import { notFound } from './errors';

/** Health, public configuration, the CSRF token and the local outbox (when no SMTP server is configured). */
export const platformRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (app, { ctx }) => {
  const outboxAvailable = !ctx.mailer.smtpConfigured && !ctx.config.production;

  app.get('/health', { config: { auth: 'public' } }, async () => {
    await ctx.tx({}, (t) => t.selectNoFrom((eb) => eb.lit(1).as('one')).execute());
    return { status: 'ok' };
  });

  app.get('/config', { config: { auth: 'public' } }, async () => ({ smtpConfigured: ctx.mailer.smtpConfigured, outboxAvailable }));

  app.get('/csrf', { config: { auth: 'public' } }, async (_request, reply) => ({ token: reply.generateCsrf() }));

  app.get('/outbox', { config: { auth: 'public' } }, async () => {
    if (!outboxAvailable) throw notFound();
    const messages = await ctx.mailer.listOutbox();
    return { messages: messages.map(({ id, to, subject, date }) => ({ id, to, subject, date })) };
  });

  app.get('/outbox/:id', { config: { auth: 'public' }, schema: { params: z.object({ id: z.string().max(100) }) } }, async (request) => {
    if (!outboxAvailable) throw notFound();
    const message = await ctx.mailer.readOutbox((request.params as { id: string }).id);
    if (!message) throw notFound();
    return { message };
  });
};
