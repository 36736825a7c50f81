import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { reminderPlanSchema, reminderRequestSchema } from '../../core/reminders';
import { text } from '../../core/text';
import { currentDossier } from '../platform/auth';
import type { AppContext } from '../platform/context';
import { presentMessage } from './outbox';
import { loadPlan, nextReminder, requestReminder, updatePlan } from './reminders';

const dossierParams = z.object({ dossierId: text() });
const docParams = dossierParams.extend({ documentId: z.uuid() });

/** The dossier's reminder plan (Paramètres › Relances) and « Relancer » on an overdue invoice. */
export const reminderRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (app, { ctx }) => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/d/:dossierId/reminder-plan', { config: { auth: { permission: 'dossier.read' } }, schema: { params: dossierParams } }, async (request) => {
    const d = currentDossier(request);
    return { plan: await loadPlan(d.t, d.id) };
  });

  r.put('/d/:dossierId/reminder-plan', { config: { auth: { permission: 'settings.manage' } }, schema: { params: dossierParams, body: reminderPlanSchema } }, async (request) => {
    const d = currentDossier(request);
    return { plan: await updatePlan(d, request.body) };
  });

  r.get(
    '/d/:dossierId/invoices/:documentId/reminders/next',
    { config: { auth: { permission: 'invoices.send', reads: ['invoices.read'] } }, schema: { params: docParams } },
    async (request) => ({ reminder: await nextReminder(currentDossier(request), request.params.documentId) }),
  );

  r.post(
    '/d/:dossierId/invoices/:documentId/reminders',
    { config: { auth: { permission: 'invoices.send', reads: ['invoices.read'] } }, schema: { params: docParams, body: reminderRequestSchema } },
    async (request, reply) => {
      const d = currentDossier(request);
      const { row, created } = await requestReminder(d, request.params.documentId, request.body, ctx.config.mail.ratePerHour);
      if (created) d.afterCommit(() => ctx.mail.enqueue(d.id, row.id));
      reply.status(202);
      return { message: presentMessage(row) };
    },
  );
};
