import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { text } from '../../core/text';
import type { AppContext } from './context';
import { notFound } from './errors';
import { localOutboxReader } from './local-outbox';

/** Health, public configuration, the CSRF token and the local outbox (for the person running a local instance only). */
export const platformRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (app, { ctx }) => {
  const mayReadOutbox = localOutboxReader(ctx.config, ctx.mailer.smtpConfigured);
  // Before anything else about the request is looked at: to anyone else, the routes do not exist.
  const outboxReaderOnly = async (request: FastifyRequest) => {
    if (!mayReadOutbox(request)) throw notFound();
  };

  app.get('/health', { config: { auth: 'public' } }, async () => {
    await ctx.tx({}, (t) => t.selectNoFrom((eb) => eb.lit(1).as('one')).execute());
    return { status: 'ok' };
  });

  app.get('/config', { config: { auth: 'public' } }, async (request) => ({ smtpConfigured: ctx.mailer.smtpConfigured, outboxAvailable: mayReadOutbox(request) }));

  app.get('/csrf', { config: { auth: 'public' } }, async (_request, reply) => ({ token: reply.generateCsrf() }));

  app.get('/outbox', { config: { auth: 'public' }, onRequest: outboxReaderOnly }, async () => {
    const messages = await ctx.mailer.listOutbox();
    return { messages: messages.map(({ id, to, subject, date }) => ({ id, to, subject, date })) };
  });

  app.get('/outbox/:id', { config: { auth: 'public' }, onRequest: outboxReaderOnly, schema: { params: z.object({ id: text().max(100) }) } }, async (request) => {
    const message = await ctx.mailer.readOutbox((request.params as { id: string }).id);
    if (!message) throw notFound();
    return { message };
  });

  app.get(
    '/outbox/:id/attachments/:index',
    { config: { auth: 'public' }, onRequest: outboxReaderOnly, schema: { params: z.object({ id: text().max(100), index: text().regex(/^\d{1,2}$/) }) } },
    async (request, reply) => {
      const { id, index } = request.params as { id: string; index: string };
      const attachment = await ctx.mailer.readOutboxAttachment(id, Number(index));
      if (!attachment) throw notFound();
      const ascii = attachment.filename.replace(/[^\w.-]/g, '_');
      reply.type(attachment.contentType).header('content-disposition', `inline; filename="${ascii}"`);
      return attachment.content;
    },
  );
};
