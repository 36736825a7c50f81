import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { mailTemplateSchema, templateKindSchema } from '../../core/mail-templates';
import { text } from '../../core/text';
import { currentDossier } from '../platform/auth';
import type { AppContext } from '../platform/context';
import { listTemplates, resetTemplate, saveTemplate } from './templates';

const kindParams = z.object({ dossierId: text(), kind: templateKindSchema });

/**
 * The dossier's e-mail templates: read by every member (the send dialog opens with them), edited
 * and reset to the default in Paramètres.
 */
export const mailTemplateRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (app) => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/d/:dossierId/mail-templates', { config: { auth: { permission: 'dossier.read' }, cache: 'dossier' } }, async (request) => {
    const d = currentDossier(request);
    return { templates: await listTemplates(d.t, d.id) };
  });

  r.put('/d/:dossierId/mail-templates/:kind', { config: { auth: { permission: 'settings.manage' } }, schema: { params: kindParams, body: mailTemplateSchema } }, async (request) => {
    const d = currentDossier(request);
    return { template: await saveTemplate(d, request.params.kind, request.body) };
  });

  r.delete('/d/:dossierId/mail-templates/:kind', { config: { auth: { permission: 'settings.manage' } }, schema: { params: kindParams } }, async (request) => {
    const d = currentDossier(request);
    return { template: await resetTemplate(d, request.params.kind) };
  });
};
