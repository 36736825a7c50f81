/**
 * Journey: sending an invoice by e-mail from its page. The business owner opens an issued invoice,
 * « Envoyer par e-mail » shows the customer's address, the subject and body from the French
 * template and the PDF's name; « Envoyer », and the page shows the message *envoyé* with its
 * recipient. Without SMTP the message lands in the local outbox: it is there, with its headers
 * and the invoice's PDF attached, byte for byte the invoice's frozen PDF.
 *
 * The company details, the customer and the invoice are created through the API from the page
 * (as the web app does, with its session and CSRF token): the journey is the sending.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SELLER, LINE } from '../helpers/invoicing';
import { withArtifacts, type Tab } from './driver';
import { apiFromPage, engines, expectCleanConsole, fieldValue, journey, JOURNEY_TIMEOUT_MS, normalizeSpaces, startE2E, waitUntil, type E2E } from './support';

const CUSTOMER_EMAIL = 'comptabilite@dubois.example';

describe.each(engines())('sending an invoice by e-mail (%s)', (engine) => {
  let e2e: E2E;
  const tabs: Tab[] = [];
  beforeAll(async () => {
    e2e = await startE2E(engine);
  });
  afterAll(async () => {
    await e2e?.close();
  });

  it('sends an issued invoice from its page, shows it sent to its recipient, and the outbox holds it with its PDF', async () => {
    await withArtifacts('send by email', () => tabs, async () => {
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
      const draft = await apiFromPage(tab, 'POST', `${base}/invoices`, { type: 'invoice', customerId: customer.customer.id, lines: [LINE] });
      const issued = await apiFromPage(tab, 'POST', `${base}/invoices/${draft.document.id}/issue`, { version: draft.document.version });
      const number = issued.document.number as string;

      await tab.goto(`/d/${dossierId}/invoices/${draft.document.id}`);
      await tab.waitForText(number, { selector: '[data-testid="document-number"]' });
      await tab.click('Envoyer par e-mail');
      await tab.waitForText('Aperçu du message');
      await waitUntil('the customer’s address prefilled', async () => (await fieldValue(tab, 'Destinataires')) === CUSTOMER_EMAIL);
      expect(await fieldValue(tab, 'Objet')).toBe(`Facture ${number} — Atelier Roux SARL`);
      expect(await tab.text('[data-testid="mail-attachment"]')).toBe(`${number}.pdf`);
      const body = await fieldValue(tab, 'Message');
      expect(normalizeSpaces(body ?? '')).toContain(`notre facture ${number} d'un montant de 642,00 € TTC`);
      await tab.fill('Copie (cc)', 'associee@roux.example');
      await tab.click('Envoyer');

      // Accepted by the local outbox: the page says so, with the recipient.
      await tab.waitForText(/Envoyé le .* à comptabilite@dubois\.example/, { selector: '[data-testid="document-messages"]', timeoutMs: 30_000 });
      await tab.waitForText('Envoi par e-mail demandé', { selector: '.history' });

      await tab.goto('/outbox');
      await tab.click({ role: 'link', name: new RegExp(`^Facture ${number}`) });
      await tab.waitForText(`Facture ${number} — Atelier Roux SARL`, { selector: 'article' });
      const article = normalizeSpaces(await tab.text('article'));
      expect(article).toContain(CUSTOMER_EMAIL);
      expect(article).toContain('associee@roux.example');
      expect(article).toContain('contact@roux.example');
      expect(article).toContain(`${number}.pdf`);
      // The attachment, as its link serves it, is the invoice's frozen PDF.
      const same = await tab.evaluate(
        async ({ pdfPath }) => {
          const link = document.querySelector<HTMLAnchorElement>('article a[href*="/attachments/"]');
          if (!link) return 'no attachment link';
          const [attached, frozen] = await Promise.all([fetch(link.href), fetch(pdfPath)]);
          const a = new Uint8Array(await attached.arrayBuffer());
          const b = new Uint8Array(await frozen.arrayBuffer());
          if (attached.headers.get('content-type') !== 'application/pdf') return `content type ${attached.headers.get('content-type')}`;
          return a.length === b.length && a.every((byte, i) => byte === b[i]) ? 'identical' : `different (${a.length} / ${b.length} bytes)`;
        },
        { pdfPath: `${base}/invoices/${draft.document.id}/pdf` },
      );
      expect(same).toBe('identical');
      expectCleanConsole(tab);
    });
  }, JOURNEY_TIMEOUT_MS);
});
