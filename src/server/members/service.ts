import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { isBuiltinProfileKey } from '../../core/permissions';
import { takesSeat } from '../../core/plans';
import { BUILTIN_PROFILE_NAMES } from '../../core/profiles';
import type { Db } from '../db/pool';
import { resolveProfile, type DossierContext } from '../platform/auth';
import type { AppContext } from '../platform/context';
import { AppError, conflict, notFound } from '../platform/errors';
import { hashToken, newToken } from '../platform/tokens';
import { assertWithinOwn, findProfileRef, type ProfileRef } from './profiles';
import { assertSeatAvailable } from './seats';

export const INVITATION_TTL_MS = 7 * 86_400_000;

async function lockDossierRow(t: Db, dossierId: string): Promise<{ legal_name: string; plan: 'solo' | 'tpe' | 'tpe_plus' }> {
  return t.selectFrom('dossiers').select(['legal_name', 'plan']).where('id', '=', dossierId).forUpdate().executeTakeFirstOrThrow();
}

/** Adds an existing account to the dossier, or invites the address by e-mail (single-use link, 7 days). */
export async function addMember(ctx: AppContext, d: DossierContext, input: { email: string; profileId: string }): Promise<'added' | 'invited'> {
  const { t } = d;
  const dossier = await lockDossierRow(t, d.id);
  const profile = await findProfileRef(t, d.id, input.profileId);
  assertWithinOwn(d, profile.permissions);
  const existing = await t.selectFrom('users').select(['id', 'name', 'locale']).where('email', '=', input.email).executeTakeFirst();
  if (existing) {
    const member = await t.selectFrom('memberships').select('user_id').where('dossier_id', '=', d.id).where('user_id', '=', existing.id).executeTakeFirst();
    if (member) throw conflict('already_member');
  }
  const pending = await t
    .selectFrom('invitations')
    .select('id')
    .where('dossier_id', '=', d.id)
    .where('email', '=', input.email)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
  if (pending) throw conflict('already_invited');
  await assertSeatAvailable(t, d.id, profile.profile_key);

  if (existing) {
    await t.insertInto('memberships').values({ dossier_id: d.id, user_id: existing.id, profile_key: profile.profile_key, profile_id: profile.profile_id }).execute();
    await d.audit({
      action: 'member.added',
      entityType: 'member',
      entityId: existing.id,
      entityLabel: existing.name,
      summary: `Ajout de ${existing.name} (${input.email}) avec le profil ${profile.name}`,
      changes: { profile: { before: null, after: profile.name } },
    });
    // A courtesy notice: the membership stands even if it cannot be sent.
    d.afterCommit(() =>
      ctx.mailer.send({
        to: input.email,
        subject: `Accès au dossier ${dossier.legal_name} sur Ardoise`,
        text: `Bonjour ${existing.name},\n\n${d.user.name} vous a donné accès au dossier « ${dossier.legal_name} » avec le profil ${profile.name}.\n\nIl apparaît dans votre liste de dossiers : ${ctx.config.publicUrl}/dossiers\n`,
      }),
    );
    return 'added';
  }

  // Expired or revoked invitations for the address no longer block a new one.
  await t
    .deleteFrom('invitations')
    .where('dossier_id', '=', d.id)
    .where('email', '=', input.email)
    .where('accepted_at', 'is', null)
    .execute();
  const token = newToken();
  const id = randomUUID();
  await t
    .insertInto('invitations')
    .values({
      dossier_id: d.id,
      id,
      email: input.email,
      profile_key: profile.profile_key,
      profile_id: profile.profile_id,
      token_hash: hashToken(token),
      invited_by: d.user.id,
      expires_at: new Date(Date.now() + INVITATION_TTL_MS),
    })
    .execute();
  await d.audit({
    action: 'invitation.sent',
    entityType: 'invitation',
    entityId: id,
    entityLabel: input.email,
    summary: `Invitation de ${input.email} avec le profil ${profile.name}`,
  });
  // Sent inside the transaction: if the message cannot be handed over, no invitation exists.
  await ctx.mailer.send({
    to: input.email,
    subject: `${d.user.name} vous invite sur Ardoise (${dossier.legal_name})`,
    text:
      `Bonjour,\n\n${d.user.name} vous invite à rejoindre le dossier « ${dossier.legal_name} » sur Ardoise avec le profil ${profile.name}.\n\n` +
      `Pour accepter, ouvrez ce lien (valable 7 jours, utilisable une seule fois) :\n\n${ctx.config.publicUrl}/invitation/${token}\n\n` +
      `Si vous ne connaissez pas cette personne, ignorez ce message.\n`,
  });
  return 'invited';
}

async function lockAdmins(t: Db, dossierId: string): Promise<string[]> {
  const rows = await t.selectFrom('memberships').select('user_id').where('dossier_id', '=', dossierId).where('profile_key', '=', 'admin').forUpdate().execute();
  return rows.map((r) => r.user_id);
}

