/**
 * Journey: invoicing through the screens. A business owner signs up, fills in what invoices must
 * carry, creates a customer and a catalogue item, writes a quote (a catalogue line picked from the
 * autocomplete, a free line typed with the keyboard), finalises and accepts it, invoices a 30 %
 * deposit then the balance, records two payments, cancels the invoice with a credit note,
 * duplicates it, and checks its PDF. Every number, status and amount is read on screen, to the cent.
 *
 * And: a Commercial sees quotes and customers, but not invoices.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPdf } from '../helpers/pdf';
import { ARTIFACTS_DIR, withArtifacts, type Tab } from './driver';
import {
  acceptInvitation,
  engines,
  escapeRegExp,
  expectCleanConsole,
  expectShown,
  fieldValue,
  focusedLabel,
  journey,
  normalizeSpaces,
  openTab,
  startE2E,
  testId,
  uniqueEmail,
  waitUntil,
  type E2E,
} from './support';

/** Today and this year in Paris, as the server dates and numbers documents. */
const TODAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
const YEAR = TODAY.slice(0, 4);
const TODAY_FR = TODAY.split('-').reverse().join('/');
const NBSP = '\u00a0';

const COMPANY = 'Parquets Martin';
const CUSTOMER = 'Maison Dubois SAS';
const PRODUCT = 'Pose de parquet';

// The amounts of the journey, worked out by hand:
// - quote: 12,5 m² × 42,80 € = 535,00 € HT at 20 % (TVA 107,00 €); 3 × 19,99 € = 59,97 € HT at 10 %
//   (TVA 5,997 → 6,00 €): 594,97 € HT, 113,00 € TVA, 707,97 € TTC;
// - deposit of 30 %, per rate: 160,50 € HT + 32,10 € TVA, and 17,99 € HT + 1,80 € TVA: 178,49 € HT,
//   33,90 € TVA, 212,39 € TTC;
// - final invoice: 707,97 − 212,39 = 495,58 € to pay (416,48 € HT, 79,10 € TVA);
// - payments: 200,00 €, then the remaining 295,58 €.

/** An amount as the screens show it once whitespace is normalised: `EUR('1 234,56')` → `1 234,56 €`. */
const EUR = (amount: string) => `${amount} €`;

const SLOW = { timeoutMs: 60_000 };
const UUID = '[0-9a-f-]{36}';

/** Runs one step of the journey; a failure names the step. */
async function step<T>(name: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof Error) error.message = `[${name}] ${error.message}`;
    throw error;
  }
}

/** The focus is on the control labelled `label` (checks that a key moved it there). */
async function expectFocusOn(tab: Tab, label: string): Promise<void> {
  let focused = '';
  try {
    await waitUntil(`the focus is on "${label}"`, async () => (focused = await focusedLabel(tab)) === label, 10_000);
  } catch {
    expect(focused, 'the focused control').toBe(label);
  }
}

/**
 * Clicks an autocomplete's proposal, until `picked` says it was taken: a proposal shown for the
 * previous search can be replaced (debounce, new request) between finding it and clicking it.
 */
