import { describe, expect, it } from 'vitest';
import { mailTemplateSchema, sampleValues, unknownPlaceholderMessage } from './mail-templates';
import { DEFAULT_REMINDER_TEMPLATES, DEFAULT_TEMPLATES, fillTemplate, TEMPLATE_KINDS, defaultTemplate } from './outgoing-mail';

const DOSSIER = { legalName: 'Menuiserie Lambert SARL', iban: 'FR7630006000011234567890189', bic: 'AGRIFRPP' };

describe('a template as saved', () => {
  it('accepts every default, and keeps the text trimmed, NFC, with LF line breaks', () => {
    for (const kind of TEMPLATE_KINDS) expect(mailTemplateSchema.safeParse(defaultTemplate(kind)).success, kind).toBe(true);
    const parsed = mailTemplateSchema.parse({ subject: ' Facture {numero} ', body: 'Cafe\u0301\r\n{client}\r' });
    expect(parsed).toEqual({ subject: 'Facture {numero}', body: 'Café\n{client}' });
  });

  it('names unknown placeholders, with the valid ones, in the field that holds them', () => {
    expect(unknownPlaceholderMessage('Bonjour {client}')).toBeNull();
    expect(unknownPlaceholderMessage('{montant} et {montant}')).toBe(
      'Variable inconnue : {montant}. Variables possibles : {type}, {numero}, {montant_ttc}, {echeance}, {client}, {entreprise}, {iban}, {bic}, {reste_du}, {jours_retard}.',
    );
    const result = mailTemplateSchema.safeParse({ subject: 'Facture {ref}', body: '{a} {b}' });
    expect(result.success).toBe(false);
    const byField = Object.fromEntries(result.error!.issues.map((i) => [String(i.path[0]), i.message]));
    expect(byField.subject).toMatch(/^Variable inconnue : \{ref\}\./);
    expect(byField.body).toMatch(/^Variables inconnues : \{a\}, \{b\}\./);
  });

  it('refuses a line break in the subject, an empty subject or body, and a body over 20,000 characters', () => {
    for (const input of [
      { subject: 'Facture\nBcc: x@exemple.fr', body: 'Bonjour' },
      { subject: '', body: 'Bonjour' },
      { subject: 'Facture', body: '  ' },
      { subject: 'Facture', body: 'a'.repeat(20_001) },
      { subject: 'Facture', body: 'Bonjour', to: 'x' },
    ]) {
      expect(mailTemplateSchema.safeParse(input).success, JSON.stringify(input).slice(0, 60)).toBe(false);
    }
    expect(mailTemplateSchema.safeParse({ subject: 'Facture', body: 'a'.repeat(20_000) }).success).toBe(true);
  });
});

describe("the editor's sample", () => {
  it('fills every placeholder of every default with a plausible invoice of the dossier', () => {
    const invoice = fillTemplate(DEFAULT_TEMPLATES.invoice.subject + DEFAULT_TEMPLATES.invoice.body, sampleValues('invoice', DOSSIER));
    expect(invoice).toContain('Facture F-2026-0042 — Menuiserie Lambert SARL');
    expect(invoice).toContain('1\u202f234,56\u00a0€ TTC, à régler au plus tard le 31/03/2026');
    const reminder = fillTemplate(DEFAULT_REMINDER_TEMPLATES[2].body, sampleValues('reminder_2', DOSSIER));
    expect(reminder).toContain('impayée depuis 12 jours : 834,56\u00a0€ TTC restent dus');
    expect(reminder).toContain('IBAN FR7630006000011234567890189 — BIC AGRIFRPP');
    for (const kind of TEMPLATE_KINDS) {
      const template = defaultTemplate(kind);
      expect(fillTemplate(template.subject + template.body, sampleValues(kind, DOSSIER)), kind).not.toMatch(/\{\w+\}/);
    }
  });
});
