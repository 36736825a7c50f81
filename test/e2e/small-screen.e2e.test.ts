/**
 * On a 375 px wide phone, pages fit the screen: nothing overflows the body horizontally, no table
 * scrolls sideways inside its box (lists, members, journal, an invoice's lines and the line editor
 * become one card per row), the key figures are on screen, and the header shows the dossier's
 * whole name. At 1280 px the line editor shows a typical reference and designation in full.
 *
 * Screenshots of each page are saved under test-artifacts/ (`small-screen--<engine>--<page>.png`).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp as signUpThroughApi } from '../helpers/client';
import { createCustomer, createDraft, issue, setUpSeller } from '../helpers/invoicing';
import { ARTIFACTS_DIR, withArtifacts, type Tab } from './driver';
import { engines, expectCleanConsole, fieldValue, JOURNEY_TIMEOUT_MS, logIn, openTab, PASSWORD, signUp, startE2E, uniqueEmail, type E2E } from './support';

const PHONE = { width: 375, height: 740 };
const DESKTOP = { width: 1280, height: 900 };

const COMPANY = 'Fontaine-Delacroix Architecture Intérieure et Rénovation';
const CUSTOMER = 'Société Civile Immobilière des Coteaux de Saint-Émilion';
const MEMBER = 'Marie-Christine Duval-Lefèvre de Montmorency';
const PAYMENT_REFERENCE = 'VIR-SCI-COTEAUX-2026-0142';

/** A bathroom renovation: long references and designations, a section and a comment. */
const ITEMS = [
  { kind: 'item', reference: 'POSE-CARRELAGE', designation: 'Pose de carrelage grès cérame 60×60', quantity: '24.5', unit: 'm²', unitPrice: '58.9', vatRate: '10', nature: 'service' },
  { kind: 'item', reference: 'DEPOSE-SANITAIRE', designation: 'Dépose des anciens sanitaires et évacuation en déchetterie agréée', quantity: '1', unit: 'forfait', unitPrice: '380', vatRate: '10', nature: 'service' },
  { kind: 'item', reference: 'FOURN-FAIENCE', designation: 'Faïence murale blanc mat 30×90, pose droite', quantity: '18', unit: 'm²', unitPrice: '42.5', vatRate: '20', nature: 'goods' },
  { kind: 'item', reference: 'DOUCHE-ITALIENNE', designation: "Création d'une douche à l'italienne avec receveur extra-plat", quantity: '1', unit: 'forfait', unitPrice: '1450', vatRate: '10', nature: 'service' },
  { kind: 'item', reference: 'ELEC-SPOTS', designation: 'Spots encastrés LED étanches IP65', quantity: '6', unit: 'pièce', unitPrice: '34.9', vatRate: '20', nature: 'goods' },
  { kind: 'item', reference: 'PEINT-PLAFOND', designation: 'Peinture plafond deux couches, finition velours', quantity: '12.5', unit: 'm²', unitPrice: '21', vatRate: '10', nature: 'service' },
];
const LINES = [
  { kind: 'section', designation: 'Salle de bains — rez-de-chaussée' },
  ...ITEMS.slice(0, 4),
  { kind: 'comment', designation: 'Travaux réalisés en deux semaines, accès au chantier par la cour intérieure.' },
  ...ITEMS.slice(4),
];

/** What a page function measures of the layout at the current viewport. */
interface Fit {
  viewport: number;
  page: number;
  /** Scroll containers (tables' boxes, ellipsed texts) whose content is wider than they are. */
  overflowing: string[];
  /** Text fields of the tables (the line editor's) that show only part of their value. */
  clipped: string[];
  /** Texts asked for that are not wholly inside the viewport's width (or not found). */
  offScreen: string[];
}

