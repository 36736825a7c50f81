/**
 * Journey: the business owner rewrites the e-mail that goes with their invoices. In Paramètres ›
 * Modèles d'e-mails they edit the invoice's subject and body, insert a placeholder with a click,
 * see the preview filled with a sample invoice and their own name and IBAN, are told at once of a
 * placeholder that does not exist, and save. « Envoyer par e-mail » on an issued invoice then
 * opens with their text, filled for that invoice; « Revenir au modèle par défaut » brings the
 * default back, in the editor and in the dialog. The page fits a 375 px phone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LINE, SELLER } from '../helpers/invoicing';
import { withArtifacts, type Tab } from './driver';
import { apiFromPage, engines, expectCleanConsole, fieldValue, journey, JOURNEY_TIMEOUT_MS, normalizeSpaces, startE2E, testId, waitUntil, type E2E } from './support';

const COMPANY = 'Atelier Roux SARL';
const SUBJECT = 'Votre facture {numero} — {entreprise}';
/** One line: WebKit's WebDriver types no line break into a textarea. */
const BODY = 'Bonjour {client}, voici notre facture {numero}. Merci de régler {reste_du} avant le {echeance}, par virement (IBAN {iban}).';
const PHONE = { width: 375, height: 740 };

describe.each(engines())('editing the invoice e-mail template (%s)', (engine) => {
  let e2e: E2E;
  const tabs: Tab[] = [];
  beforeAll(async () => {
    e2e = await startE2E(engine);
  });
  afterAll(async () => {
    await e2e?.close();
  });

  it('saves a custom invoice template with a live preview, sends with it, and goes back to the default', async () => {
    await withArtifacts('mail templates', () => tabs, async () => {
      const { tab, dossierId } = await journey(e2e, tabs, { name: 'Hélène Roux', company: 'Atelier Roux' });
      const base = `/api/d/${dossierId}`;
      await apiFromPage(tab, 'PATCH', `${base}/settings`, { ...SELLER, legalName: COMPANY });

      await tab.goto(`/d/${dossierId}/settings`);
      await tab.click("Le texte des e-mails envoyés avec vos pièces se règle dans « Modèles d'e-mails ».");
      await tab.waitForText('Variables');
      await tab.click({ role: 'button', name: /^Facture$/ });
      expect(await fieldValue(tab, 'Objet')).toBe('Facture {numero} — {entreprise}');
      await tab.waitForText(`Facture F-2026-0042 — ${COMPANY}`, { selector: testId('preview-subject') });

      await tab.fill('Objet', SUBJECT);
      await tab.fill('Message', `${BODY} Montant : {montant}`);
      // Flagged while typing, with the placeholders that exist.
      await tab.waitForText(/Variable inconnue : \{montant\}\. Variables possibles : \{type\}, \{numero\}/);
      await tab.fill('Message', `${BODY} À bientôt, `);
      await tab.click('Insérer la variable : Nom du client');
      const inserted = `${BODY} À bientôt, {client}`;
      await waitUntil('the placeholder inserted at the cursor', async () => (await fieldValue(tab, 'Message')) === inserted).catch(() => {});
      expect(await fieldValue(tab, 'Message')).toBe(inserted);
      expect(normalizeSpaces(await tab.text('main'))).not.toContain('Variable inconnue');

      const preview = normalizeSpaces(await tab.text(testId('preview-body')));
      expect(preview).toContain('Bonjour Boulangerie Renard, voici notre facture F-2026-0042. Merci de régler 1 234,56 € avant le 31/03/2026');
      expect(preview).toContain(`IBAN ${SELLER.iban}`);
      expect(normalizeSpaces(await tab.text(testId('preview-subject')))).toBe(`Votre facture F-2026-0042 — ${COMPANY}`);

      await tab.click({ role: 'button', name: /^Enregistrer/ });
      await tab.waitForText('Modèle enregistré.');
      await tab.waitForText('personnalisé', { selector: testId('template-state') });
      expect(normalizeSpaces(await tab.text('.mail-templates__kinds'))).toContain('Facture personnalisé');

      // At 375 px the editor fits the screen.
      await tab.setViewport(PHONE);
      await waitUntil('the page fits 375 px', async () => (await tab.evaluate(() => document.documentElement.scrollWidth)) <= PHONE.width);
      await tab.setViewport({ width: 1280, height: 900 });

      const customer = await apiFromPage(tab, 'POST', `${base}/customers`, {
        kind: 'company',
        name: 'Maison Dubois SAS',
        billingAddress: { line1: '3 place du Marché', line2: '', postalCode: '38000', city: 'Grenoble', country: 'FR' },
        emails: ['comptabilite@dubois.example'],
      });
      const draft = await apiFromPage(tab, 'POST', `${base}/invoices`, { type: 'invoice', customerId: customer.customer.id, lines: [LINE] });
      const issued = await apiFromPage(tab, 'POST', `${base}/invoices/${draft.document.id}/issue`, { version: draft.document.version });
      const number = issued.document.number as string;

      const openDialog = async () => {
        await tab.goto(`/d/${dossierId}/invoices/${draft.document.id}`);
        await tab.waitForText(number, { selector: testId('document-number') });
        await tab.click('Envoyer par e-mail');
        await tab.waitForText('Aperçu du message');
      };
      await openDialog();
      expect(await fieldValue(tab, 'Objet')).toBe(`Votre facture ${number} — ${COMPANY}`);
      const body = normalizeSpaces((await fieldValue(tab, 'Message')) ?? '');
      expect(body).toContain(`Bonjour Maison Dubois SAS, voici notre facture ${number}. Merci de régler 642,00 € avant le`);
      expect(body).toContain(`IBAN ${SELLER.iban}`);
      expect(body).toContain('À bientôt, Maison Dubois SAS');
      expect(normalizeSpaces(await tab.text('.mail-preview__body'))).toBe(body);
      await tab.click('Annuler');

      await tab.goto(`/d/${dossierId}/settings/emails`);
      await tab.waitForText('personnalisé', { selector: testId('template-state') });
      expect(await fieldValue(tab, 'Objet')).toBe(SUBJECT);
      await tab.click('Revenir au modèle par défaut');
      await tab.click('Oui, revenir au modèle par défaut');
      await tab.waitForText('Le modèle par défaut est rétabli.');
      await tab.waitForText('modèle par défaut', { selector: testId('template-state') });
      expect(await fieldValue(tab, 'Objet')).toBe('Facture {numero} — {entreprise}');

      await openDialog();
      expect(await fieldValue(tab, 'Objet')).toBe(`Facture ${number} — ${COMPANY}`);
      expect(normalizeSpaces((await fieldValue(tab, 'Message')) ?? '')).toContain(`Veuillez trouver ci-joint notre facture ${number}`);
      expectCleanConsole(tab);
    });
  }, JOURNEY_TIMEOUT_MS);
});
