/**
 * Journey: the owner reads the Journal des actions — French labels, a filter kept in the URL
 * (the back button undoes it), pages by keyset, the summary per user, and the export links.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withArtifacts, type Tab } from './driver';
import { apiFromPage, engines, expectCleanConsole, journey, JOURNEY_TIMEOUT_MS, startE2E, waitUntil, type E2E } from './support';

describe.each(engines())('the Journal des actions (%s)', (engine) => {
  let e2e: E2E;
  const tabs: Tab[] = [];
  beforeAll(async () => {
    e2e = await startE2E(engine);
  });
  afterAll(async () => {
    await e2e?.close();
  });

  it('reads as French, filters by kind of action through the URL, pages, sums per user and offers the export', async () => {
    await withArtifacts('journal des actions', () => tabs, async () => {
      const { tab, dossierId } = await journey(e2e, tabs, { name: 'Hélène Martin', company: 'Martin Paysages' });
      // 55 settings changes and two customers: more than one page of 50.
      for (let i = 0; i < 55; i++) await apiFromPage(tab, 'PATCH', `/api/d/${dossierId}/settings`, { phone: `01 02 03 04 ${String(i).padStart(2, '0')}` });
      for (const name of ['Jardins du Lac', 'Café des Arts']) {
        await apiFromPage(tab, 'POST', `/api/d/${dossierId}/customers`, { kind: 'company', name, billingAddress: { line1: '1 rue Haute', line2: '', postalCode: '74000', city: 'Annecy', country: 'FR' }, emails: [] });
      }

      await tab.goto(`/d/${dossierId}/audit`);
      await tab.waitForText('Journal des actions');
      await tab.waitForText('Client créé');
      const first = await tab.text('main');
      expect(first).toContain('Paramètres du dossier modifiés');
      expect(first).not.toContain('customer.created');
      expect(first).toContain('Café des Arts');

      // Kind of action « Clients »: only the two customers, and the filter is in the URL.
      await tab.select("Type d'action", 'Clients');
      await tab.waitForUrl((url) => url.includes('group=customer'));
      await waitUntil('only customer events are listed', async () => !(await tab.text('table.audit tbody')).includes('Paramètres du dossier modifiés'));
      const customers = await tab.text('table.audit tbody');
      expect(customers).toContain('Jardins du Lac');
      expect(customers).not.toContain('Paramètres du dossier modifiés');
      expect(customers.match(/Client créé/g)?.length).toBe(2);
      // Back: the filter is undone. (WebKit driven over WebDriver did not always act on a scripted
      // history.back() in CI; there the filter is undone from its select, the URL checked the same.)
      if (engine === 'chromium') await tab.evaluate(() => history.back());
      else await tab.select("Type d'action", 'Tous');
      await tab.waitForUrl((url) => !url.includes('group=customer'));
      await tab.waitForText('Paramètres du dossier modifiés');

      // The next page holds the oldest events, down to the dossier's creation.
      await tab.click('Page suivante');
      await tab.waitForUrl((url) => url.includes('cursor='));
      await tab.waitForText('Création du dossier');
      await tab.click('Page précédente');
      await tab.waitForUrl((url) => !url.includes('cursor='));
      await tab.waitForText('Client créé');

      // The summary: one user, every action counted.
      await tab.click('Synthèse');
      await tab.waitForText('actions par utilisateur et par type');
      const summary = await tab.text('.audit-summary table');
      expect(summary).toContain('Hélène Martin');
      // (headers may be styled in capitals: innerText gives them as shown)
      expect(summary.toLowerCase()).toContain('clients');
      expect(summary.toLowerCase()).toContain('total');
      // Clients 2, Dossier et réglages 56 (its creation and 55 changes), 58 in all.
      expect(summary).toMatch(/Hélène Martin\s+2\s+56\s+58/);
      await tab.waitForText('Actions par jour et par utilisateur');

      // The administrator may export: both links carry the filters on screen.
      await tab.click('Tableau');
      await tab.select("Type d'action", 'Clients');
      await tab.waitForUrl((url) => url.includes('group=customer'));
      const exportLinks = () => tab.evaluate(() => [...document.querySelectorAll('a[href*="/audit/export"]')].map((a) => a.getAttribute('href') ?? ''));
      // The links follow the URL once the page has rendered its new filters.
      await waitUntil('the export links carry the filter', async () => (await exportLinks()).every((href) => href.includes('group=customer')));
      const links = await exportLinks();
      expect(links).toHaveLength(2);
      for (const href of links) expect(href).toContain('group=customer');
      expectCleanConsole(tab);
    });
  }, JOURNEY_TIMEOUT_MS);
});
