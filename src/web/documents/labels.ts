/** Names and paths of documents in the UI language (titles and statuses come from src/core/documents.ts). */
import { DISPLAY_STATUS_LABELS, DOCUMENT_TITLES, FAMILY_OF, type DisplayStatus, type DocumentFamily, type DocumentType } from '../../core/documents';
import type { Locale } from '../../core/errors';

export function documentTitle(type: DocumentType, locale: Locale): string {
  return DOCUMENT_TITLES[type][locale];
}

export function statusLabel(status: DisplayStatus, locale: Locale): string {
  return DISPLAY_STATUS_LABELS[status][locale];
}

/** The badge colour of a status. */
export function statusTone(status: DisplayStatus): string {
  switch (status) {
    case 'draft':
      return 'badge--muted';
    case 'paid':
    case 'accepted':
      return 'badge--success';
    case 'overdue':
    case 'refused':
      return 'badge--danger';
    case 'expired':
    case 'partially_paid':
    case 'to_refund':
      return 'badge--warning';
    case 'cancelled':
      return 'badge--muted';
    default:
      return 'badge--info';
  }
}

export function familyOf(type: DocumentType): DocumentFamily {
  return FAMILY_OF[type];
}

export function documentPath(dossierId: string, type: DocumentType, id: string): string {
  return `/d/${dossierId}/${FAMILY_OF[type]}/${id}`;
}

/** "Facture F-2026-0001", or "Facture (brouillon)" before its number. */
export function documentName(doc: { type: DocumentType; number: string | null }, locale: Locale, draftWord: string): string {
  return `${documentTitle(doc.type, locale)} ${doc.number ?? `(${draftWord})`}`;
}

export const PAYABLE_TYPES: readonly DocumentType[] = ['invoice', 'deposit_invoice'];
