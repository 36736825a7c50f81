/**
 * Journey: a newcomer's first invoice, where the outside review stumbled. The login page of an
 * anonymous visit logs no error; required fields are marked before anything is submitted; the
 * payment terms and the late-payment penalty rate are chosen in Paramètres, with the legal
 * defaults explained; creating a customer says so; a line discount is typed in the editor with
 * live totals to the cent, shown on the issued invoice's page and counted in its PDF, which prints
 * the chosen penalty rate; the profile editor offers no permission of a feature still to come.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../src/core/dates';
import { readPdf } from '../helpers/pdf';
import { ARTIFACTS_DIR, withArtifacts, type Tab } from './driver';
import { engines, expectCleanConsole, expectShown, fieldValue, normalizeSpaces, openTab, signUp, startE2E, testId, uniqueEmail, waitUntil, type E2E } from './support';

const TODAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
const YEAR = TODAY.slice(0, 4);
const SLOW = { timeoutMs: 60_000 };
const UUID = '[0-9a-f-]{36}';
const EUR = (amount: string) => `${amount} €`;
const CUSTOMER = 'Maison Dubois SAS';

// 12,5 m² × 42,80 € = 535,00 €; a 12,5 % line discount = 66,875 → 66,88 €; net 468,12 € HT;
// TVA 20 % = 93,624 → 93,62 €; 561,74 € TTC.

/** Runs one step of the journey; a failure names the step. */
async function step<T>(name: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof Error) error.message = `[${name}] ${error.message}`;
    throw error;
  }
}

/** Whether the control labelled `label` says it is required (aria-required), and the form explains the asterisk. */
async function requiredMarks(tab: Tab, labels: string[]): Promise<Record<string, string | null>> {
  return tab.evaluate((wanted: string[]) => {
    const norm = (s: string | null) => (s ?? '').replace(/\s+/g, ' ').trim();
    const result: Record<string, string | null> = {};
    for (const label of wanted) {
      const l = Array.from(document.querySelectorAll('label')).find((x) => norm(x.textContent) === label);
      result[label] = l?.control?.getAttribute('aria-required') ?? null;
    }
    return result;
  }, labels);
}

