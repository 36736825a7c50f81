import { describe, expect, it } from 'vitest';
import { DISPLAY_STATUS_LABELS, DOCUMENT_TYPES, documentStatusLabel, type DisplayStatus } from './documents';

describe("a document's status label", () => {
  it('agrees in French with the name of the document', () => {
    expect(documentStatusLabel('issued', 'invoice', 'fr')).toBe('Émise');
    expect(documentStatusLabel('issued', 'deposit_invoice', 'fr')).toBe('Émise');
    expect(documentStatusLabel('issued', 'credit_note', 'fr')).toBe('Émis');
    expect(documentStatusLabel('finalised', 'quote', 'fr')).toBe('Finalisé');
    expect(documentStatusLabel('finalised', 'pro_forma', 'fr')).toBe('Finalisée');
    expect(documentStatusLabel('expired', 'quote', 'fr')).toBe('Expiré');
    expect(documentStatusLabel('cancelled', 'invoice', 'fr')).toBe('Annulée par avoir');
  });

  it('is the same in English for every type, and never empty', () => {
    for (const status of Object.keys(DISPLAY_STATUS_LABELS) as DisplayStatus[]) {
      for (const type of DOCUMENT_TYPES) {
        expect(documentStatusLabel(status, type, 'en')).toBe(DISPLAY_STATUS_LABELS[status].en);
        expect(documentStatusLabel(status, type, 'fr')).not.toBe('');
      }
    }
  });
});
