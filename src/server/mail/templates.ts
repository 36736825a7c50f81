/**
 * The templates a dossier sends its e-mails with: one per document type and one per reminder
 * level. A dossier that never edited a template uses the French default of `core/outgoing-mail`;
 * only edited kinds are stored (`mail_templates`), so a kind left as it was follows the defaults.
 */
import { sql } from 'kysely';
import { TEMPLATE_KIND_LABELS, type MailTemplateJson } from '../../core/mail-templates';
import { defaultTemplate, TEMPLATE_KINDS, type MailTemplate, type TemplateKind } from '../../core/outgoing-mail';
import type { Db } from '../db/pool';
import type { DossierContext } from '../platform/auth';
import { diff, lockAuditHead } from '../platform/audit';

/** The template a dossier uses for a kind of message. */
export async function templateFor(t: Db, dossierId: string, kind: TemplateKind): Promise<MailTemplate> {
  const row = await t.selectFrom('mail_templates').select(['subject', 'body']).where('dossier_id', '=', dossierId).where('kind', '=', kind).executeTakeFirst();
  return row ?? defaultTemplate(kind);
}

/** Every kind, in the order of TEMPLATE_KINDS, with the text in use and the default. */
export async function listTemplates(t: Db, dossierId: string): Promise<MailTemplateJson[]> {
  const rows = await t.selectFrom('mail_templates').select(['kind', 'subject', 'body', 'updated_at']).where('dossier_id', '=', dossierId).execute();
  const stored = new Map(rows.map((r) => [r.kind, r]));
  return TEMPLATE_KINDS.map((kind) => present(kind, stored.get(kind)));
}

function present(kind: TemplateKind, row: (MailTemplate & { updated_at: Date }) | undefined): MailTemplateJson {
  const fallback = defaultTemplate(kind);
  return { kind, subject: row?.subject ?? fallback.subject, body: row?.body ?? fallback.body, custom: Boolean(row), default: fallback, updatedAt: row?.updated_at.toISOString() ?? null };
}

async function presentOne(t: Db, dossierId: string, kind: TemplateKind): Promise<MailTemplateJson> {
  const row = await t.selectFrom('mail_templates').select(['subject', 'body', 'updated_at']).where('dossier_id', '=', dossierId).where('kind', '=', kind).executeTakeFirst();
  return present(kind, row);
}

const FIELD_NAMES: Record<keyof MailTemplate, string> = { subject: 'objet', body: 'message' };

/**
 * Saves a kind's template. Text equal to what is in use changes nothing (no event); text equal
 * to the default removes the stored copy, so that the kind follows the defaults again. Under
 * the dossier's write lock, so that two saves of one kind record what each changed.
 */
export async function saveTemplate(d: DossierContext, kind: TemplateKind, input: MailTemplate): Promise<MailTemplateJson> {
  await lockAuditHead(d.t, d.id);
  const before = await templateFor(d.t, d.id, kind);
  const changes = diff({ ...before }, { subject: input.subject, body: input.body });
  if (Object.keys(changes).length > 0) {
    const fallback = defaultTemplate(kind);
    if (input.subject === fallback.subject && input.body === fallback.body) {
      await d.t.deleteFrom('mail_templates').where('dossier_id', '=', d.id).where('kind', '=', kind).execute();
    } else {
      await d.t
        .insertInto('mail_templates')
        .values({ dossier_id: d.id, kind, subject: input.subject, body: input.body, updated_by: d.user.id })
        .onConflict((oc) => oc.columns(['dossier_id', 'kind']).doUpdateSet({ subject: input.subject, body: input.body, updated_by: d.user.id, updated_at: sql<Date>`now()` }))
        .execute();
    }
    const label = TEMPLATE_KIND_LABELS[kind].fr;
    const fields = (Object.keys(changes) as (keyof MailTemplate)[]).map((f) => FIELD_NAMES[f]).join(', ');
    await d.audit({ action: 'mail_template.updated', entityType: 'mail_template', entityId: kind, entityLabel: label, summary: `Modification du modèle d'e-mail « ${label} » (${fields})`, changes });
  }
  return presentOne(d.t, d.id, kind);
}

/** Back to the default text; a kind already on its default changes nothing (no event). */
export async function resetTemplate(d: DossierContext, kind: TemplateKind): Promise<MailTemplateJson> {
  await lockAuditHead(d.t, d.id);
  const removed = await d.t.deleteFrom('mail_templates').where('dossier_id', '=', d.id).where('kind', '=', kind).returning(['subject', 'body']).executeTakeFirst();
  if (removed) {
    const label = TEMPLATE_KIND_LABELS[kind].fr;
    const changes = diff({ ...removed }, { ...defaultTemplate(kind) });
    await d.audit({ action: 'mail_template.reset', entityType: 'mail_template', entityId: kind, entityLabel: label, summary: `Retour au modèle d'e-mail par défaut « ${label} »`, changes });
  }
  return presentOne(d.t, d.id, kind);
}
