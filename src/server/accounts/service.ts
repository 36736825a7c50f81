import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { AppContext } from '../platform/context';
import { writeAudit, type RequestMeta } from '../platform/audit';
import { resolveProfile } from '../platform/auth';
import type { Db } from '../db/pool';
import { enterDossier } from '../db/tx';
import { AppError, invalid } from '../platform/errors';
import { hashPassword, passwordProblem, verifyAgainstNothing, verifyPassword } from '../platform/passwords';
import { createSession } from '../platform/sessions';
import { recordSecurityEvent } from '../platform/security-log';
import { hashToken, newToken } from '../platform/tokens';

export interface PublicUser {
  id: string;
  name: string;
  email: string;
  locale: 'fr' | 'en';
}

const LOGIN_WINDOW = "interval '15 minutes'";
const RESET_TTL_MS = 60 * 60_000;
const RESETS_PER_HOUR = 3;

export function checkPassword(password: string, personal: string[], field = 'password'): void {
  const problem = passwordProblem(password, personal);
  if (problem) throw invalid({ [field]: problem });
}

export interface LoginLimits {
  perAccount: number;
  perIp: number;
}

/**
 * Checks credentials. Failures are counted in PostgreSQL (so every app node sees them) per e-mail
 * and per IP over 15 minutes; past the limit the answer is 429 whatever the password.
 * A wrong e-mail and a wrong password get the same answer, in about the same time.
 */
export async function logIn(
  ctx: AppContext,
  input: { email: string; password: string },
  meta: RequestMeta,
  limits: LoginLimits,
): Promise<{ user: PublicUser; session: { token: string; expiresAt: Date } }> {
  const ip = meta.ip ?? 'unknown';
  const { user, limited } = await ctx.tx({}, async (t) => {
    const counts = await sql<{ by_account: string; by_ip: string }>`
      SELECT count(*) FILTER (WHERE email = ${input.email}) AS by_account, count(*) FILTER (WHERE ip = ${ip}) AS by_ip
      FROM login_attempts
      WHERE NOT succeeded AND attempted_at > now() - ${sql.raw(LOGIN_WINDOW)} AND (email = ${input.email} OR ip = ${ip})`.execute(t);
    const row = counts.rows[0]!;
    const found = await t.selectFrom('users').select(['id', 'name', 'email', 'locale', 'password_hash']).where('email', '=', input.email).executeTakeFirst();
    return { user: found, limited: Number(row.by_account) >= limits.perAccount || Number(row.by_ip) >= limits.perIp };
  });
  if (limited) throw new AppError(429, 'rate_limited');
  const ok = user ? await verifyPassword(user.password_hash, input.password) : await verifyAgainstNothing(input.password);
  if (!user || !ok) {
    await ctx.tx({}, async (t) => {
      await t.insertInto('login_attempts').values({ email: input.email, ip, succeeded: false }).execute();
      if (user) await recordSecurityEvent(t, user.id, 'login_failed', meta);
    });
    throw new AppError(401, 'invalid_credentials');
  }
  return ctx.tx({}, async (t) => {
    await t.insertInto('login_attempts').values({ email: input.email, ip, succeeded: true }).execute();
    await recordSecurityEvent(t, user.id, 'login', meta);
    const session = await createSession(t, user.id, meta, ctx.config.sessionTtlDays);
    return { user: { id: user.id, name: user.name, email: user.email, locale: user.locale }, session };
  });
}

export async function logOut(ctx: AppContext, token: string, meta: RequestMeta): Promise<void> {
  await ctx.tx({}, async (t) => {
    const session = await t
      .updateTable('sessions')
      .set({ revoked_at: sql<Date>`now()` })
      .where('token_hash', '=', hashToken(token))
      .where('revoked_at', 'is', null)
      .returning('user_id')
      .executeTakeFirst();
    if (session) await recordSecurityEvent(t, session.user_id, 'logout', meta);
  });
}

/**
 * Sends a single-use reset link valid one hour; at most 3 links an hour. Runs as a background task
 * (routes.ts), after the request has answered the same for every address: an unknown one gets
 * nothing, and nothing of the lookup shows in the answer or its timing.
 */
export async function requestPasswordReset(ctx: AppContext, emailAddress: string, meta: RequestMeta): Promise<void> {
  const token = newToken();
  const user = await ctx.tx({}, async (t) => {
    const found = await t.selectFrom('users').select(['id', 'name', 'locale']).where('email', '=', emailAddress).executeTakeFirst();
    if (!found) return null;
    const recent = await t
      .selectFrom('password_resets')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('user_id', '=', found.id)
      .where('created_at', '>', sql<Date>`now() - interval '1 hour'`)
      .executeTakeFirstOrThrow();
    if (Number(recent.n) >= RESETS_PER_HOUR) return null;
    await t
      .insertInto('password_resets')
      .values({ id: randomUUID(), user_id: found.id, token_hash: hashToken(token), expires_at: new Date(Date.now() + RESET_TTL_MS) })
      .execute();
    await recordSecurityEvent(t, found.id, 'password_reset_requested', meta);
    return found;
  });
  if (!user) return;
  const link = `${ctx.config.publicUrl}/reset-password?token=${token}`;
  const text =
    user.locale === 'en'
      ? `Hello ${user.name},\n\nTo choose a new Ardoise password, open this link (valid for one hour, usable once):\n\n${link}\n\nIf you did not ask for it, ignore this e-mail: your password stays the same.\n`
      : `Bonjour ${user.name},\n\nPour choisir un nouveau mot de passe Ardoise, ouvrez ce lien (valable une heure, utilisable une seule fois) :\n\n${link}\n\nSi vous n'avez rien demandé, ignorez ce message : votre mot de passe reste inchangé.\n`;
  await ctx.mailer.send({ to: emailAddress, subject: user.locale === 'en' ? 'Reset your Ardoise password' : 'Réinitialisation de votre mot de passe Ardoise', text });
}

