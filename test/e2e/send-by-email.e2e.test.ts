/**
 * Journey: sending an invoice by e-mail from its page. The business owner opens an issued invoice,
 * « Envoyer par e-mail » shows the customer's address, the subject and body from the French
 * template and the PDF's name; « Envoyer », and the page shows the message *envoyé* with its
 * recipient. Without SMTP the message lands in the local outbox: it is there, with its headers
 * and the invoice's PDF attached, byte for byte the invoice's frozen PDF.
 *
 * Journey: a Commercial sends a quote. The owner invites a Commercial, who opens a finalised quote,
 * « Envoyer par e-mail », and sees it *envoyé* with its recipient; invoices are not theirs to see,
 * let alone send. The owner's « Envois » page then lists both the quote's and an invoice's messages
 * with their states, and a filter narrows them (kept in the URL); once the invoice's message is
 * refused, its sender gets a notice on every page, with « Voir » and « J’ai vu ».
 *
 * The company details, the customer and the documents are created through the API from the page
 * (as the web app does, with its session and CSRF token): the journeys are the sending.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SELLER, LINE } from '../helpers/invoicing';
import { withArtifacts, type Tab } from './driver';
import {
  acceptInvitation,
  apiFromPage,
  engines,
  expectCleanConsole,
  fieldValue,
  invite,
  journey,
  JOURNEY_TIMEOUT_MS,
  normalizeSpaces,
  openTab,
  startE2E,
  uniqueEmail,
  waitUntil,
  type E2E,
} from './support';

const CUSTOMER_EMAIL = 'comptabilite@dubois.example';
const CUSTOMER = {
  kind: 'company',
  name: 'Maison Dubois SAS',
  siren: '404833048',
  vatNumber: 'FR83404833048',
  billingAddress: { line1: '3 place du Marché', line2: '', postalCode: '38000', city: 'Grenoble', country: 'FR' },
  emails: [CUSTOMER_EMAIL],
};

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
      const customer = await apiFromPage(tab, 'POST', `${base}/customers`, CUSTOMER);
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

  it('a Commercial sends a quote and cannot reach invoices; the owner sees every message on « Envois », filters them, and is told of a failure', async () => {
    await withArtifacts('commercial sends a quote', () => tabs, async () => {
      const company = 'Menuiserie Garnier';
      const { tab: owner, dossierId } = await journey(e2e, tabs, { name: 'Paul Garnier', company });
      const base = `/api/d/${dossierId}`;
      await apiFromPage(owner, 'PATCH', `${base}/settings`, { ...SELLER, legalName: company, email: 'contact@garnier.example' });
      const customer = await apiFromPage(owner, 'POST', `${base}/customers`, CUSTOMER);
      const quoteDraft = await apiFromPage(owner, 'POST', `${base}/quotes`, { type: 'quote', customerId: customer.customer.id, lines: [LINE] });
      const quote = await apiFromPage(owner, 'POST', `${base}/quotes/${quoteDraft.document.id}/issue`, { version: quoteDraft.document.version });
      const invoiceDraft = await apiFromPage(owner, 'POST', `${base}/invoices`, { type: 'invoice', customerId: customer.customer.id, lines: [LINE] });
      const invoice = await apiFromPage(owner, 'POST', `${base}/invoices/${invoiceDraft.document.id}/issue`, { version: invoiceDraft.document.version });
      const invoiceMessage = await apiFromPage(owner, 'POST', `${base}/invoices/${invoice.document.id}/send`, {
        to: ['direction@dubois.example'],
        subject: `Facture ${invoice.document.number}`,
        body: 'Bonjour,\nci-joint notre facture.',
        idempotencyKey: `journey-${Date.now().toString(36)}`,
      });

      const commercialEmail = uniqueEmail('lea');
      await invite(owner, dossierId, commercialEmail, 'Commercial');
      const { tab: commercial } = await openTab(e2e, tabs);
      await acceptInvitation(commercial, { email: commercialEmail, name: 'Léa Fontaine', company });
      const nav = await commercial.text('nav[aria-label="Navigation du dossier"]');
      expect(nav).toContain('Devis');
      expect(nav).toContain('Envois');
      expect(nav).not.toContain('Factures');

      await commercial.goto(`/d/${dossierId}/quotes/${quoteDraft.document.id}`);
      await commercial.waitForText(quote.document.number, { selector: '[data-testid="document-number"]' });
      await commercial.click('Envoyer par e-mail');
      await commercial.waitForText('Aperçu du message');
      await waitUntil('the customer’s address prefilled', async () => (await fieldValue(commercial, 'Destinataires')) === CUSTOMER_EMAIL);
      expect(await fieldValue(commercial, 'Objet')).toBe(`Devis ${quote.document.number} — ${company}`);
      await commercial.click('Envoyer');
      await commercial.waitForText(/Envoyé le .* à comptabilite@dubois\.example/, { selector: '[data-testid="document-messages"]', timeoutMs: 30_000 });

      // Invoices are not the Commercial's: the page is refused, with nothing to send.
      await commercial.goto(`/d/${dossierId}/invoices/${invoiceDraft.document.id}`);
      await commercial.waitForText('Accès non autorisé');
      expect(await commercial.text('main')).not.toContain('Envoyer par e-mail');
      expect(await commercial.text('main')).not.toContain(invoice.document.number);
      // Their « Envois » shows their quote's message only.
      await commercial.goto(`/d/${dossierId}/envois`);
      await commercial.waitForText(`Devis ${quote.document.number}`, { selector: '[data-testid="envois"]' });
      expect(await commercial.text('[data-testid="envois"]')).not.toContain(invoice.document.number);

      await owner.goto(`/d/${dossierId}/envois`);
      await owner.waitForText(`Facture ${invoice.document.number}`, { selector: '[data-testid="envois"]' });
      await owner.waitForText(`Devis ${quote.document.number}`, { selector: '[data-testid="envois"]' });
      await waitUntil('both messages sent', async () => (await owner.text('[data-testid="envois"]')).match(/Envoyé le/g)?.length === 2, 30_000);
      const table = normalizeSpaces(await owner.text('[data-testid="envois"]'));
      expect(table).toContain('Léa Fontaine');
      expect(table).toContain('Paul Garnier');
      expect(table).toContain(CUSTOMER_EMAIL);
      expect(table).toContain('direction@dubois.example');

      await owner.select('Type', 'Devis');
      await owner.waitForUrl((url) => url.includes('type=quote'));
      await waitUntil('only the quote listed', async () => !(await owner.text('[data-testid="envois"]')).includes(invoice.document.number));
      expect(await owner.text('[data-testid="envois"]')).toContain(`Devis ${quote.document.number}`);

      // The invoice's message refused by the server (as a 550 reply leaves it): its sender, the
      // owner, gets a notice on every page until they say they saw it; the Commercial gets none.
      await e2e.server.ctx.db
        .updateTable('outgoing_messages')
        .set({ state: 'failed', smtp_response: '550 5.1.1 Adresse inconnue', sent_at: null })
        .where('dossier_id', '=', dossierId)
        .where('id', '=', invoiceMessage.message.id)
        .execute();
      await owner.goto(`/d/${dossierId}/customers`);
      const notice = new RegExp(`L’envoi de la facture ${invoice.document.number} à direction@dubois\\.example a échoué : 550 5\\.1\\.1 Adresse inconnue`);
      await owner.waitForText(notice, { selector: '[data-testid="sending-notices"]' });
      await commercial.goto(`/d/${dossierId}/quotes`);
      await commercial.waitForText('Devis', { selector: 'h1' });
      expect(await commercial.text('main')).not.toContain('a échoué');
      await owner.click({ role: 'link', name: 'Voir' });
      await owner.waitForText(invoice.document.number, { selector: '[data-testid="document-number"]' });
      await owner.waitForText('Échec définitif', { selector: '[data-testid="document-messages"]' });
      await owner.click('J’ai vu');
      await waitUntil('the notice dismissed', async () => !(await owner.text('main')).includes('a échoué'));
      await owner.goto(`/d/${dossierId}/envois?state=failed`);
      await owner.waitForText(`Facture ${invoice.document.number}`, { selector: '[data-testid="envois"]' });
      expect(await owner.text('main')).not.toContain('a échoué');
      expectCleanConsole(owner);
      expectCleanConsole(commercial);
    });
  // Two people, four pages and a notice: twice a journey's usual time.
  }, 2 * JOURNEY_TIMEOUT_MS);
});
