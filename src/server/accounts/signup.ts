import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Locale } from '../../core/errors';
import type { AppContext } from '../platform/context';
import type { RequestMeta } from '../platform/audit';
import { AppError, isUniqueViolation } from '../platform/errors';
import { hashPassword, verifyPassword } from '../platform/passwords';
import { createSession } from '../platform/sessions';
import { recordSecurityEvent } from '../platform/security-log';
import { hashToken, newToken } from '../platform/tokens';
import { createDossier } from '../dossiers/service';
import { checkPassword, type PublicUser } from './service';

/**
 * Sign-up, confirmed by e-mail. The request answers the same whether or not the address has an
 * account: it checks what it was sent, hashes the password (the same work for every address),
 * and leaves the rest to a background task. For a new address the task keeps a pending sign-up
 * and mails a single-use link; opening it creates the account, its first dossier and a session.
 * For an address that has an account, it mails its owner instead (no link).
 */
const SIGNUP_TTL_MS = 24 * 60 * 60_000;
/** Mails per address and hour (confirmation links or warnings to the owner), as for password resets. */
const SIGNUP_MAILS_PER_HOUR = 3;

export interface SignupInput {
  name: string;
  email: string;
  password: string;
  dossierName: string;
}

export async function requestSignUp(ctx: AppContext, input: SignupInput, meta: RequestMeta, locale: Locale): Promise<void> {
  checkPassword(input.password, [input.name, input.email.split('@')[0] ?? '']);
  const passwordHash = await hashPassword(input.password);
  const { password: _password, ...rest } = input;
  ctx.tasks.run('signup', () => mailSignUp(ctx, { ...rest, passwordHash, locale }, meta));
}

type PendingSignUp = Omit<SignupInput, 'password'> & { passwordHash: string; locale: Locale };

/**
 * The background part of a sign-up. A later sign-up for the same address replaces the pending one:
 * only the latest link works (an earlier one, possibly typed by someone else, stops working).
 */
async function mailSignUp(ctx: AppContext, pending: PendingSignUp, meta: RequestMeta): Promise<void> {
  const token = newToken();
  const outcome = await ctx.tx({}, async (t) => {
    // Concurrent sign-ups for one address queue here, so that exactly one link stays valid.
    await sql`SELECT pg_advisory_xact_lock(hashtext(${`signup:${pending.email}`}))`.execute(t);
    // Requests (and their password hashes) are kept no longer than their link.
    await t.deleteFrom('signup_requests').where('expires_at', '<', sql<Date>`now()`).execute();
    const owner = await t.selectFrom('users').select(['id', 'name', 'locale']).where('email', '=', pending.email).executeTakeFirst();
    if (owner) {
      const recent = await t
        .selectFrom('security_events')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('user_id', '=', owner.id)
        .where('kind', '=', 'signup_attempted')
        .where('occurred_at', '>', sql<Date>`now() - interval '1 hour'`)
        .executeTakeFirstOrThrow();
      if (Number(recent.n) >= SIGNUP_MAILS_PER_HOUR) return null;
      await recordSecurityEvent(t, owner.id, 'signup_attempted', meta);
      return { owner };
    }
    const recent = await t
      .selectFrom('signup_requests')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('email', '=', pending.email)
      .where('created_at', '>', sql<Date>`now() - interval '1 hour'`)
      .executeTakeFirstOrThrow();
    if (Number(recent.n) >= SIGNUP_MAILS_PER_HOUR) return null;
    await t
      .updateTable('signup_requests')
      .set({ replaced_at: sql<Date>`now()` })
      .where('email', '=', pending.email)
      .where('used_at', 'is', null)
      .where('replaced_at', 'is', null)
      .execute();
    await t
      .insertInto('signup_requests')
      .values({
        id: randomUUID(),
        email: pending.email,
        name: pending.name,
        dossier_name: pending.dossierName,
        password_hash: pending.passwordHash,
        locale: pending.locale,
        token_hash: hashToken(token),
        expires_at: new Date(Date.now() + SIGNUP_TTL_MS),
      })
      .execute();
    return { owner: null };
  });
  if (!outcome) return;
  const base = ctx.config.publicUrl;
  if (outcome.owner) {
    await ctx.mailer.send({ to: pending.email, ...ownerWarning(outcome.owner.locale, outcome.owner.name, base) });
    return;
  }
  await ctx.mailer.send({ to: pending.email, ...confirmationMail(pending.locale, pending.name, pending.dossierName, `${base}/signup/confirm?token=${token}`) });
}