describe.each(engines())('first invoice journey (%s)', (engine) => {
  let e2e: E2E;
  const tabs: Tab[] = [];
  beforeAll(async () => {
    e2e = await startE2E(engine);
  });
  afterAll(async () => {
    await e2e?.close();
  });

  it('clean anonymous visit → marked fields → payment settings → customer → line discount → issued page and PDF → profiles', async () => {
    const { tab } = await openTab(e2e, tabs);

    await withArtifacts(`first invoice journey ${engine}`, () => tabs, async () => {
      await step('1. an anonymous visit lands on the login page and logs no error', async () => {
        await tab.goto('/');
        await tab.waitForUrl(/\/login/);
        await tab.waitForText('Mot de passe oublié ?');
        // The app asks who is logged in without a 401 (WebKit's log starts after the page loaded:
        // the requests made say what the app asked).
        const asked = await tab.evaluate(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname).filter((p) => p.startsWith('/api/')));
        expect(asked).toContain('/api/session');
        expect(asked).not.toContain('/api/me');
        expect(tab.consoleLog().filter((line) => /console\.error|pageerror|http [45]\d\d|requestfailed/.test(line))).toEqual([]);
      });

      const dossierId = await step('2. sign-up: required fields marked before submitting', async () => {
        await tab.goto('/signup');
        await tab.waitForText('* champ obligatoire');
        expect(await requiredMarks(tab, ['Nom et prénom', 'Adresse e-mail', 'Mot de passe', "Nom de l'entreprise"])).toEqual({
          'Nom et prénom': 'true',
          'Adresse e-mail': 'true',
          'Mot de passe': 'true',
          "Nom de l'entreprise": 'true',
        });
        return signUp(tab, { name: 'Camille Martin', email: uniqueEmail('camille'), company: 'Carrelages Martin' });
      });

      await step('3. Paramètres: payment terms and penalty rate, legal defaults explained', async () => {
        await tab.click('Paramètres');
        await tab.waitForText('Conditions de paiement');
        expect(await fieldValue(tab, 'Délai de paiement par défaut (jours)')).toBe('30');
        expect(await fieldValue(tab, 'Taux des pénalités de retard (%)')).toBe('12,15');
        await tab.waitForText(/taux de refinancement de la BCE majoré de 10 points/);
        await tab.waitForText(/trois fois le taux d’intérêt légal/);
        await tab.waitForText(/indemnité forfaitaire de 40 €/);
        await tab.select('Forme juridique', 'SARL');
        await tab.fill('SIREN', '732 829 320');
        await tab.fill('Capital social (€)', '8000');
        await tab.fill('Ville du RCS', 'Nantes');
        await tab.fill('Numéro et voie', '4 rue de la Scierie');
        await tab.fill('Code postal', '44000');
        await tab.fill('Ville', 'Nantes');
        await tab.fill('N° de TVA intracommunautaire', 'FR44732829320');
        await tab.fill('Délai de paiement par défaut (jours)', '90');
        await tab.fill('Taux des pénalités de retard (%)', '10,5');
        await tab.click('Enregistrer les paramètres');
        await tab.waitForText('Le délai de paiement ne peut pas dépasser 60 jours à compter de la date de facture.');
        await tab.fill('Délai de paiement par défaut (jours)', '45');
        await tab.click('Enregistrer les paramètres');
        await tab.waitForText('Paramètres enregistrés.', SLOW);
        expect(await fieldValue(tab, 'Taux des pénalités de retard (%)')).toBe('10,5');
      });

      await step('4. a customer: required fields marked, creation confirmed', async () => {
        await tab.click('Clients');
        await tab.click('Nouveau client');
        await tab.waitForText('Adresse de facturation');
        await tab.waitForText('* champ obligatoire');
        expect(await requiredMarks(tab, ['Nom', 'Numéro et voie', 'Code postal', 'Ville', 'SIREN'])).toEqual({
          Nom: 'true',
          'Numéro et voie': 'true',
          'Code postal': 'true',
          Ville: 'true',
          SIREN: null,
        });
        expect(await tab.text('form')).not.toMatch(/export comptable|factures électroniques/);
        await tab.check('Entreprise');
        await tab.fill('Nom', CUSTOMER);
        await tab.fill('SIREN', '404 833 048');
        await tab.fill('Numéro et voie', '8 quai Saint-Vincent');
        await tab.fill('Code postal', '69001');
        await tab.fill('Ville', 'Lyon');
        await tab.click('Créer le client');
        await tab.waitForUrl(new RegExp(`/customers/${UUID}$`), SLOW);
        await expectShown(tab, '[role="status"].alert', `Client « ${CUSTOMER} » créé.`);
      });

      await step('5. an invoice with a line discount: live totals to the cent', async () => {
        await tab.goto(`/d/${dossierId}/invoices/new`);
        await tab.waitForText('Lignes du document');
        await tab.fill('Client', 'Dubois');
        await tab.click({ role: 'option', name: new RegExp(CUSTOMER) });
        await waitUntil('the customer is picked', async () => (await fieldValue(tab, 'Client')) === CUSTOMER);
        await tab.fill('Désignation — ligne 1', 'Pose de carrelage');
        await tab.fill('Quantité — ligne 1', '12,5');
        await tab.fill('Unité — ligne 1', 'm²');
        await tab.fill('Prix unitaire HT — ligne 1', '42,80');
        await expectShown(tab, testId('line-net-0'), EUR('535,00'));
        await tab.fill('Remise — ligne 1', '12,5');
        expect(await fieldValue(tab, 'Type de remise — ligne 1')).toBe('%');
        await expectShown(tab, testId('line-net-0'), `${EUR('468,12')} après remise de ${EUR('66,88')}`);
        await expectShown(tab, testId('total-ht'), EUR('468,12'));
        await expectShown(tab, testId('total-tva'), EUR('93,62'));
        await expectShown(tab, testId('total-ttc'), EUR('561,74'));
        // An amount instead: 535,00 − 100,50 = 434,50 € HT, 521,40 € TTC; then back to the percentage.
        await tab.select('Type de remise — ligne 1', '€');
        await tab.fill('Remise — ligne 1', '100,50');
        await expectShown(tab, testId('total-ttc'), EUR('521,40'));
        await tab.select('Type de remise — ligne 1', '%');
        await tab.fill('Remise — ligne 1', '12,5');
        await expectShown(tab, testId('total-ttc'), EUR('561,74'));
      });

      const invoiceNumber = `F-${YEAR}-0001`;
      await step('6. save and issue: the page shows the line discount, the due date follows the terms', async () => {
        await tab.click('Enregistrer le brouillon');
        await tab.waitForUrl(new RegExp(`/invoices/${UUID}$`), SLOW);
        await tab.waitForText('Brouillon enregistré.', SLOW);
        expect(await fieldValue(tab, 'Remise — ligne 1')).toBe('12,5');
        const due = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${addDays(TODAY, 45)}T00:00:00Z`));
        await tab.waitForText(`Échéance : ${due}`);
        await tab.click('Émettre');
        await tab.waitForText('Émettre la facture', { selector: 'dialog[open]' });
        // The dialog opens with the focus on its confirm button.
        await waitUntil('the focus is on the dialog\'s "Émettre"', () =>
          tab.evaluate(() => Boolean(document.activeElement?.closest('dialog[open]')) && (document.activeElement?.textContent ?? '').trim() === 'Émettre'),
        );
        await tab.press('Enter');
        await tab.waitForText(`Pièce émise : Facture ${invoiceNumber}.`, SLOW);
        const lines = normalizeSpaces(await tab.text('table.doc-lines'));
        expect(lines).toMatch(/prix unitaire ht remise tva/i);
        expect(lines).toContain(`Pose de carrelage 12,5 m² ${EUR('42,80')} 12,5 % −${EUR('66,88')} 20 % ${EUR('468,12')}`);
        await expectShown(tab, testId('total-ttc'), EUR('561,74'));
        expect(normalizeSpaces(await tab.text('.doc-summary'))).toContain(`Échéance ${due}`);
      });

      await step('7. the PDF: the discounted total and the chosen penalty rate', async () => {
        const pdf = await tab.evaluate(async () => {
          const link = Array.from(document.querySelectorAll('a')).find((a) => (a.textContent ?? '').trim() === 'Télécharger le PDF');
          if (!link) throw new Error('no "Télécharger le PDF" link');
          const response = await fetch(link.href);
          const bytes = new Uint8Array(await response.arrayBuffer());
          let binary = '';
          for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
          return { status: response.status, base64: btoa(binary) };
        });
        expect(pdf.status).toBe(200);
        const dir = path.join(ARTIFACTS_DIR, `first-invoice-${engine}`);
        await mkdir(dir, { recursive: true });
        const file = path.join(dir, `${invoiceNumber}.pdf`);
        const content = Buffer.from(pdf.base64, 'base64');
        await writeFile(file, content);
        const text = normalizeSpaces((await readPdf(content)).text);
        for (const expected of [`Total HT ${EUR('468,12')}`, `Total TTC ${EUR('561,74')}`, 'Taux des pénalités de retard : 10,5 %', 'Indemnité forfaitaire pour frais de recouvrement : 40 €']) {
          expect(text, `the PDF (${file})`).toContain(expected);
        }
      });

      await step('8. the profile editor offers no permission of a feature still to come', async () => {
        await tab.click('Profils');
        await tab.waitForText('Voir le catalogue');
        const page = await tab.text('main');
        for (const planned of ['Voir la comptabilité', 'Exporter les lots et le FEC', "Voir les pièces d'achat", "Créer les pièces d'achat"]) expect(page).not.toContain(planned);
      });

      expectCleanConsole(tab);
    });
  }, 600_000);
});
