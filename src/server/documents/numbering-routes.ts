import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { parisDate } from '../../core/dates';
import { numberingSettingsSchema, renderNumber, SERIES } from '../../core/numbering';
import { text } from '../../core/text';
import { currentDossier } from '../platform/auth';
import { diff } from '../platform/audit';
import type { AppContext } from '../platform/context';
import { AppError } from '../platform/errors';
import { allSeriesSettings, seriesLocked, seriesSettings } from './numbering';

/** Numbering formats per series: visible to every member, changed by administrators, locked once used. */
export const numberingRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (app) => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/d/:dossierId/numbering', { config: { auth: { permission: 'dossier.read' } } }, async (request) => {
    const d = currentDossier(request);
    const series = await allSeriesSettings(d.t, d.id);
    const today = parisDate();
    const year = Number(today.slice(0, 4));
    const month = Number(today.slice(5, 7));
    return { series: series.map((s) => ({ ...s, example: renderNumber(s.format, { year, month, counter: s.firstNumber }) })) };
  });

  r.put(
    '/d/:dossierId/numbering/:series',
    { config: { auth: { permission: 'settings.manage' } }, schema: { params: z.object({ dossierId: text(), series: z.enum(SERIES) }), body: numberingSettingsSchema } },
    async (request) => {
      const d = currentDossier(request);
      const { series } = request.params;
      // Serialises format changes with issuing in this series.
      await d.t.selectFrom('dossiers').select('id').where('id', '=', d.id).forUpdate().execute();
      const before = await seriesSettings(d.t, d.id, series);
      const changes = diff({ format: before.format, yearlyReset: before.yearlyReset, firstNumber: before.firstNumber }, request.body);
      if (Object.keys(changes).length === 0) return { series: before };
      if (await seriesLocked(d.t, d.id, series, new Date().getFullYear())) throw new AppError(409, 'numbering_locked');
      await d.t
        .insertInto('numbering_series')
        .values({ dossier_id: d.id, series, format: request.body.format, yearly_reset: request.body.yearlyReset, first_number: request.body.firstNumber })
        .onConflict((oc) => oc.columns(['dossier_id', 'series']).doUpdateSet({ format: request.body.format, yearly_reset: request.body.yearlyReset, first_number: request.body.firstNumber }))
        .execute();
      await d.audit({ action: 'numbering.updated', entityType: 'numbering', entityId: series, entityLabel: series, summary: `Numérotation ${series} : ${request.body.format}`, changes });
      return { series: { series, ...request.body } };
    },
  );
};