function confirmationMail(locale: Locale, name: string, dossierName: string, link: string): { subject: string; text: string } {
  return locale === 'en'
    ? {
        subject: 'Confirm your Ardoise account',
        text: `Hello ${name},\n\nTo create your Ardoise account and the dossier « ${dossierName} », open this link (valid for 24 hours, usable once):\n\n${link}\n\nIf you did not sign up, ignore this e-mail: no account is created.\n`,
      }
    : {
        subject: 'Confirmez votre compte Ardoise',
        text: `Bonjour ${name},\n\nPour créer votre compte Ardoise et le dossier « ${dossierName} », ouvrez ce lien (valable 24 heures, utilisable une seule fois) :\n\n${link}\n\nSi vous n'avez rien demandé, ignorez ce message : aucun compte n'est créé.\n`,
      };
}

function ownerWarning(locale: Locale, name: string, base: string): { subject: string; text: string } {
  return locale === 'en'
    ? {
        subject: 'Someone tried to create an Ardoise account with your address',
        text: `Hello ${name},\n\nSomeone tried to create an Ardoise account with your e-mail address, which already has one. No account was created and nothing changed in yours.\n\nIf it was you, log in:\n\n${base}/login\n\nor, if you forgot your password, reset it:\n\n${base}/forgot-password\n\nIf it was not you, you can ignore this e-mail.\n`,
      }
    : {
        subject: "Quelqu'un a tenté de créer un compte Ardoise avec votre adresse",
        text: `Bonjour ${name},\n\nQuelqu'un a tenté de créer un compte Ardoise avec votre adresse e-mail, qui en a déjà un. Aucun compte n'a été créé et rien n'a changé dans le vôtre.\n\nSi c'est vous, connectez-vous :\n\n${base}/login\n\nou, si vous avez oublié votre mot de passe, réinitialisez-le :\n\n${base}/forgot-password\n\nSi ce n'est pas vous, vous pouvez ignorer ce message.\n`,
      };
}

/**
 * Opens a sign-up link: the user, their first dossier (as administrator) and a session, in one
 * transaction that also spends the link. The password chosen at sign-up must be typed again: the
 * link alone does not create the account, so that someone who signed up with another person's
 * address cannot have them confirm an account whose password the sender knows, and a mail
 * scanner that opens links confirms nothing. A wrong password spends nothing (400
 * `signup_password_mismatch`). A link that is unknown, expired, replaced or already used is
 * refused (400 `token_invalid`); if the address got an account meanwhile (an invitation
 * accepted, say), 409 `email_taken` and nothing is written.
 */
export async function confirmSignUp(
  ctx: AppContext,
  input: { token: string; password: string },
  meta: RequestMeta,
): Promise<{ user: PublicUser; dossierId: string; session: { token: string; expiresAt: Date } }> {
  // The password is checked outside the transaction: argon2 takes tens of milliseconds.
  const pending = await ctx.db
    .selectFrom('signup_requests')
    .select(['id', 'password_hash'])
    .where('token_hash', '=', hashToken(input.token))
    .where('used_at', 'is', null)
    .where('replaced_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
  if (!pending) throw new AppError(400, 'token_invalid');
  if (!(await verifyPassword(pending.password_hash, input.password))) throw new AppError(400, 'signup_password_mismatch');
  const userId = randomUUID();
  const dossierId = randomUUID();
  try {
    return await ctx.tx({ dossierId, userId }, async (t) => {
      // Spent only if it is still the request whose password was checked (not used or replaced meanwhile).
      const request = await t
        .updateTable('signup_requests')
        .set({ used_at: sql<Date>`now()` })
        .where('id', '=', pending.id)
        .where('used_at', 'is', null)
        .where('replaced_at', 'is', null)
        .where('expires_at', '>', sql<Date>`now()`)
        .returning(['email', 'name', 'dossier_name', 'password_hash'])
        .executeTakeFirst();
      if (!request) throw new AppError(400, 'token_invalid');
      await t.insertInto('users').values({ id: userId, email: request.email, name: request.name, password_hash: request.password_hash }).execute();
      await createDossier(t, { dossierId, legalName: request.dossier_name, plan: ctx.config.defaultPlan, owner: { id: userId, name: request.name } }, meta);
      await recordSecurityEvent(t, userId, 'signup', meta);
      const session = await createSession(t, userId, meta, ctx.config.sessionTtlDays);
      return { user: { id: userId, name: request.name, email: request.email, locale: 'fr' as const }, dossierId, session };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError(409, 'email_taken');
    throw error;
  }
}
