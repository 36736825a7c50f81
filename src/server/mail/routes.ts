import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DocumentFamily, DocumentType } from '../../core/documents';
import { sendMessageSchema } from '../../core/outgoing-mail';
import type { Permission } from '../../core/permissions';
import { text } from '../../core/text';
import { currentDossier } from '../platform/auth';
import type { AppContext } from '../platform/context';
import { loadDocument } from '../documents/store';
import { dismissNotice, dossierMessagesQuery, listDossierMessages, listNotices } from './listing';
import { decide, listMessages, presentMessage, requestSend } from './outbox';

const FAMILIES: Record<DocumentFamily, { types: readonly DocumentType[]; read: Permission; send: Permission }> = {
  quotes: { types: ['quote'], read: 'quotes.read', send: 'quotes.send' },
  invoices: { types: ['invoice', 'deposit_invoice', 'credit_note', 'pro_forma'], read: 'invoices.read', send: 'invoices.send' },
};

const docParams = z.object({ dossierId: text(), documentId: z.uuid() });
const messageParams = docParams.extend({ messageId: z.uuid() });

/**
 * Sending a document by e-mail, its messages and their states, a person's decision on an uncertain
 * one; the dossier's messages across documents, and the notices of a sender's failed messages.
 */
export const mailRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (app, { ctx }) => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  for (const [family, spec] of Object.entries(FAMILIES) as [DocumentFamily, (typeof FAMILIES)[DocumentFamily]][]) {
    const base = `/d/:dossierId/${family}/:documentId`;
    const send = { auth: { permission: spec.send, reads: [spec.read] } };

    r.post(`${base}/send`, { config: send, schema: { params: docParams, body: sendMessageSchema } }, async (request, reply) => {
      const d = currentDossier(request);
      const { row, created } = await requestSend(d, spec.types, request.params.documentId, request.body, ctx.config.mail.ratePerHour);
      if (created) d.afterCommit(() => ctx.mail.enqueue(d.id, row.id));
      reply.status(202);
      return { message: presentMessage(row) };
    });

    r.get(`${base}/messages`, { config: { auth: { permission: spec.read } }, schema: { params: docParams } }, async (request) => {
      const d = currentDossier(request);
      await loadDocument(d.t, d.id, request.params.documentId, { types: spec.types });
      return { messages: (await listMessages(d.t, d.id, request.params.documentId)).map(presentMessage) };
    });

    for (const [path, decision] of [
      ['resend', 'resend'],
      ['mark-sent', 'mark_sent'],
    ] as const) {
      r.post(`${base}/messages/:messageId/${path}`, { config: send, schema: { params: messageParams } }, async (request) => {
        const d = currentDossier(request);
        const row = await decide(d, spec.types, request.params.documentId, request.params.messageId, decision);
        if (decision === 'resend') d.afterCommit(() => ctx.mail.enqueue(d.id, row.id));
        return { message: presentMessage(row) };
      });
    }
  }

  // Every member may ask: each sees the messages of the families they may read (none: an empty list).
  const member = { auth: { permission: 'dossier.read' as const } };
  const dossierParams = z.object({ dossierId: text() });

  r.get('/d/:dossierId/messages', { config: member, schema: { params: dossierParams, querystring: dossierMessagesQuery } }, async (request) =>
    listDossierMessages(currentDossier(request), request.query),
  );

  r.get('/d/:dossierId/messages/notices', { config: member, schema: { params: dossierParams } }, async (request) => ({ notices: await listNotices(currentDossier(request)) }));

  r.post('/d/:dossierId/messages/:messageId/dismiss', { config: member, schema: { params: dossierParams.extend({ messageId: z.uuid() }) } }, async (request) =>
    dismissNotice(currentDossier(request), request.params.messageId),
  );
};