/** Measures the page: its width, what overflows sideways, and where `texts` are drawn. Self-contained (runs in the page). */
function measure(texts: string[]): Fit {
  const norm = (s: string) => s.replace(/[\s\u00a0\u202f]+/g, ' ').trim();
  const viewport = document.documentElement.clientWidth;
  const describe = (el: Element) => {
    const cls = typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
    return `${el.nodeName.toLowerCase()}${cls} "${norm(el.textContent ?? '').slice(0, 40)}" (${el.scrollWidth} > ${el.clientWidth})`;
  };
  const shown = (el: Element) => {
    const r = el.getBoundingClientRect();
    return r.width > 1 && r.height > 1 && getComputedStyle(el).visibility !== 'hidden';
  };
  const overflowing: string[] = [];
  const clipped: string[] = [];
  for (const el of Array.from(document.body.querySelectorAll('*'))) {
    if (!shown(el)) continue;
    if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) {
      if (el.type === 'hidden' || el.value === '' || !el.closest('table')) continue;
      if (el.scrollWidth > el.clientWidth + 1 || (el instanceof HTMLTextAreaElement && el.scrollHeight > el.clientHeight + 1)) {
        clipped.push(`${el.getAttribute('aria-label') ?? el.id}: "${el.value}" (${el.scrollWidth}×${el.scrollHeight} in ${el.clientWidth}×${el.clientHeight})`);
      }
      continue;
    }
    if (el instanceof HTMLSelectElement) continue;
    if (getComputedStyle(el).overflowX !== 'visible' && el.scrollWidth > el.clientWidth + 1) overflowing.push(describe(el));
  }
  const inside = (r: DOMRect) => r.width > 0 && r.left >= -0.5 && r.right <= viewport + 0.5;
  const offScreen = texts.filter((text) => {
    const wanted = norm(text);
    for (const field of Array.from(document.querySelectorAll('input, textarea, select'))) {
      const value = field instanceof HTMLSelectElement ? (field.selectedOptions[0]?.textContent ?? '') : (field as HTMLInputElement).value;
      if (norm(value) === wanted && shown(field) && inside(field.getBoundingClientRect())) return false;
    }
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const element = node.parentElement;
      if (!element || !norm(node.textContent ?? '').includes(wanted) || !shown(element) || element.closest('.visually-hidden, [hidden], option')) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const rects = Array.from(range.getClientRects()).filter((r) => r.width > 0);
      if (rects.length > 0 && rects.every(inside)) return false;
    }
    return true;
  });
  return { viewport, page: document.documentElement.scrollWidth, overflowing, clipped, offScreen };
}

async function expectFits(tab: Tab, what: string, texts: string[], width: number): Promise<void> {
  const fit = await tab.evaluate(measure, texts);
  expect.soft({ what, ...fit }).toEqual({ what, viewport: width, page: width, overflowing: [], clipped: [], offScreen: [] });
}

/** Saves a screenshot: Chromium's of the whole page, WebKit's of the viewport scrolled to `selector`. */
async function shoot(tab: Tab, engine: string, name: string, selector: string): Promise<void> {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  await tab.evaluate((sel: string | null) => {
    const el = sel ? document.querySelector(sel) : null;
    window.scrollTo(0, el ? Math.max(0, el.getBoundingClientRect().top + window.scrollY - 160) : 0);
  }, engine === 'webkit' ? selector : null);
  await tab.screenshot(path.join(ARTIFACTS_DIR, `small-screen--${engine}--${name}.png`));
}

