/**
 * Journey: reminding an overdue invoice from the invoice list. The business owner's invoice,
 * issued sixty days ago and payable on receipt, is overdue: the list offers « Relancer », the
 * dialog opens with the customer's address and the first level's template (« Rappel : facture … »),
 * « Envoyer », and the list shows « Relance 1 — <today> »; filtering on « Relance 1 » keeps it. The
 * invoice's page lists the message with its level, and its own « Relancer » sends the second level.
 * In Paramètres › Relances, each level shows the subject it is sent with (the dossier's own template
 * where it edited one), and a level's days are checked and saved.
 *
 * The company details, the customer and the invoice are created through the API from the page
 * (as the web app does, with its session and CSRF token): the journey is the reminder.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, parisDate } from '../../src/core/dates';
import { SELLER, LINE } from '../helpers/invoicing';
import { withArtifacts, type Tab } from './driver';
import { apiFromPage, engines, expectCleanConsole, fieldValue, journey, JOURNEY_TIMEOUT_MS, startE2E, waitUntil, type E2E } from './support';

const CUSTOMER_EMAIL = 'comptabilite@dubois.example';

describe.each(engines())('reminding an overdue invoice (%s)', (engine) => {
  let e2e: E2E;
  const tabs: Tab[] = [];
  beforeAll(async () => {
    e2e = await startE2E(engine);
  });
  afterAll(async () => {
    await e2e?.close();
  });

  it('« Relancer » from the invoice list sends the first reminder and the list shows « Relance 1 »; from the invoice’s page, the second', async () => {
    await withArtifacts('reminders', () => tabs, async () => {
      const { tab, dossierId } = await journey(e2e, tabs, { name: 'Hélène Roux', company: 'Atelier Roux' });
      const base = `/api/d/${dossierId}`;
      await apiFromPage(tab, 'PATCH', `${base}/settings`, { ...SELLER, legalName: 'Atelier Roux SARL', email: 'contact@roux.example' });
      const customer = await apiFromPage(tab, 'POST', `${base}/customers`, {
        kind: 'company',
        name: 'Maison Dubois SAS',
        siren: '404833048',
        vatNumber: 'FR83404833048',
        billingAddress: { line1: '3 place du Marché', line2: '', postalCode: '38000', city: 'Grenoble', country: 'FR' },
        emails: [CUSTOMER_EMAIL],
      });
      const draft = await apiFromPage(tab, 'POST', `${base}/invoices`, {
        type: 'invoice',
        customerId: customer.customer.id,
        issueDate: addDays(parisDate(), -60),
        paymentTerms: { days: 0, endOfMonth: false },
        lines: [LINE],
      });
      const issued = await apiFromPage(tab, 'POST', `${base}/invoices/${draft.document.id}/issue`, { version: draft.document.version });
      const number = issued.document.number as string;

      await tab.goto(`/d/${dossierId}/invoices`);
      await tab.waitForText(number);
      await tab.click('Relancer');
      await tab.waitForText('Aperçu du message');
      await waitUntil('the customer’s address prefilled', async () => (await fieldValue(tab, 'Destinataires')) === CUSTOMER_EMAIL);
      expect(await fieldValue(tab, 'Objet')).toBe(`Rappel : facture ${number} — Atelier Roux SARL`);
      await tab.click('Envoyer');

      const today = parisDate().split('-').reverse().slice(0, 2).join('/');
      await tab.waitForText(`Relance 1 — ${today}`, { selector: '[data-testid="reminder-level"]', timeoutMs: 30_000 });
      await tab.select('Relance', 'Relance 1');
      await waitUntil('the filter in the URL', async () => (await tab.url()).includes('reminder=1'));
      await tab.waitForText(number);

      await tab.goto(`/d/${dossierId}/invoices/${draft.document.id}`);
      await tab.waitForText('Relance 1 — Relance courtoise', { selector: '[data-testid="document-messages"]' });
      await tab.waitForText(/Envoyé le .* à comptabilite@dubois\.example/, { selector: '[data-testid="document-messages"]', timeoutMs: 30_000 });
      // « Relancer » from the invoice's own page: the next level.
      await tab.click('Relancer');
      await tab.waitForText('Aperçu du message');
      expect(await fieldValue(tab, 'Objet')).toBe(`Deuxième rappel : facture ${number} impayée — Atelier Roux SARL`);
      await tab.click('Envoyer');
      await tab.waitForText('Relance 2 — Relance ferme', { selector: '[data-testid="document-messages"]', timeoutMs: 30_000 });

      // Paramètres › Relances: each level explained with the template it is sent with (the dossier's
      // own where it edited one, the default otherwise); the days are checked.
      await apiFromPage(tab, 'PUT', `${base}/mail-templates/reminder_2`, { subject: 'Facture {numero} toujours impayée', body: 'Bonjour,\n\n{reste_du} restent dus.' });
      await tab.goto(`/d/${dossierId}/settings`);
      await tab.waitForText('Mise en demeure de payer : facture {numero} — {entreprise}', { selector: '#reminders-title + p + form' });
      await tab.waitForText('Facture {numero} toujours impayée', { selector: '#reminders-title + p + form' });
      await tab.fill('Jours après l’échéance', '0');
      await tab.click('Enregistrer les relances');
      await tab.waitForText('Au moins 1 jour après l’échéance.');
      await tab.fill('Jours après l’échéance', '10');
      await tab.click('Enregistrer les relances');
      await tab.waitForText('Plan de relance enregistré.');
      const plan = await apiFromPage(tab, 'GET', `${base}/reminder-plan`);
      expect(plan.plan).toEqual({ mode: 'manual', days: { 1: 10, 2: 30, 3: 45 } });
      expectCleanConsole(tab);
    });
  }, JOURNEY_TIMEOUT_MS);
});
