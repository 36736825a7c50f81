import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AVAILABLE_PERMISSIONS, BUILTIN_PROFILE_KEYS, BUILTIN_PROFILES, normalizePermissions, PERMISSIONS } from '../../core/permissions';
import { BUILTIN_PROFILE_NAMES } from '../../core/profiles';
import { text } from '../../core/text';
import { diff } from '../platform/audit';
import { currentDossier } from '../platform/auth';
import type { AppContext } from '../platform/context';
import { requestLocale } from '../platform/error-handler';
import { AppError, conflict, isUniqueViolation, notFound } from '../platform/errors';
import { assertWithinOwn } from './profiles';

const name = text().min(1, 'Le nom du profil est obligatoire.').max(60);
const permissions = z.array(z.enum(PERMISSIONS)).max(PERMISSIONS.length);
const params = z.object({ dossierId: text(), profileId: z.uuid() });

const nameTaken = () => new AppError(409, 'conflict', { fields: { name: 'Un profil porte déjà ce nom dans ce dossier.' } });

/** Custom profiles: named sets of permissions, beside the built-in ones; each member manages only those within their own permissions. */
export const profileRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (app) => {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const manage = { auth: { permission: 'members.manage' as const } };

  r.get('/d/:dossierId/profiles', { config: { ...manage, cache: 'dossier' } }, async (request) => {
    const d = currentDossier(request);
    const locale = requestLocale(request);
    const custom = await d.t
      .selectFrom('profiles as p')
      .select((eb) => [
        'p.id',
        'p.name',
        'p.permissions',
        eb.selectFrom('memberships as m').whereRef('m.dossier_id', '=', 'p.dossier_id').whereRef('m.profile_id', '=', 'p.id').select(eb.fn.countAll<string>().as('n')).as('member_count'),
      ])
      .where('p.dossier_id', '=', d.id)
      .orderBy('p.name')
      .execute();
    const builtinCounts = await d.t
      .selectFrom('memberships')
      .select(['profile_key', (eb) => eb.fn.countAll<string>().as('n')])
      .where('dossier_id', '=', d.id)
      .where('profile_key', 'is not', null)
      .groupBy('profile_key')
      .execute();
    const countOf = (key: string) => Number(builtinCounts.find((c) => c.profile_key === key)?.n ?? 0);
    return {
      permissions: AVAILABLE_PERMISSIONS,
      profiles: [
        ...BUILTIN_PROFILE_KEYS.map((key) => ({ id: key, name: BUILTIN_PROFILE_NAMES[key][locale], builtin: true, permissions: BUILTIN_PROFILES[key], memberCount: countOf(key) })),
        ...custom.map((p) => ({ id: p.id, name: p.name, builtin: false, permissions: normalizePermissions(p.permissions), memberCount: Number(p.member_count ?? 0) })),
      ],
    };
  });

  r.post('/d/:dossierId/profiles', { config: manage, schema: { body: z.object({ name, permissions }).strict() } }, async (request, reply) => {
    const d = currentDossier(request);
    const id = randomUUID();
    const perms = normalizePermissions(request.body.permissions);
    assertWithinOwn(d, perms);
    try {
      await d.t.insertInto('profiles').values({ dossier_id: d.id, id, name: request.body.name, permissions: perms }).execute();
    } catch (error) {
      throw isUniqueViolation(error) ? nameTaken() : error;
    }
    await d.audit({
      action: 'profile.created',
      entityType: 'profile',
      entityId: id,
      entityLabel: request.body.name,
      summary: `Création du profil « ${request.body.name} »`,
      changes: { permissions: { before: null, after: perms } },
    });
    reply.status(201);
    return { profile: { id, name: request.body.name, builtin: false, permissions: perms, memberCount: 0 } };
  });

  r.patch('/d/:dossierId/profiles/:profileId', { config: manage, schema: { params, body: z.object({ name: name.optional(), permissions: permissions.optional() }).strict() } }, async (request) => {
    const d = currentDossier(request);
    const current = await d.t.selectFrom('profiles').selectAll().where('dossier_id', '=', d.id).where('id', '=', request.params.profileId).forUpdate().executeTakeFirst();
    if (!current) throw notFound();
    const next = { name: request.body.name ?? current.name, permissions: request.body.permissions ? normalizePermissions(request.body.permissions) : normalizePermissions(current.permissions) };
    assertWithinOwn(d, normalizePermissions(current.permissions));
    assertWithinOwn(d, next.permissions);
    const changes = diff({ name: current.name, permissions: normalizePermissions(current.permissions) }, next);
    if (Object.keys(changes).length > 0) {
      try {
        await d.t.updateTable('profiles').set(next).where('dossier_id', '=', d.id).where('id', '=', current.id).execute();
      } catch (error) {
        throw isUniqueViolation(error) ? nameTaken() : error;
      }
      await d.audit({ action: 'profile.updated', entityType: 'profile', entityId: current.id, entityLabel: next.name, summary: `Modification du profil « ${next.name} »`, changes });
    }
    const count = await d.t.selectFrom('memberships').select((eb) => eb.fn.countAll<string>().as('n')).where('dossier_id', '=', d.id).where('profile_id', '=', current.id).executeTakeFirstOrThrow();
    return { profile: { id: current.id, ...next, builtin: false, memberCount: Number(count.n) } };
  });

  r.delete('/d/:dossierId/profiles/:profileId', { config: manage, schema: { params } }, async (request, reply) => {
    const d = currentDossier(request);
    const current = await d.t.selectFrom('profiles').select(['id', 'name', 'permissions']).where('dossier_id', '=', d.id).where('id', '=', request.params.profileId).forUpdate().executeTakeFirst();
    if (!current) throw notFound();
    assertWithinOwn(d, normalizePermissions(current.permissions));
    const used = await d.t.selectFrom('memberships').select('user_id').where('dossier_id', '=', d.id).where('profile_id', '=', current.id).executeTakeFirst();
    if (used) throw conflict('profile_in_use');
    // Invitations keep no claim on the profile: pending ones lapse with it, and spent ones only
    // record a past acceptance (which the audit trail keeps). A member who was given the profile
    // through an invitation and has since been moved to another must not block its deletion.
    await d.t.deleteFrom('invitations').where('dossier_id', '=', d.id).where('profile_id', '=', current.id).execute();
    await d.t.deleteFrom('profiles').where('dossier_id', '=', d.id).where('id', '=', current.id).execute();
    await d.audit({ action: 'profile.deleted', entityType: 'profile', entityId: current.id, entityLabel: current.name, summary: `Suppression du profil « ${current.name} »` });
    reply.status(204);
    return null;
  });
};