/** Sets a new password from a reset link; the link is spent and every session of the account ends. */
export async function confirmPasswordReset(ctx: AppContext, input: { token: string; password: string }, meta: RequestMeta): Promise<void> {
  const reset = await ctx.tx({}, (t) =>
    t
      .selectFrom('password_resets as r')
      .innerJoin('users as u', 'u.id', 'r.user_id')
      .select(['r.id', 'u.id as user_id', 'u.name', 'u.email'])
      .where('r.token_hash', '=', hashToken(input.token))
      .where('r.used_at', 'is', null)
      .where('r.expires_at', '>', sql<Date>`now()`)
      .executeTakeFirst(),
  );
  if (!reset) throw new AppError(400, 'token_invalid');
  checkPassword(input.password, [reset.name, reset.email.split('@')[0] ?? '']);
  const passwordHash = await hashPassword(input.password);
  await ctx.tx({}, async (t) => {
    const spent = await t
      .updateTable('password_resets')
      .set({ used_at: sql<Date>`now()` })
      .where('id', '=', reset.id)
      .where('used_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    if (!spent) throw new AppError(400, 'token_invalid');
    await t.updateTable('users').set({ password_hash: passwordHash, password_changed_at: sql<Date>`now()` }).where('id', '=', reset.user_id).execute();
    await t.updateTable('sessions').set({ revoked_at: sql<Date>`now()` }).where('user_id', '=', reset.user_id).where('revoked_at', 'is', null).execute();
    await recordSecurityEvent(t, reset.user_id, 'password_reset', meta);
  });
}

/** Changes the password after checking the current one; the user's other sessions end. */
export async function changePassword(
  ctx: AppContext,
  user: { id: string; name: string; email: string; sessionId: string },
  input: { currentPassword: string; newPassword: string },
  meta: RequestMeta,
): Promise<void> {
  const row = await ctx.tx({}, (t) => t.selectFrom('users').select('password_hash').where('id', '=', user.id).executeTakeFirstOrThrow());
  if (!(await verifyPassword(row.password_hash, input.currentPassword))) {
    throw new AppError(400, 'wrong_password', { fields: { currentPassword: 'Le mot de passe actuel est incorrect.' } });
  }
  checkPassword(input.newPassword, [user.name, user.email.split('@')[0] ?? ''], 'newPassword');
  const passwordHash = await hashPassword(input.newPassword);
  await ctx.tx({}, async (t) => {
    await t.updateTable('users').set({ password_hash: passwordHash, password_changed_at: sql<Date>`now()` }).where('id', '=', user.id).execute();
    await t
      .updateTable('sessions')
      .set({ revoked_at: sql<Date>`now()` })
      .where('user_id', '=', user.id)
      .where('id', '!=', user.sessionId)
      .where('revoked_at', 'is', null)
      .execute();
    await recordSecurityEvent(t, user.id, 'password_changed', meta);
  });
}

/**
 * A member's new name, recorded in the trail of each of their dossiers: their earlier actions
 * there carry the old name, and the dossiers' member lists change with it. Runs in the caller's
 * transaction, moving its tenant scope from dossier to dossier.
 */
export async function recordRenaming(t: Db, renamed: { id: string; before: string; after: string }, meta: RequestMeta): Promise<void> {
  const memberships = await t
    .selectFrom('memberships as m')
    .leftJoin('profiles as p', (j) => j.onRef('p.dossier_id', '=', 'm.dossier_id').onRef('p.id', '=', 'm.profile_id'))
    .select(['m.dossier_id', 'm.profile_key', 'm.profile_id', 'p.name as custom_name', 'p.permissions as custom_permissions'])
    .where('m.user_id', '=', renamed.id)
    .orderBy('m.dossier_id')
    .execute();
  for (const m of memberships) {
    await enterDossier(t, m.dossier_id);
    await writeAudit(t, m.dossier_id, { userId: renamed.id, name: renamed.after, profile: resolveProfile(m).profileName }, meta, {
      action: 'member.renamed',
      entityType: 'member',
      entityId: renamed.id,
      entityLabel: renamed.after,
      summary: `${renamed.before} s'appelle désormais ${renamed.after}`,
      changes: { name: { before: renamed.before, after: renamed.after } },
    });
  }
}