/** A dossier as a business owner would have it after a few weeks: customers, catalogue, a quote, invoices, a payment, two members. */
async function seedDossier(e2e: E2E): Promise<{ email: string; dossierId: string; quoteId: string; invoiceId: string }> {
  const app = e2e.server.app;
  const { client: owner, email, dossierId } = await signUpThroughApi(app, { name: 'Émilie Fontaine-Delacroix', email: uniqueEmail('emilie.fontaine-delacroix'), password: PASSWORD, dossierName: COMPANY });
  await setUpSeller(owner, dossierId, { legalName: COMPANY, email: 'contact@fontaine-delacroix-architecture.example' });
  const customerId = await createCustomer(owner, dossierId, { name: CUSTOMER, emails: ['gestion.locative@coteaux-saint-emilion.example'] });
  await createCustomer(owner, dossierId, { name: 'Boulangerie-Pâtisserie des Quatre Saisons', siren: null, vatNumber: null });
  for (const line of ITEMS) {
    const { kind: _kind, quantity: _quantity, ...product } = line;
    expect((await owner.post(`/api/d/${dossierId}/products`, product)).status).toBe(201);
  }
  // The quote gives one line a discount: the editor shows the field with the others.
  const quoteLines = LINES.map((l) => ('reference' in l && l.reference === 'FOURN-FAIENCE' ? { ...l, discount: { type: 'percent', value: '10' } } : l));
  const quote = await createDraft(owner, dossierId, { type: 'quote', customerId, lines: quoteLines });
  const invoice = await createDraft(owner, dossierId, { type: 'invoice', customerId, lines: LINES });
  expect((await issue(owner, dossierId, invoice)).status).toBe(200);
  const paidOn = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());
  const payment = await owner.post(`/api/d/${dossierId}/invoices/${invoice.id}/payments`, { paidOn, amountCents: 150_000, method: 'virement', reference: PAYMENT_REFERENCE });
  expect(payment.status).toBe(201);
  // Sent by e-mail, for the « Envois » page (delivered to the local outbox).
  const sent = await owner.post(`/api/d/${dossierId}/invoices/${invoice.id}/send`, {
    to: ['gestion.locative@coteaux-saint-emilion.example'],
    subject: `Facture — ${COMPANY}`,
    body: 'Bonjour,\n\nVeuillez trouver ci-joint notre facture.',
    idempotencyKey: `small-screen-${Date.now().toString(36)}`,
  });
  expect(sent.status, JSON.stringify(sent.body)).toBe(202);
  await createDraft(owner, dossierId, { type: 'invoice', customerId, lines: LINES.slice(1, 3) });

  // The TPE+ plan's two seats: the owner and an ADV.
  const memberEmail = uniqueEmail('marie-christine.duval-lefevre');
  await signUpThroughApi(app, { name: MEMBER, email: memberEmail, password: PASSWORD, dossierName: 'Duval-Lefèvre Conseil' });
  expect((await owner.post(`/api/d/${dossierId}/members`, { email: memberEmail, profileId: 'adv' })).body).toEqual({ outcome: 'added' });
  return { email, dossierId, quoteId: quote.id as string, invoiceId: invoice.id as string };
}