async function findMember(t: Db, dossierId: string, userId: string) {
  const member = await t
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .leftJoin('profiles as p', (j) => j.onRef('p.dossier_id', '=', 'm.dossier_id').onRef('p.id', '=', 'm.profile_id'))
    .select(['m.user_id', 'm.profile_key', 'm.profile_id', 'u.name', 'u.email', 'p.name as custom_name', 'p.permissions as custom_permissions'])
    .where('m.dossier_id', '=', dossierId)
    .where('m.user_id', '=', userId)
    .executeTakeFirst();
  if (!member) throw notFound();
  return { ...member, permissions: resolveProfile(member).permissions };
}

/** The French name of a member's profile, as the audit trail records it. */
function profileName(ref: { profile_key: string | null; custom_name: string | null }): string {
  return ref.profile_key && isBuiltinProfileKey(ref.profile_key) ? BUILTIN_PROFILE_NAMES[ref.profile_key].fr : (ref.custom_name ?? '');
}

/**
 * Changes a member's profile: another member's (nobody changes their own), within the acting
 * member's permissions both before and after. The last administrator cannot be demoted.
 */
export async function changeMemberProfile(d: DossierContext, userId: string, profileId: string): Promise<ProfileRef> {
  const { t } = d;
  if (userId === d.user.id) throw new AppError(403, 'own_profile');
  const dossier = await lockDossierRow(t, d.id);
  const admins = await lockAdmins(t, d.id);
  const member = await findMember(t, d.id, userId);
  const profile = await findProfileRef(t, d.id, profileId);
  assertWithinOwn(d, member.permissions);
  assertWithinOwn(d, profile.permissions);
  if (member.profile_key === profile.profile_key && member.profile_id === profile.profile_id) return profile;
  if (member.profile_key === 'admin' && admins.length === 1) throw conflict('last_admin');
  if (!takesSeat(dossier.plan, member.profile_key) || profile.profile_key === 'accountant') {
    // Moving off a free accountant access takes a seat; moving onto it needs the plan that offers it.
    await assertSeatAvailable(t, d.id, profile.profile_key);
  }
  await t.updateTable('memberships').set({ profile_key: profile.profile_key, profile_id: profile.profile_id }).where('dossier_id', '=', d.id).where('user_id', '=', userId).execute();
  const before = profileName(member);
  await d.audit({
    action: 'member.profile_changed',
    entityType: 'member',
    entityId: userId,
    entityLabel: member.name,
    summary: `Profil de ${member.name} : ${before} → ${profile.name}`,
    changes: { profile: { before, after: profile.name } },
  });
  return profile;
}

/**
 * Removes a member (whose profile is within the acting member's permissions; leaving is always
 * possible): their next request on this dossier fails. The last administrator cannot be removed.
 */
export async function removeMember(d: DossierContext, userId: string): Promise<void> {
  const { t } = d;
  const admins = await lockAdmins(t, d.id);
  const member = await findMember(t, d.id, userId);
  assertWithinOwn(d, member.permissions);
  if (member.profile_key === 'admin' && admins.length === 1) throw conflict('last_admin');
  await t.deleteFrom('memberships').where('dossier_id', '=', d.id).where('user_id', '=', userId).execute();
  await d.audit({
    action: 'member.removed',
    entityType: 'member',
    entityId: userId,
    entityLabel: member.name,
    summary: `Retrait de ${member.name} (${member.email}) du dossier`,
    changes: { profile: { before: profileName(member), after: null } },
  });
}

/** Revokes a pending invitation whose profile is within the acting member's permissions. */
export async function revokeInvitation(d: DossierContext, invitationId: string): Promise<void> {
  const pending = await d.t
    .selectFrom('invitations as i')
    .leftJoin('profiles as p', (j) => j.onRef('p.dossier_id', '=', 'i.dossier_id').onRef('p.id', '=', 'i.profile_id'))
    .select(['i.profile_key', 'i.profile_id', 'p.name as custom_name', 'p.permissions as custom_permissions'])
    .where('i.dossier_id', '=', d.id)
    .where('i.id', '=', invitationId)
    .executeTakeFirst();
  if (pending) assertWithinOwn(d, resolveProfile(pending).permissions);
  const revoked = await d.t
    .updateTable('invitations')
    .set({ revoked_at: sql<Date>`now()` })
    .where('dossier_id', '=', d.id)
    .where('id', '=', invitationId)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .returning(['id', 'email'])
    .executeTakeFirst();
  if (!revoked) throw new AppError(404, 'not_found');
  await d.audit({ action: 'invitation.revoked', entityType: 'invitation', entityId: revoked.id, entityLabel: revoked.email, summary: `Annulation de l'invitation de ${revoked.email}` });
}
