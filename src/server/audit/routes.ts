import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { text } from '../../core/text';
import { currentDossier } from '../platform/auth';
import type { AppContext } from '../platform/context';
import { verifyDossier } from './verify';

const listQuery = z
  .object({
    page: z.coerce.number().int().min(1).max(100_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(200).default(50),
    action: text().max(64).optional(),
    entityType: text().max(64).optional(),
  })
  .strict();

/** The dossier's table of user actions, and the integrity check of its chain. */
export const auditRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (app, { ctx }) => {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const read = { auth: { permission: 'audit.read' as const } };

  r.get('/d/:dossierId/audit', { config: read, schema: { querystring: listQuery } }, async (request) => {
    const d = currentDossier(request);
    const { page, pageSize, action, entityType } = request.query;
    let query = d.t.selectFrom('audit_events').where('dossier_id', '=', d.id);
    if (action) query = query.where('action', '=', action);
    if (entityType) query = query.where('entity_type', '=', entityType);
    const [rows, total] = await Promise.all([
      query.selectAll().orderBy('seq', 'desc').limit(pageSize).offset((page - 1) * pageSize).execute(),
      query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return {
      total: Number(total.n),
      events: rows.map((e) => ({
        seq: Number(e.seq),
        occurredAt: e.occurred_at,
        actorName: e.actor_name,
        actorProfile: e.actor_profile,
        action: e.action,
        entityType: e.entity_type,
        entityId: e.entity_id,
        entityLabel: e.entity_label,
        summary: e.summary,
        changes: e.changes,
        ip: e.ip,
        userAgent: e.user_agent,
        requestId: e.request_id,
      })),
    };
  });

  r.get('/d/:dossierId/audit/verify', { config: read }, async (request) => {
    const d = currentDossier(request);
    // Each verification first anchors the head it is about to check (this transaction wrote nothing).
    await ctx.anchors.checkpoint(d.t, d.id).catch((error: unknown) => request.log.error({ err: error }, 'audit checkpoint failed'));
    return verifyDossier(d.t, d.id, ctx.anchors);
  });
};
