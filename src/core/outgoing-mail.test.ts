import { describe, expect, it } from 'vitest';
import { DOCUMENT_TYPES } from './documents';
import { DEFAULT_TEMPLATES, fillMessage, fillTemplate, sendMessageSchema, unknownPlaceholders, type TemplateValues } from './outgoing-mail';

const INVOICE: TemplateValues = {
  type: 'invoice',
  number: 'F-2026-0042',
  grossCents: 123_456,
  dueDate: '2026-12-31',
  validityDate: null,
  customer: 'Boulangerie Renard',
  company: 'Menuiserie Lambert SARL',
};

describe('default templates', () => {
  it('fill an invoice’s number, amount incl. VAT, due date and company, in French', () => {
    const message = fillMessage(DEFAULT_TEMPLATES.invoice, INVOICE);
    expect(message.subject).toBe('Facture F-2026-0042 — Menuiserie Lambert SARL');
    expect(message.body).toBe(
      'Bonjour,\n\nVeuillez trouver ci-joint notre facture F-2026-0042 d\'un montant de 1\u202f234,56\u00a0€ TTC, à régler au plus tard le 31/12/2026.\n\nNous vous remercions de votre confiance.\n\nBien cordialement,\nMenuiserie Lambert SARL',
    );
  });

  it('a quote names its validity date', () => {
    const message = fillMessage(DEFAULT_TEMPLATES.quote, { ...INVOICE, type: 'quote', number: 'D-2026-0007', dueDate: null, validityDate: '2027-01-15' });
    expect(message.subject).toBe('Devis D-2026-0007 — Menuiserie Lambert SARL');
    expect(message.body).toContain('notre devis D-2026-0007');
    expect(message.body).toContain("valable jusqu'au 15/01/2027");
  });

  it('every document type has a template using known placeholders only, and none is left unfilled', () => {
    for (const type of DOCUMENT_TYPES) {
      const template = DEFAULT_TEMPLATES[type];
      expect(unknownPlaceholders(template.subject + template.body), type).toEqual([]);
      const message = fillMessage(template, { ...INVOICE, type });
      expect(message.subject + message.body, type).not.toMatch(/\{\w+\}/);
      expect(message.subject, type).toContain('F-2026-0042');
    }
  });

  it('names the unknown placeholders of a template and leaves them as written', () => {
    expect(unknownPlaceholders('Facture {numero} pour {nom_client} {nom_client}')).toEqual(['nom_client']);
    expect(fillTemplate('{client} : {inconnu}', INVOICE)).toBe('Boulangerie Renard : {inconnu}');
  });

  it('fills in one pass: a value that reads as a placeholder stays as written', () => {
    expect(fillTemplate('{client} — {numero}', { ...INVOICE, customer: 'Société {numero} & {iban}' })).toBe('Société {numero} & {iban} — F-2026-0042');
  });
});

describe('what the dialog sends', () => {
  const valid = { to: ['compta@renard.example'], subject: 'Facture', body: 'Bonjour', idempotencyKey: 'abcdefgh' };

  it('accepts a message and defaults cc and bcc to none', () => {
    expect(sendMessageSchema.parse(valid)).toEqual({ ...valid, cc: [], bcc: [] });
  });

  it('refuses header injection, bad addresses, too many recipients and unknown fields', () => {
    const refused = (input: object) => !sendMessageSchema.safeParse({ ...valid, ...input }).success;
    expect(refused({ subject: 'Facture\r\nBcc: x@y.fr' })).toBe(true);
    expect(refused({ subject: 'Facture\nBcc: x@y.fr' })).toBe(true);
    expect(refused({ to: ['a@b.fr\r\nBcc: x@y.fr'] })).toBe(true);
    expect(refused({ to: ['a@b.fr, c@d.fr'] })).toBe(true);
    expect(refused({ to: [] })).toBe(true);
    expect(refused({ to: Array.from({ length: 21 }, (_, i) => `c${i}@b.fr`) })).toBe(true);
    expect(refused({ to: ['a@b.fr'], bcc: Array.from({ length: 20 }, (_, i) => `c${i}@b.fr`) })).toBe(true);
    expect(refused({ body: 'x'.repeat(20_001) })).toBe(true);
    expect(refused({ body: 'x'.repeat(20_000) })).toBe(false);
    expect(refused({ from: 'pirate@example.com' })).toBe(true);
  });
});