async function pickProposal(tab: Tab, option: RegExp, picked: () => Promise<boolean>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await tab.click({ role: 'option', name: option });
    try {
      await waitUntil(`the proposal ${String(option)} is taken`, picked, 5_000);
      return;
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
}

/**
 * Confirms the issue / finalise dialog the way a keyboard user does: the dialog opens with the
 * focus on its confirm button (named like the action that opened it), and Enter presses it.
 */
async function confirmIssueDialog(tab: Tab, title: string, warning: string, button: string): Promise<void> {
  await tab.waitForText(title, { selector: 'dialog[open]' });
  await tab.waitForText(warning, { selector: 'dialog[open]' });
  let focused = { inDialog: false, text: '' };
  try {
    await waitUntil(`the focus is on the dialog's "${button}"`, async () => {
      focused = await tab.evaluate(() => {
        const el = document.activeElement;
        return { inDialog: Boolean(el?.closest('dialog[open]')), text: (el?.textContent ?? '').replace(/\s+/g, ' ').trim() };
      });
      return focused.inDialog && focused.text === button;
    }, 10_000);
  } catch {
    expect(focused, 'the focused element of the dialog').toEqual({ inDialog: true, text: button });
  }
  await tab.press('Enter');
}

/** The header of a document page: its number, status and (issued invoices) balance. */
async function expectDocument(tab: Tab, expected: { number: string; status: string; balance?: string; paid?: string }): Promise<void> {
  await expectShown(tab, testId('document-number'), expected.number, SLOW.timeoutMs);
  await expectShown(tab, testId('document-status'), expected.status, SLOW.timeoutMs);
  if (expected.balance !== undefined) await expectShown(tab, testId('document-balance'), expected.balance);
  if (expected.paid !== undefined) await expectShown(tab, testId('document-paid'), expected.paid);
}

async function expectTotals(tab: Tab, ht: string, tva: string, ttc: string): Promise<void> {
  await expectShown(tab, testId('total-ht'), ht);
  await expectShown(tab, testId('total-tva'), tva);
  await expectShown(tab, testId('total-ttc'), ttc);
}

/** The cells of line `n` of the lines editor, as shown: Réf., Désignation, Quantité, Unité, Prix unitaire HT, TVA. */
async function lineCells(tab: Tab, n: number): Promise<(string | null)[]> {
  const fields = ['Réf.', 'Désignation', 'Quantité', 'Unité', 'Prix unitaire HT', 'TVA'];
  return Promise.all(fields.map((field) => fieldValue(tab, `${field} — ligne ${n}`)));
}

/** The quote's lines as typed (and as a duplicate of its invoice shows them). */
const QUOTE_LINES = [
  ['POSE-PARQUET', PRODUCT, '12,5', 'm²', '42,8', '20 %'],
  ['', 'Plinthes', '3', 'pièce', '19,99', '10 %'],
];

/** The page's "TVA par taux" table, row by row: rate, base HT, TVA. */
async function vatSummary(tab: Tab): Promise<string[]> {
  return tab.evaluate(() =>
    Array.from(document.querySelectorAll('.totals__vat-table tbody tr')).map((row) =>
      Array.from(row.children)
        .map((cell) => (cell.textContent ?? '').replace(/\s+/g, ' ').trim())
        .join(' | '),
    ),
  );
}

describe.each(engines())('invoicing journey (%s)', (engine) => {
  let e2e: E2E;
  const tabs: Tab[] = [];
  beforeAll(async () => {
    e2e = await startE2E(engine);
  });
  afterAll(async () => {
    await e2e?.close();
  });

  it('quote → deposit → final invoice → payments → credit note → duplicate → PDF', async () => {
    await withArtifacts(`invoicing journey ${engine}`, () => tabs, async () => {
      const { tab, dossierId } = await step('1. sign up and dossier settings', () =>
        journey(e2e, tabs, { name: 'Camille Martin', company: COMPANY }, {
          settings: {
            legalForm: 'SARL',
            siren: '732 829 320',
            shareCapital: '8 000,00',
            rcsCity: 'Nantes',
            street: '4 rue de la Scierie',
            postalCode: '44000',
            city: 'Nantes',
            vatNumber: 'FR44732829320',
            iban: 'FR76 3000 6000 0112 3456 7890 189',
          },
          timeoutMs: SLOW.timeoutMs,
        }),
      );

      await step('2a. customer', async () => {
        await tab.click('Clients');
        await tab.waitForText('Aucun client pour le moment.');
        await tab.click('Nouveau client');
        await tab.waitForText('Adresse de facturation');
        await tab.check('Entreprise');
        await tab.fill('Nom', CUSTOMER);
        await tab.fill('SIREN', '404 833 048');
        await tab.fill('Numéro et voie', '8 quai Saint-Vincent');
        await tab.fill('Code postal', '69001');
        await tab.fill('Ville', 'Lyon');
        await tab.click('Créer le client');
        await tab.waitForUrl(new RegExp(`/customers/${UUID}$`), SLOW);
        await expectShown(tab, 'h1', CUSTOMER);
        expect(await fieldValue(tab, 'SIREN')).toBe('404833048');
        await tab.click('← Tous les clients');
        await tab.waitForText('1 client(s)');
        expect(normalizeSpaces(await tab.text('table'))).toContain(`${CUSTOMER} Entreprise 404833048`);
      });

      await step('2b. catalogue item', async () => {
        await tab.click('Catalogue');
        await tab.waitForText('Le catalogue est vide.');
        await tab.click('Nouvel article');
        await tab.fill('Référence', 'POSE-PARQUET');
        await tab.check('Prestation de services');
        await tab.fill('Désignation', PRODUCT);
        await tab.fill('Prix unitaire HT (€)', '42,80');
        await tab.fill('Unité', 'm²');
        await tab.select('Taux de TVA', `20${NBSP}%`);
        await tab.click("Créer l'article");
        await tab.waitForUrl(new RegExp(`/products/${UUID}$`), SLOW);
        await expectShown(tab, 'h1', `POSE-PARQUET — ${PRODUCT}`);
      });

      const quoteNumber = `D-${YEAR}-0001`;
      await step('3a. quote: customer and lines, live totals', async () => {
        await tab.click('Devis');
        await tab.waitForText('Aucun devis pour le moment.');
        await tab.click('Nouveau devis');
        await tab.waitForText('Lignes du document');

        // The customer, from the combobox's proposals.
        await tab.fill('Client', 'Dubois');
        await pickProposal(tab, /Maison Dubois SAS/, async () => (await fieldValue(tab, 'Client')) === CUSTOMER);

        // Line 1 from the catalogue: typing part of the designation proposes the item.
        await tab.fill('Désignation — ligne 1', 'parquet');
        await pickProposal(tab, /Pose de parquet/, async () => (await fieldValue(tab, 'Prix unitaire HT — ligne 1')) === '42,8');
        expect(await fieldValue(tab, 'Désignation — ligne 1')).toBe(PRODUCT);
        expect(await fieldValue(tab, 'Unité — ligne 1')).toBe('m²');
        expect(await fieldValue(tab, 'TVA — ligne 1')).toBe(`20 %`);
        await expectFocusOn(tab, 'Quantité — ligne 1');
        await tab.fill('Quantité — ligne 1', '12,5');
        await expectShown(tab, testId('line-net-0'), EUR('535,00'));

        // Enter walks the cells; in the TVA cell it adds line 2 and goes to its designation.
        await tab.press('Enter');
        await expectFocusOn(tab, 'Unité — ligne 1');
        await tab.press('Enter');
        await expectFocusOn(tab, 'Prix unitaire HT — ligne 1');
        await tab.press('Enter');
        await expectFocusOn(tab, 'TVA — ligne 1');
        await tab.press('Enter');
        await expectFocusOn(tab, 'Désignation — ligne 2');

        // Line 2, free, typed cell after cell with Enter. The user first looks for "parquet" in the
        // catalogue, then types "Plinthes" instead and presses Enter at once: the line keeps what was
        // typed (the proposal shown for "parquet" must not be taken).
        await tab.fill('Désignation — ligne 2', 'parquet');
        await tab.waitForText(PRODUCT, { selector: 'ul[aria-label="Articles du catalogue"]:not([hidden])' });
        await tab.fill('Désignation — ligne 2', 'Plinthes');
        await tab.press('Enter');
        await expectFocusOn(tab, 'Quantité — ligne 2');
        await tab.fill('Quantité — ligne 2', '3');
        await tab.press('Enter');
        await expectFocusOn(tab, 'Unité — ligne 2');
        await tab.fill('Unité — ligne 2', 'pièce');
        await tab.press('Enter');
        await expectFocusOn(tab, 'Prix unitaire HT — ligne 2');
        await tab.fill('Prix unitaire HT — ligne 2', '19,99');
        await tab.press('Enter');
        await expectFocusOn(tab, 'TVA — ligne 2');
        await tab.select('TVA — ligne 2', `10${NBSP}%`);

        expect([await lineCells(tab, 1), await lineCells(tab, 2)]).toEqual(QUOTE_LINES);

        // The live totals, before anything is saved.
        await expectShown(tab, testId('line-net-0'), EUR('535,00'));
        await expectShown(tab, testId('line-net-1'), EUR('59,97'));
        await expectTotals(tab, EUR('594,97'), EUR('113,00'), EUR('707,97'));
        expect(await vatSummary(tab)).toEqual([`20 % | ${EUR('535,00')} | ${EUR('107,00')}`, `10 % | ${EUR('59,97')} | ${EUR('6,00')}`]);
      });

      await step('3b. quote: save, finalise, accept', async () => {
        await tab.click('Enregistrer le brouillon');
        await tab.waitForUrl(new RegExp(`/quotes/${UUID}$`), SLOW);
        await tab.waitForText('Brouillon enregistré.', SLOW);
        await expectDocument(tab, { number: 'Non numéroté (brouillon)', status: 'Brouillon' });
        await expectTotals(tab, EUR('594,97'), EUR('113,00'), EUR('707,97'));

        await tab.click('Finaliser');
        await confirmIssueDialog(tab, 'Finaliser le devis', 'ne pourra plus être modifié', 'Finaliser');
        await tab.waitForText(`Pièce finalisée : Devis ${quoteNumber}.`, SLOW);
        await expectDocument(tab, { number: quoteNumber, status: 'Finalisé' });
        await expectShown(tab, 'h1', `Devis ${quoteNumber}`);
        await expectTotals(tab, EUR('594,97'), EUR('113,00'), EUR('707,97'));

        await tab.click('Accepter');
        await tab.waitForText('Devis accepté.', SLOW);
        await expectDocument(tab, { number: quoteNumber, status: 'Accepté' });
      });

      const depositNumber = `F-${YEAR}-0001`;
      await step('4. deposit invoice of 30 %', async () => {
        await tab.click('Convertir');
        await tab.waitForText('Convertir le devis', { selector: 'dialog[open]' });
        await tab.check("Une facture d'acompte");
        await tab.check('En pourcentage');
        await tab.fill('Pourcentage du devis (%)', '30');
        await tab.click('Créer le brouillon');
        await tab.waitForText('Brouillon enregistré.', SLOW);
        await expectShown(tab, 'h1', "Facture d'acompte (brouillon)");
        // One line per VAT rate, each naming the quote, its date and what it sells.
        const of = `Acompte de 30 % sur le devis ${escapeRegExp(quoteNumber)} du \\d{2}/\\d{2}/\\d{4} : `;
        expect(await fieldValue(tab, 'Désignation — ligne 1')).toMatch(new RegExp(`^${of}${PRODUCT}$`));
        expect(await fieldValue(tab, 'Désignation — ligne 2')).toMatch(new RegExp(`^${of}Plinthes$`));
        await expectShown(tab, testId('line-net-0'), EUR('160,50'));
        await expectShown(tab, testId('line-net-1'), EUR('17,99'));
        await expectTotals(tab, EUR('178,49'), EUR('33,90'), EUR('212,39'));

        await tab.click('Émettre');
        await confirmIssueDialog(tab, "Émettre la facture d'acompte", "Une fois émise, la facture ne pourra plus être modifiée ni supprimée ; seul un avoir pourra l'annuler.", 'Émettre');
        await tab.waitForText(`Pièce émise : Facture d'acompte ${depositNumber}.`, SLOW);
        await expectDocument(tab, { number: depositNumber, status: 'Émise', balance: EUR('212,39'), paid: EUR('0,00') });
        await expectTotals(tab, EUR('178,49'), EUR('33,90'), EUR('212,39'));
      });

      const invoiceNumber = `F-${YEAR}-0002`;
      await step('5. final invoice, the deposit deducted', async () => {
        // Back to the quote through the deposit's "Pièce d'origine"; its history links to the deposit.
        await tab.click({ role: 'link', name: `Devis ${quoteNumber}` });
        await tab.waitForUrl(new RegExp(`/quotes/${UUID}$`), SLOW);
        await expectDocument(tab, { number: quoteNumber, status: 'Accepté' });
        await tab.waitForText(`Facture d'acompte ${depositNumber}`, { selector: 'ol.history' });
        await tab.click('Convertir');
        await tab.waitForText('Convertir le devis', { selector: 'dialog[open]' });
        await tab.check('La facture (les acomptes déjà émis sont déduits)');
        await tab.click('Créer le brouillon');
        await tab.waitForText('Brouillon enregistré.', SLOW);
        await expectShown(tab, 'h1', 'Facture (brouillon)');
        expect([await lineCells(tab, 1), await lineCells(tab, 2)]).toEqual(QUOTE_LINES);
        const totals = normalizeSpaces(await tab.text('.editor__totals'));
        // A statement, as on the PDF: the sale, the deposit deducted, this invoice (HT, TVA, TTC).
        expect(totals).toContain(`HT TVA TTC Total de la vente ${EUR('594,97')} ${EUR('113,00')} ${EUR('707,97')}`);
        expect(totals).toContain(`Acompte n° ${depositNumber} −${EUR('178,49')} −${EUR('33,90')} −${EUR('212,39')}`);
        expect(totals).toContain(`Total de la présente facture ${EUR('416,48')} ${EUR('79,10')} ${EUR('495,58')}`);
        await expectTotals(tab, EUR('416,48'), EUR('79,10'), EUR('495,58'));

        // The quote's history links to the draft: the user looks, and comes back through it.
        await tab.click({ role: 'link', name: `Devis ${quoteNumber}` });
        await tab.waitForText('Devis converti en facture (brouillon)', { selector: 'ol.history' });
        await tab.click({ role: 'link', name: 'Facture (brouillon)' });
        await expectShown(tab, 'h1', 'Facture (brouillon)');

        await tab.click('Émettre');
        await confirmIssueDialog(tab, 'Émettre la facture', "Une fois émise, la facture ne pourra plus être modifiée ni supprimée ; seul un avoir pourra l'annuler.", 'Émettre');
        await tab.waitForText(`Pièce émise : Facture ${invoiceNumber}.`, SLOW);
        await expectDocument(tab, { number: invoiceNumber, status: 'Émise', balance: EUR('495,58'), paid: EUR('0,00') });
        await expectTotals(tab, EUR('416,48'), EUR('79,10'), EUR('495,58'));
        expect(normalizeSpaces(await tab.text('.doc-summary'))).toContain(`Acomptes déduits Facture d'acompte ${depositNumber}`);
        // The issued invoice's page reads as its PDF: the statement, then what is paid and left to pay.
        expect(normalizeSpaces(await tab.text('.totals'))).toContain(
          `Acompte n° ${depositNumber} −${EUR('178,49')} −${EUR('33,90')} −${EUR('212,39')} Total de la présente facture ${EUR('416,48')} ${EUR('79,10')} ${EUR('495,58')} Déjà réglé ${EUR('0,00')} Reste à payer ${EUR('495,58')}`,
        );
        // Its three columns of amounts fit a 375 px phone.
        await tab.setViewport({ width: 375, height: 740 });
        expect(await tab.evaluate(() => document.documentElement.scrollWidth)).toBe(375);
        await tab.setViewport({ width: 1280, height: 900 });

        // The quote's history now names the invoice by its number (not "(brouillon)" any more).
        await tab.click({ role: 'link', name: `Devis ${quoteNumber}` });
        await tab.waitForText('Devis converti en facture (brouillon)', { selector: 'ol.history' });
        await tab.click({ role: 'link', name: `Facture ${invoiceNumber}` });
        await expectDocument(tab, { number: invoiceNumber, status: 'Émise' });
      });

      await step('6. a partial payment, then the rest', async () => {
        await tab.waitForText('Aucun règlement enregistré.');
        await tab.click('Enregistrer un règlement');
        expect(await fieldValue(tab, 'Montant (€)'), 'the amount proposed: what remains to pay').toBe('495,58');
        expect(await fieldValue(tab, 'Date du règlement')).toBe(TODAY);
        await tab.fill('Montant (€)', '200,00');
        await tab.select('Mode de règlement', 'Virement');
        await tab.fill('Référence', 'VIR-2026-118');
        await tab.click('Enregistrer le règlement');
        await tab.waitForText(`Règlement de ${EUR('200,00')} enregistré.`, SLOW);
        await expectDocument(tab, { number: invoiceNumber, status: 'Partiellement réglée', balance: EUR('295,58'), paid: EUR('200,00') });
        await tab.waitForText('VIR-2026-118', { selector: 'table.payments' });

        await tab.click('Enregistrer un règlement');
        expect(await fieldValue(tab, 'Montant (€)')).toBe('295,58');
        await tab.select('Mode de règlement', 'Chèque');
        await tab.click('Enregistrer le règlement');
        await tab.waitForText(`Règlement de ${EUR('295,58')} enregistré.`, SLOW);
        await expectDocument(tab, { number: invoiceNumber, status: 'Réglée', balance: EUR('0,00'), paid: EUR('495,58') });
        await tab.waitForText('Chèque', { selector: 'table.payments' });
        const payments = normalizeSpaces(await tab.text('table.payments tbody'));
        expect(payments).toContain(`${EUR('200,00')} Virement VIR-2026-118 Camille Martin`);
        expect(payments).toContain(`${EUR('295,58')} Chèque`);
        expect(await tab.text('main')).not.toContain('Enregistrer un règlement');
        // The history names the payments in French.
        await tab.waitForText(`Règlement de ${EUR('295,58')} (chèque) du ${TODAY_FR}`, { selector: 'ol.history' });
        await tab.waitForText(`Règlement de ${EUR('200,00')} (virement) du ${TODAY_FR}, réf. VIR-2026-118`, { selector: 'ol.history' });

        // The invoices list: the deposit and the final invoice add up to the quote.
        await tab.click('Factures');
        await tab.waitForText('2 pièce(s)', SLOW);
        await expectShown(tab, testId('list-total-gross'), EUR('707,97'));
        await expectShown(tab, testId('list-total-balance'), EUR('212,39'));
        const rows = normalizeSpaces(await tab.text('table.documents-table tbody'));
        expect(rows).toContain(`${invoiceNumber} Facture ${CUSTOMER}`);
        expect(rows).toContain(`${depositNumber} Facture d'acompte ${CUSTOMER}`);
        await tab.click({ role: 'link', name: invoiceNumber });
        await expectDocument(tab, { number: invoiceNumber, status: 'Réglée' });
      });

      const creditNoteNumber = `AV-${YEAR}-0001`;
      await step('7. credit note for the whole invoice', async () => {
        await tab.click('Créer un avoir');
        await tab.waitForText(`Avoir sur la facture ${invoiceNumber}`, { selector: 'dialog[open]' });
        await tab.check(/^Toute la facture \(495,58\s€\)$/);
        await tab.click("Créer l'avoir");
        await tab.waitForText('Brouillon enregistré.', SLOW);
        await expectShown(tab, 'h1', 'Avoir (brouillon)');
        await expectTotals(tab, EUR('416,48'), EUR('79,10'), EUR('495,58'));

        await tab.click('Émettre');
        await confirmIssueDialog(tab, "Émettre l'avoir", "l'avoir ne pourra plus être modifié ni supprimé", 'Émettre');
        await tab.waitForText(`Pièce émise : Avoir ${creditNoteNumber}.`, SLOW);
        // « Avoir » is masculine: its status agrees.
        await expectDocument(tab, { number: creditNoteNumber, status: 'Émis' });
        await expectTotals(tab, EUR('416,48'), EUR('79,10'), EUR('495,58'));

        // The invoice it corrects, through "Facture corrigée".
        await tab.click({ role: 'link', name: `Facture ${invoiceNumber}` });
        await expectShown(tab, 'h1', `Facture ${invoiceNumber}`);
        // Paid in full, then cancelled by the credit note: what was paid is owed back.
        await expectDocument(tab, { number: invoiceNumber, status: 'À rembourser', paid: EUR('495,58') });
        expect(normalizeSpaces(await tab.text('.totals'))).toContain(`Avoirs ${EUR('495,58')}`);
        expect(await tab.text('.doc-actions')).not.toContain('Créer un avoir');
      });

      await step('8. duplicate the invoice into a new draft', async () => {
        await tab.click('Dupliquer');
        await tab.waitForText('Un nouveau brouillon daté du jour', { selector: 'dialog[open]' });
        expect(await tab.selectedOption('Type de la copie')).toBe('Facture');
        await tab.click('Créer la copie');
        await tab.waitForText('Brouillon enregistré.', SLOW);
        await expectShown(tab, 'h1', 'Facture (brouillon)');
        await expectDocument(tab, { number: 'Non numéroté (brouillon)', status: 'Brouillon' });
        expect(await fieldValue(tab, 'Client')).toBe(CUSTOMER);
        expect(await fieldValue(tab, "Date d'émission")).toBe(TODAY);
        expect([await lineCells(tab, 1), await lineCells(tab, 2)]).toEqual(QUOTE_LINES);
        expect(await fieldValue(tab, 'Désignation — ligne 3'), 'no third line').toBeNull();
        // A new sale: the deposit is not deducted again.
        await expectTotals(tab, EUR('594,97'), EUR('113,00'), EUR('707,97'));
      });

      await step('9. the final invoice PDF', async () => {
        await tab.click({ role: 'link', name: `Facture ${invoiceNumber}` });
        await expectShown(tab, 'h1', `Facture ${invoiceNumber}`);
        await tab.waitForText('Télécharger le PDF');
        const pdf = await tab.evaluate(async () => {
          const link = Array.from(document.querySelectorAll('a')).find((a) => (a.textContent ?? '').trim() === 'Télécharger le PDF');
          if (!link) throw new Error('no "Télécharger le PDF" link');
          const response = await fetch(link.href);
          const bytes = new Uint8Array(await response.arrayBuffer());
          let binary = '';
          for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
          return {
            url: link.getAttribute('href'),
            status: response.status,
            type: response.headers.get('content-type'),
            disposition: response.headers.get('content-disposition'),
            base64: btoa(binary),
          };
        });
        expect(pdf.url).toMatch(new RegExp(`^/api/d/${dossierId}/invoices/${UUID}/pdf\\?download=1$`));
        expect(pdf).toMatchObject({ status: 200, type: 'application/pdf', disposition: `attachment; filename="${invoiceNumber}.pdf"` });
        const content = Buffer.from(pdf.base64, 'base64');
        expect(content.subarray(0, 5).toString('latin1')).toBe('%PDF-');

        const dir = path.join(ARTIFACTS_DIR, `invoicing-${engine}`);
        await mkdir(dir, { recursive: true });
        const file = path.join(dir, `${invoiceNumber}.pdf`);
        await writeFile(file, content);
        const text = normalizeSpaces((await readPdf(content)).text);
        for (const expected of [
          invoiceNumber,
          CUSTOMER,
          'SIREN : 404 833 048',
          `Total de la vente ${EUR('594,97')} ${EUR('113,00')} ${EUR('707,97')}`,
          `Acompte n° ${depositNumber}`,
          `Total de la présente facture ${EUR('416,48')} ${EUR('79,10')} ${EUR('495,58')}`,
          `Net à payer ${EUR('495,58')}`,
          "Pas d'escompte pour paiement anticipé",
          'SARL au capital de 8 000 €',
          'RCS Nantes',
          'IBAN : FR76 3000 6000 0112 3456 7890 189',
        ]) {
          expect(text, `the PDF (${file})`).toContain(expected);
        }
      });

      expectCleanConsole(tab);
    });
  }, 600_000);

  it('a Commercial sees quotes and customers, not invoices', async () => {
    await withArtifacts(`invoicing commercial ${engine}`, () => tabs, async () => {
      const { tab: admin, dossierId } = await journey(e2e, tabs, { name: 'Hugo Lefèvre', company: 'Lefèvre Rénovation' });
      const { tab: sales } = await openTab(e2e, tabs);
      const salesEmail = uniqueEmail('lea');
      const invited = await admin.evaluate(
        async ({ id, email }: { id: string; email: string }) => {
          const csrf = (await (await fetch('/api/csrf')).json()) as { token: string };
          const response = await fetch(`/api/d/${id}/members`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-csrf-token': csrf.token },
            body: JSON.stringify({ email, profileId: 'commercial' }),
          });
          return { status: response.status, body: (await response.json()) as { outcome: string } };
        },
        { id: dossierId, email: salesEmail },
      );
      expect(invited).toEqual({ status: 201, body: { outcome: 'invited' } });

      await acceptInvitation(sales, { email: salesEmail, name: 'Léa Garnier', company: 'Lefèvre Rénovation' }, SLOW);

      const nav = normalizeSpaces(await sales.text('nav[aria-label="Navigation du dossier"]'));
      expect(nav).toContain('Devis');
      expect(nav).toContain('Clients');
      expect(nav).not.toContain('Factures');
      expect(nav).not.toContain('Avoirs');

      await sales.goto(`/d/${dossierId}/invoices`);
      await sales.waitForText('Accès non autorisé', SLOW);
      expect(await sales.text('main')).toContain('Commercial');
      const refused = await sales.evaluate(async (id: string) => (await fetch(`/api/d/${id}/invoices`)).status, dossierId);
      expect(refused, 'GET /invoices for a Commercial').toBe(403);

      // What the Commercial may do still works: the quotes list.
      await sales.click('Devis');
      await sales.waitForText('Aucun devis pour le moment.', SLOW);
      expectCleanConsole(admin);
      expectCleanConsole(sales);
    });
  }, 180_000);
});
