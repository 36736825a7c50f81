import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { BUILTIN_PROFILE_NAMES } from '../../core/profiles';
import { isBuiltinProfileKey } from '../../core/permissions';
import type { AppContext } from '../platform/context';
import { writeAudit, type RequestMeta } from '../platform/audit';
import { AppError, invalid, isUniqueViolation } from '../platform/errors';
import { hashPassword, passwordProblem } from '../platform/passwords';
import { createSession, type SessionUser } from '../platform/sessions';
import { recordSecurityEvent } from '../platform/security-log';
import { hashToken } from '../platform/tokens';

const tokenInvalid = () => new AppError(404, 'token_invalid');

/** The invitation a token opens, if it is still valid (not accepted, revoked or expired). */
async function findValidInvitation(ctx: AppContext, token: string) {
  const tokenHash = hashToken(token).toString('hex');
  const invitation = await ctx.tx({ invitationTokenHash: tokenHash }, (t) =>
    t
      .selectFrom('invitations as i')
      .innerJoin('users as inviter', 'inviter.id', 'i.invited_by')
      .select(['i.dossier_id', 'i.id', 'i.email', 'i.profile_key', 'i.profile_id', 'i.expires_at', 'inviter.name as invited_by_name'])
      .where('i.token_hash', '=', Buffer.from(tokenHash, 'hex'))
      .where('i.accepted_at', 'is', null)
      .where('i.revoked_at', 'is', null)
      .where('i.expires_at', '>', sql<Date>`now()`)
      .executeTakeFirst(),
  );
  if (!invitation) throw tokenInvalid();
  return { ...invitation, tokenHash };
}

export async function describeInvitation(ctx: AppContext, token: string, locale: 'fr' | 'en') {
  const inv = await findValidInvitation(ctx, token);
  return ctx.tx({ dossierId: inv.dossier_id }, async (t) => {
    const dossier = await t.selectFrom('dossiers').select('legal_name').where('id', '=', inv.dossier_id).executeTakeFirstOrThrow();
    const custom = inv.profile_id ? await t.selectFrom('profiles').select('name').where('id', '=', inv.profile_id).executeTakeFirst() : undefined;
    const account = await t.selectFrom('users').select('id').where('email', '=', inv.email).executeTakeFirst();
    return {
      dossierName: dossier.legal_name,
      email: inv.email,
      invitedByName: inv.invited_by_name,
      profileName: inv.profile_key && isBuiltinProfileKey(inv.profile_key) ? BUILTIN_PROFILE_NAMES[inv.profile_key][locale] : (custom?.name ?? ''),
      accountExists: account !== undefined,
      expiresAt: inv.expires_at,
    };
  });
}

/**
 * Accepts an invitation. Logged in: the session's account must be the invited address. Not
 * logged in: an account is created with `name` and `password` (when the address has none).
 * The invitation is spent in the same transaction that adds the membership.
 */
export async function acceptInvitation(
  ctx: AppContext,
  token: string,
  sessionUser: SessionUser | null,
  input: { name?: string; password?: string },
  meta: RequestMeta,
): Promise<{ dossierId: string; session: { token: string; expiresAt: Date } | null }> {
  const inv = await findValidInvitation(ctx, token);
  let newAccount: { id: string; name: string; passwordHash: string } | null = null;
  if (sessionUser) {
    if (sessionUser.email !== inv.email) throw new AppError(403, 'invitation_email_mismatch');
  } else {
    const exists = await ctx.tx({}, (t) => t.selectFrom('users').select('id').where('email', '=', inv.email).executeTakeFirst());
    if (exists) {
      // The account may have just been created by a concurrent acceptance of this very link
      // (a double submit): then the link is spent, and saying so beats asking to log in.
      await findValidInvitation(ctx, token);
      throw new AppError(401, 'unauthenticated', { accountExists: true });
    }
    const fields: Record<string, string> = {};
    const name = input.name?.trim() ?? '';
    if (!name) fields.name = 'Le nom est obligatoire.';
    const problem = passwordProblem(input.password ?? '', [name, inv.email.split('@')[0] ?? '']);
    if (problem) fields.password = problem;
    if (Object.keys(fields).length > 0) throw invalid(fields);
    newAccount = { id: randomUUID(), name, passwordHash: await hashPassword(input.password!) };
  }
  const userId = sessionUser?.id ?? newAccount!.id;
  const userName = sessionUser?.name ?? newAccount!.name;
  try {
    return await ctx.tx({ dossierId: inv.dossier_id, userId, invitationTokenHash: inv.tokenHash }, async (t) => {
      // Spent first (the row lock makes a concurrent acceptance of the same link find it used);
      // `accepted_by` is recorded once the account exists, to satisfy its foreign key.
      const spent = await t
        .updateTable('invitations')
        .set({ accepted_at: sql<Date>`now()`, accepted_by: newAccount ? null : userId })
        .where('dossier_id', '=', inv.dossier_id)
        .where('id', '=', inv.id)
        .where('accepted_at', 'is', null)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', sql<Date>`now()`)
        .returning('id')
        .executeTakeFirst();
      if (!spent) throw tokenInvalid();
      let session: { token: string; expiresAt: Date } | null = null;
      if (newAccount) {
        await t.insertInto('users').values({ id: newAccount.id, email: inv.email, name: newAccount.name, password_hash: newAccount.passwordHash }).execute();
        await recordSecurityEvent(t, newAccount.id, 'signup', meta);
        session = await createSession(t, newAccount.id, meta, ctx.config.sessionTtlDays);
        await t.updateTable('invitations').set({ accepted_by: newAccount.id }).where('dossier_id', '=', inv.dossier_id).where('id', '=', inv.id).execute();
      }
      await t
        .insertInto('memberships')
        .values({ dossier_id: inv.dossier_id, user_id: userId, profile_key: inv.profile_key, profile_id: inv.profile_id })
        .onConflict((oc) => oc.columns(['dossier_id', 'user_id']).doNothing())
        .execute();
      const profileName =
        inv.profile_key && isBuiltinProfileKey(inv.profile_key)
          ? BUILTIN_PROFILE_NAMES[inv.profile_key].fr
          : ((await t.selectFrom('profiles').select('name').where('id', '=', inv.profile_id!).executeTakeFirst())?.name ?? null);
      await writeAudit(t, inv.dossier_id, { userId, name: userName, profile: profileName }, meta, {
        action: 'invitation.accepted',
        entityType: 'member',
        entityId: userId,
        entityLabel: userName,
        summary: `${userName} (${inv.email}) rejoint le dossier avec le profil ${profileName ?? ''}`,
        changes: { profile: { before: null, after: profileName } },
      });
      return { dossierId: inv.dossier_id, session };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError(409, 'email_taken');
    throw error;
  }
}
