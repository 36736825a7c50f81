import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { AnsweredAfterTransaction, currentDossier } from '../platform/auth';
import type { AppContext } from '../platform/context';
import { requestLocale } from '../platform/error-handler';
import { attachmentHeader, exportJournal } from './export';
import { journalActors, journalExportQuery, journalFilters, journalPage, journalPageQuery, journalSummary, type JournalRow } from './journal';
import { verifyDossier } from './verify';

/** The dossier's table of user actions, and the integrity check of its chain. */
export const auditRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (app, { ctx }) => {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const read = { auth: { permission: 'audit.read' as const } };

  r.get('/d/:dossierId/audit', { config: read, schema: { querystring: journalPageQuery } }, async (request) => {
    const d = currentDossier(request);
    const page = await journalPage(d.t, d.id, request.query);
    return { events: page.events.map(presentRow), nextCursor: page.nextCursor };
  });

  r.get('/d/:dossierId/audit/summary', { config: read, schema: { querystring: journalFilters } }, async (request) => {
    const d = currentDossier(request);
    return journalSummary(d.t, d.id, request.query);
  });

  r.get('/d/:dossierId/audit/actors', { config: read }, async (request) => {
    const d = currentDossier(request);
    return { actors: await journalActors(d.t, d.id) };
  });

  r.get('/d/:dossierId/audit/verify', { config: read }, async (request) => {
    const d = currentDossier(request);
    // Each verification first anchors the head it is about to check (this transaction wrote nothing).
    await ctx.anchors.checkpoint(d.t, d.id).catch((error: unknown) => request.log.error({ err: error }, 'audit checkpoint failed'));
    return verifyDossier(d.t, d.id, ctx.anchors);
  });

  const exporting = { auth: { permission: 'audit.export' as const, reads: ['audit.read' as const] } };
  r.get('/d/:dossierId/audit/export', { config: exporting, schema: { querystring: journalExportQuery } }, async (request, reply) => {
    const d = currentDossier(request);
    const { format, ...filters } = request.query;
    // An export anchors the head it reads, before its own event (this transaction wrote nothing yet).
    await ctx.anchors.checkpoint(d.t, d.id).catch((error: unknown) => request.log.error({ err: error }, 'audit checkpoint failed'));
    const file = await exportJournal(d, filters, format, requestLocale(request));
    // Written, and its audit event committed: sent once the connection is back in the pool.
    return new AnsweredAfterTransaction(async () => {
      reply.type(file.contentType).header('content-disposition', attachmentHeader(file.fileName)).header('content-length', file.size);
      return file.open();
    });
  });
};

/** A row as the API answers it (the labels are the reader's: the web app has them in both languages). */
function presentRow(e: JournalRow & { references: Record<string, string> }) {
  return { ...e, occurredAt: e.occurredAt.toISOString() };
}
