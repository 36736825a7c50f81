/**
 * Downloads and prints of numbered documents' PDFs (migration 014): who, with which profile, when,
 * and whether the file was saved (attachment) or opened in the browser (to view or print it). Not
 * audit events: a download changes nothing, and it must not queue on the dossier's write lock.
 */
import { randomUUID } from 'node:crypto';
import { sql, type ColumnType } from 'kysely';
import type { DocumentType } from '../../core/documents';
import { isBuiltinProfileKey } from '../../core/permissions';
import { BUILTIN_PROFILE_NAMES } from '../../core/profiles';
import type { Db } from '../db/pool';
import type { DossierContext } from '../platform/auth';

export interface DocumentDownloadsTable {
  dossier_id: string;
  document_id: string;
  id: string;
  downloaded_at: ColumnType<Date, Date | string | undefined, never>;
  user_id: string;
  user_name: string;
  user_profile: string | null;
  download: boolean;
}

declare module '../db/schema' {
  interface Database {
    document_downloads: DocumentDownloadsTable;
  }
}

/** The member's profile as the trail names it: in French, the dossier's language of record, whatever the reader's UI language. */
function recordedProfile(d: DossierContext): string {
  return isBuiltinProfileKey(d.profileId) ? BUILTIN_PROFILE_NAMES[d.profileId].fr : d.profileName;
}

/**
 * Records that the caller is being sent the PDF of `documentId`, if it is numbered: one INSERT
 * in the request's transaction, written nowhere else (a draft's preview is not recorded, and
 * an unknown document or one of another family records nothing).
 */
export async function recordDownload(d: DossierContext, documentId: string, types: readonly DocumentType[], download: boolean): Promise<void> {
  await d.t
    .insertInto('document_downloads')
    .columns(['dossier_id', 'document_id', 'id', 'user_id', 'user_name', 'user_profile', 'download'])
    .expression((eb) =>
      eb
        .selectFrom('documents')
        .select([
          'dossier_id',
          'id as document_id',
          sql<string>`${randomUUID()}::uuid`.as('id'),
          sql<string>`${d.user.id}::uuid`.as('user_id'),
          sql<string>`${d.user.name}::text`.as('user_name'),
          sql<string>`${recordedProfile(d)}::text`.as('user_profile'),
          sql<boolean>`${download}::boolean`.as('download'),
        ])
        .where('dossier_id', '=', d.id)
        .where('id', '=', documentId)
        .where('type', 'in', types)
        .where('number', 'is not', null),
    )
    .execute();
}

/** A document's downloads, oldest first. */
export async function listDownloads(t: Db, dossierId: string, documentId: string) {
  return t
    .selectFrom('document_downloads')
    .select(['downloaded_at', 'user_id', 'user_name', 'user_profile', 'download'])
    .where('dossier_id', '=', dossierId)
    .where('document_id', '=', documentId)
    .orderBy('downloaded_at')
    .orderBy('id')
    .execute();
}
