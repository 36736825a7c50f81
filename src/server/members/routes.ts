import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { z } from 'zod';
import { isBuiltinProfileKey } from '../../core/permissions';
import { BUILTIN_PROFILE_NAMES } from '../../core/profiles';
import { email } from '../accounts/schema';
import { currentDossier } from '../platform/auth';
import type { AppContext } from '../platform/context';
import { requestLocale } from '../platform/error-handler';
import { sessionToken, setSessionCookie, toSessionUser } from '../platform/sessions';
import { PASSWORD_MAX_LENGTH } from '../../core/password';
import { secretText, text } from '../../core/text';
import { acceptInvitation, describeInvitation } from './invitations';
import { profileIdOf } from './profiles';
import { seatUsage } from './seats';
import { addMember, changeMemberProfile, removeMember, revokeInvitation } from './service';

const memberParams = z.object({ dossierId: text(), userId: z.uuid() });
const invitationParams = z.object({ dossierId: text(), invitationId: z.uuid() });
const tokenParams = z.object({ token: text().min(10).max(100) });
const profileChoice = text().min(1).max(64);

export const memberRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (app, { ctx }) => {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const manage = { auth: { permission: 'members.manage' as const } };

  r.get('/d/:dossierId/members', { config: { ...manage, cache: 'dossier' } }, async (request) => {
    const d = currentDossier(request);
    const locale = requestLocale(request);
    const name = (key: string | null, custom: string | null) => (key && isBuiltinProfileKey(key) ? BUILTIN_PROFILE_NAMES[key][locale] : (custom ?? ''));
    const members = await d.t
      .selectFrom('memberships as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .leftJoin('profiles as p', (j) => j.onRef('p.dossier_id', '=', 'm.dossier_id').onRef('p.id', '=', 'm.profile_id'))
      .select(['m.user_id', 'm.profile_key', 'm.profile_id', 'm.created_at', 'u.name', 'u.email', 'p.name as custom_name'])
      .where('m.dossier_id', '=', d.id)
      .orderBy('u.name')
      .execute();
    const invitations = await d.t
      .selectFrom('invitations as i')
      .innerJoin('users as inviter', 'inviter.id', 'i.invited_by')
      .leftJoin('profiles as p', (j) => j.onRef('p.dossier_id', '=', 'i.dossier_id').onRef('p.id', '=', 'i.profile_id'))
      .select(['i.id', 'i.email', 'i.profile_key', 'i.profile_id', 'i.expires_at', 'i.created_at', 'inviter.name as invited_by_name', 'p.name as custom_name'])
      .where('i.dossier_id', '=', d.id)
      .where('i.accepted_at', 'is', null)
      .where('i.revoked_at', 'is', null)
      .where('i.expires_at', '>', sql<Date>`now()`)
      .orderBy('i.created_at', 'desc')
      .execute();
    for (const i of invitations) d.changesAt(i.expires_at);
    return {
      members: members.map((m) => ({ userId: m.user_id, name: m.name, email: m.email, profileId: profileIdOf(m), profileName: name(m.profile_key, m.custom_name), joinedAt: m.created_at })),
      invitations: invitations.map((i) => ({
        id: i.id,
        email: i.email,
        profileId: profileIdOf(i),
        profileName: name(i.profile_key, i.custom_name),
        invitedByName: i.invited_by_name,
        expiresAt: i.expires_at,
        createdAt: i.created_at,
      })),
      seats: await seatUsage(d.t, d.id),
    };
  });

  r.post('/d/:dossierId/members', { config: manage, schema: { body: z.object({ email, profileId: profileChoice }).strict() } }, async (request, reply) => {
    const outcome = await addMember(ctx, currentDossier(request), request.body);
    reply.status(201);
    return { outcome };
  });

  r.patch('/d/:dossierId/members/:userId', { config: manage, schema: { params: memberParams, body: z.object({ profileId: profileChoice }).strict() } }, async (request) => {
    const d = currentDossier(request);
    const profile = await changeMemberProfile(d, request.params.userId, request.body.profileId);
    return { member: { userId: request.params.userId, profileId: profileIdOf(profile), profileName: profile.name } };
  });

  r.delete('/d/:dossierId/members/:userId', { config: manage, schema: { params: memberParams } }, async (request, reply) => {
    await removeMember(currentDossier(request), request.params.userId);
    reply.status(204);
    return null;
  });

  r.delete('/d/:dossierId/invitations/:invitationId', { config: manage, schema: { params: invitationParams } }, async (request, reply) => {
    await revokeInvitation(currentDossier(request), request.params.invitationId);
    reply.status(204);
    return null;
  });

  r.get('/invitations/:token', { config: { auth: 'public' }, schema: { params: tokenParams } }, async (request) => ({
    invitation: await describeInvitation(ctx, request.params.token, requestLocale(request)),
  }));

  r.post(
    '/invitations/:token/accept',
    {
      config: { auth: 'public' },
      schema: { params: tokenParams, body: z.object({ name: text().max(100).optional(), password: secretText().max(PASSWORD_MAX_LENGTH).optional() }).strict().default({}) },
    },
    async (request, reply) => {
      const token = sessionToken(request);
      const session = token ? await ctx.callers.find(token, null) : undefined;
      const result = await acceptInvitation(ctx, request.params.token, session ? toSessionUser(session) : null, request.body, request.meta);
      if (result.session) setSessionCookie(reply, result.session.token, result.session.expiresAt, ctx.config.secureCookies);
      return { dossierId: result.dossierId };
    },
  );
};
