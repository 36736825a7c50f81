import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { z } from 'zod';
import { dossierConsistencyErrors, dossierSettingsUpdateSchema, LOGO_MAX_BYTES, LOGO_TYPES } from '../../core/dossier';
import { rateKey } from '../../core/totals';
import { text } from '../../core/text';
import { currentDossier, currentUser } from '../platform/auth';
import { diff } from '../platform/audit';
import type { AppContext } from '../platform/context';
import { AppError, invalid, notFound } from '../platform/errors';
import { inspectImage } from '../platform/images';
import type { Db } from '../db/pool';
import { createDossier } from './service';
import { presentDossier, type DossierJson } from './presenter';

const createBody = z.object({ legalName: text().min(1, 'La raison sociale est obligatoire.').max(200) }).strict();

/**
 * Lets go of a logo the dossier no longer shows: its file is removed unless an issued document
 * still shows it (`seller_logo_file_id`: an issued document keeps the logo it was issued with).
 */
async function releaseLogo(ctx: AppContext, t: Db, dossierId: string, fileId: string): Promise<void> {
  const shown = await t.selectFrom('documents').select('id').where('dossier_id', '=', dossierId).where('seller_logo_file_id', '=', fileId).limit(1).executeTakeFirst();
  if (!shown) await ctx.files.remove(t, dossierId, fileId);
}

async function lockDossier(t: Db, id: string) {
  return t.selectFrom('dossiers').selectAll().where('id', '=', id).forUpdate().executeTakeFirstOrThrow();
}

/** Settings fields as the API names them, from the presented dossier (for before → after changes). */
function settingsView(d: DossierJson): Record<string, unknown> {
  const { id: _id, logoUrl: _logo, plan: _plan, extraSeats: _seats, createdAt: _created, ...settings } = d;
  return settings;
}

