/**
 * The templates a dossier sends its e-mails with: one per document type and one per reminder
 * level. A dossier that never edited a template uses the French default of `core/outgoing-mail`.
 */
import { defaultTemplate, type MailTemplate, type TemplateKind } from '../../core/outgoing-mail';
import type { Db } from '../db/pool';

/** The template a dossier uses for a kind of message. */
export async function templateFor(_t: Db, _dossierId: string, kind: TemplateKind): Promise<MailTemplate> {
  return defaultTemplate(kind);
}