describe.each(engines())('small screens (%s)', (engine) => {
  let e2e: E2E;
  const tabs: Tab[] = [];
  beforeAll(async () => {
    e2e = await startE2E(engine);
  });
  afterAll(async () => {
    await e2e?.close();
  });

  const overflow = (tab: Tab) => tab.evaluate(() => document.documentElement.scrollWidth);

  it('shows the login, members, settings and account pages without horizontal overflow at 375 px', async () => {
    const { tab: phone } = await openTab(e2e, tabs, { viewport: PHONE });

    await withArtifacts('small screen', () => tabs, async () => {
      await phone.goto('/login');
      await phone.waitForText('Connexion');
      expect(await overflow(phone)).toBeLessThanOrEqual(PHONE.width);

      const dossierId = await signUp(phone, { name: 'Émilie Fontaine-Delacroix', email: uniqueEmail('emilie.fontaine-delacroix'), company: 'Fontaine-Delacroix Architecture Intérieure' });

      // The navigation collapses behind a menu button.
      await phone.click('Menu');
      await phone.click('Membres');
      await phone.waitForText('Membres du dossier');
      expect(await phone.url()).toContain(`/d/${dossierId}/members`);
      expect(await overflow(phone)).toBeLessThanOrEqual(PHONE.width);

      await phone.click('Menu');
      await phone.click('Paramètres');
      await phone.waitForText('Paramètres du dossier');
      expect(await overflow(phone)).toBeLessThanOrEqual(PHONE.width);

      await phone.goto('/account');
      await phone.waitForText('Appareils connectés');
      expect(await overflow(phone)).toBeLessThanOrEqual(PHONE.width);
      expectCleanConsole(phone);
    });
  }, JOURNEY_TIMEOUT_MS);

  it('lays tables out as cards at 375 px, with the key figures and the whole dossier name on screen, and the line editor readable at 1280 px', async () => {
    const { email, dossierId, quoteId, invoiceId } = await seedDossier(e2e);
    const { tab: phone } = await openTab(e2e, tabs, { viewport: PHONE });

    await withArtifacts('small screen tables', () => tabs, async () => {
      await logIn(phone, email);
      const d = `/d/${dossierId}`;

      // The header shows the dossier's whole name, wrapped, not cut.
      await phone.goto(d);
      await phone.waitForText(`Bienvenue dans ${COMPANY}`);
      expect(await phone.selectedOption('Dossier')).toBe(COMPANY);
      const header = await phone.evaluate(() => {
        const name = document.querySelector('header .switcher__shown');
        const r = name?.getBoundingClientRect();
        return { text: name?.textContent, fits: name ? name.scrollWidth <= name.clientWidth : false, left: r?.left, right: r?.right };
      });
      expect(header.text).toBe(COMPANY);
      expect(header.fits).toBe(true);
      expect(header.left).toBeGreaterThanOrEqual(0);
      expect(header.right).toBeLessThanOrEqual(PHONE.width);
      await shoot(phone, engine, 'header', 'header');

      await phone.goto(`${d}/invoices`);
      await phone.waitForText('2 pièce(s)');
      await shoot(phone, engine, 'invoices', 'table');
      await expectFits(phone, 'invoices', [COMPANY, 'F-', CUSTOMER, '5 058,39 €', '3 558,39 €', 'Partiellement réglée', 'Brouillon'], PHONE.width);

      await phone.goto(`${d}/customers`);
      await phone.waitForText('2 client(s)');
      await shoot(phone, engine, 'customers', 'table');
      await expectFits(phone, 'customers', [CUSTOMER, 'gestion.locative@coteaux-saint-emilion.example'], PHONE.width);

      await phone.goto(`${d}/products`);
      await phone.waitForText('6 article(s)');
      await shoot(phone, engine, 'products', 'table');
      await expectFits(phone, 'products', ['DOUCHE-ITALIENNE', "Création d'une douche à l'italienne avec receveur extra-plat", '1 450,00 €'], PHONE.width);

      await phone.goto(`${d}/invoices/${invoiceId}`);
      await phone.waitForText('Pose de carrelage grès cérame 60×60');
      await shoot(phone, engine, 'invoice', '.doc-lines');
      await expectFits(phone, 'invoice', [...ITEMS.map((l) => l.designation), '1 443,05 €', '1 450,00 €', '24,5', '10 %', '1 500,00 €', PAYMENT_REFERENCE], PHONE.width);

      await phone.goto(`${d}/quotes/${quoteId}`);
      await phone.waitForText('Lignes du document');
      expect(await fieldValue(phone, 'Réf. — ligne 2')).toBe('POSE-CARRELAGE');
      await shoot(phone, engine, 'editor', '.lines');
      await expectFits(phone, 'line editor', [...ITEMS.flatMap((l) => [l.reference, l.designation]), '1 443,05 €', '1 450,00 €'], PHONE.width);

      await phone.goto(`${d}/members`);
      await phone.waitForText('Membres du dossier');
      await phone.waitForText(MEMBER);
      await shoot(phone, engine, 'members', 'table');
      await expectFits(phone, 'members', [MEMBER, 'Émilie Fontaine-Delacroix', 'Administrateur'], PHONE.width);

      await phone.goto(`${d}/audit`);
      await phone.waitForText('Journal des actions');
      await shoot(phone, engine, 'audit', 'table');
      await expectFits(phone, 'journal', ['Émilie Fontaine-Delacroix', 'Facture émise', 'Exporter (Excel)'], PHONE.width);

      await phone.goto(`${d}/envois`);
      await phone.waitForText('gestion.locative@coteaux-saint-emilion.example');
      await phone.waitForText(/Envoyé le/, { timeoutMs: 30_000 });
      await shoot(phone, engine, 'envois', 'table');
      await expectFits(phone, 'envois', ['gestion.locative@coteaux-saint-emilion.example', 'Émilie Fontaine-Delacroix', 'F-'], PHONE.width);

      await phone.setViewport(DESKTOP);
      await phone.goto(`${d}/quotes/${quoteId}`);
      await phone.waitForText('Lignes du document');
      expect(await fieldValue(phone, 'Désignation — ligne 2')).toBe('Pose de carrelage grès cérame 60×60');
      await shoot(phone, engine, 'editor-1280', '.lines');
      await expectFits(phone, 'line editor at 1280 px', ITEMS.flatMap((l) => [l.reference, l.designation]), DESKTOP.width);
      // A typical reference holds on one line, as tall as the quantity beside it.
      const heights = await phone.evaluate(() =>
        Array.from(document.querySelectorAll('.lines__row')).flatMap((row) => {
          const reference = row.querySelector('.lines__ref textarea');
          const quantity = row.querySelector('.lines__qty input');
          return reference && quantity ? [{ reference: (reference as HTMLTextAreaElement).value, oneLine: reference.clientHeight <= quantity.clientHeight }] : [];
        }),
      );
      expect(heights).toEqual(ITEMS.map((l) => ({ reference: l.reference, oneLine: true })));
      expectCleanConsole(phone);
    });
  }, 300_000); // nine pages and a second viewport: under load, more than one journey's usual time
});