export const dossierRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (app, { ctx }) => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.addContentTypeParser([...LOGO_TYPES], { parseAs: 'buffer', bodyLimit: LOGO_MAX_BYTES }, (_request, body, done) => done(null, body));

  r.post('/dossiers', { config: { auth: 'user' }, schema: { body: createBody } }, async (request, reply) => {
    const user = currentUser(request);
    const dossierId = randomUUID();
    const dossier = await ctx.tx({ dossierId, userId: user.id }, async (t) => {
      await createDossier(t, { dossierId, legalName: request.body.legalName, plan: ctx.config.defaultPlan, owner: user }, request.meta);
      return t.selectFrom('dossiers').selectAll().where('id', '=', dossierId).executeTakeFirstOrThrow();
    });
    return reply.status(201).send({ dossier: presentDossier(dossier) });
  });

  r.get('/d/:dossierId', { config: { auth: { permission: 'dossier.read' }, cache: 'dossier' } }, async (request) => {
    const d = currentDossier(request);
    const row = await d.t.selectFrom('dossiers').selectAll().where('id', '=', d.id).executeTakeFirstOrThrow();
    return { dossier: presentDossier(row), membership: { profileId: d.profileId, profileName: d.profileName, permissions: d.permissions } };
  });

  r.patch('/d/:dossierId/settings', { config: { auth: { permission: 'settings.manage' } }, schema: { body: dossierSettingsUpdateSchema } }, async (request) => {
    const d = currentDossier(request);
    const input = request.body;
    const current = await lockDossier(d.t, d.id);
    const before = presentDossier(current);
    const merged = { ...before, ...input };
    const errors = dossierConsistencyErrors({
      siren: merged.siren,
      siret: merged.siret,
      vatNumber: merged.vatNumber,
      vatRegime: merged.vatRegime,
      vatOnDebits: merged.vatOnDebits,
    });
    if (Object.keys(errors).length > 0) throw invalid(errors);
    const changes = diff(settingsView(before), input as Record<string, unknown>);
    if (Object.keys(changes).length === 0) return { dossier: before };
    const row = await d.t
      .updateTable('dossiers')
      .set({
        legal_name: merged.legalName,
        legal_form: merged.legalForm,
        siren: merged.siren,
        siret: merged.siret,
        vat_number: merged.vatNumber,
        address: merged.address ? JSON.stringify(merged.address) : null,
        share_capital_cents: merged.shareCapitalCents,
        rcs_city: merged.rcsCity,
        vat_regime: merged.vatRegime,
        vat_on_debits: merged.vatOnDebits,
        email: merged.email,
        phone: merged.phone,
        iban: merged.iban,
        bic: merged.bic,
        vat_rates: [...new Set(merged.vatRates.map(rateKey))],
        late_penalty_rate: merged.latePenaltyRate,
        default_payment_days: merged.defaultPaymentDays,
        updated_at: sql<Date>`now()`,
      })
      .where('id', '=', d.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await d.audit({
      action: 'dossier.settings_updated',
      entityType: 'dossier',
      entityId: d.id,
      entityLabel: row.legal_name,
      summary: `Modification des paramètres du dossier (${Object.keys(changes).join(', ')})`,
      changes,
    });
    return { dossier: presentDossier(row) };
  });

  r.put('/d/:dossierId/logo', { config: { auth: { permission: 'settings.manage' } }, bodyLimit: LOGO_MAX_BYTES }, async (request) => {
    const d = currentDossier(request);
    const body = request.body;
    if (!Buffer.isBuffer(body)) throw new AppError(415, 'unsupported_media_type');
    const image = inspectImage(body);
    if (!image || image.type !== request.headers['content-type']?.split(';')[0]?.trim()) throw new AppError(400, 'invalid_image');
    const current = await lockDossier(d.t, d.id);
    const file = await ctx.files.put(d.t, d.id, { contentType: image.type, content: body });
    const row = await d.t.updateTable('dossiers').set({ logo_file_id: file.id, updated_at: sql<Date>`now()` }).where('id', '=', d.id).returningAll().executeTakeFirstOrThrow();
    if (current.logo_file_id) await releaseLogo(ctx, d.t, d.id, current.logo_file_id);
    await d.audit({
      action: 'dossier.logo_changed',
      entityType: 'dossier',
      entityId: d.id,
      entityLabel: row.legal_name,
      summary: `Nouveau logo (${image.type}, ${image.width} × ${image.height} px, ${body.length} octets)`,
      changes: { logoSha256: { before: null, after: file.sha256 } },
    });
    return { dossier: presentDossier(row) };
  });

  r.delete('/d/:dossierId/logo', { config: { auth: { permission: 'settings.manage' } } }, async (request) => {
    const d = currentDossier(request);
    const current = await lockDossier(d.t, d.id);
    if (!current.logo_file_id) return { dossier: presentDossier(current) };
    const row = await d.t.updateTable('dossiers').set({ logo_file_id: null, updated_at: sql<Date>`now()` }).where('id', '=', d.id).returningAll().executeTakeFirstOrThrow();
    await releaseLogo(ctx, d.t, d.id, current.logo_file_id);
    await d.audit({ action: 'dossier.logo_removed', entityType: 'dossier', entityId: d.id, entityLabel: row.legal_name, summary: 'Suppression du logo' });
    return { dossier: presentDossier(row) };
  });

  r.get('/d/:dossierId/logo', { config: { auth: { permission: 'dossier.read' } } }, async (request, reply) => {
    const d = currentDossier(request);
    const row = await d.t.selectFrom('dossiers').select('logo_file_id').where('id', '=', d.id).executeTakeFirstOrThrow();
    const file = row.logo_file_id ? await ctx.files.get(d.t, d.id, row.logo_file_id) : null;
    if (!file) throw notFound();
    reply.header('cache-control', 'private, max-age=31536000, immutable').type(file.contentType);
    return file.content;
  });
};
