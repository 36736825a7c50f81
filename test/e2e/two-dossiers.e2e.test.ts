/**
 * Journey 2: one login, two dossiers, two tabs. Each tab keeps its own dossier while navigating,
 * and the header's switcher moves a tab to the other dossier without logging out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withArtifacts, type Tab } from './driver';
import { engines, expectCleanConsole, dossierIdOf, journey, JOURNEY_TIMEOUT_MS, startE2E, type E2E } from './support';

describe.each(engines())('two dossiers in two tabs (%s)', (engine) => {
  let e2e: E2E;
  const tabs: Tab[] = [];
  beforeAll(async () => {
    e2e = await startE2E(engine);
  });
  afterAll(async () => {
    await e2e?.close();
  });

  it('keeps each tab on its own dossier and switches without logging out', async () => {
    await withArtifacts('two dossiers', () => tabs, async () => {
      const { user, tab: first, dossierId: bakery } = await journey(e2e, tabs, { name: 'Claire Durand', company: 'Boulangerie Durand' });

      await first.goto('/dossiers');
      await first.fill("Raison sociale de l'entreprise", 'Durand Traiteur');
      await first.click('Créer le dossier');
      await first.waitForText('Bienvenue dans Durand Traiteur');
      const caterer = await dossierIdOf(first);
      expect(caterer).not.toBe(bakery);

      await first.goto('/dossiers');
      await first.waitForText('Boulangerie Durand');
      await first.waitForText('Durand Traiteur');

      const second = await user.newTab();
      tabs.push(second);
      await first.goto(`/d/${bakery}`);
      await second.goto(`/d/${caterer}`);
      await first.waitForText('Bienvenue dans Boulangerie Durand');
      await second.waitForText('Bienvenue dans Durand Traiteur');

      // Each tab navigates inside its own dossier; the other tab's activity changes nothing.
      await first.click('Membres');
      await first.waitForText('Membres du dossier');
      await second.click('Paramètres');
      await second.waitForText('Paramètres du dossier');
      expect(await first.selectedOption('Dossier')).toBe('Boulangerie Durand');
      expect(await second.selectedOption('Dossier')).toBe('Durand Traiteur');
      expect(await dossierIdOf(first)).toBe(bakery);
      expect(await dossierIdOf(second)).toBe(caterer);

      await first.click('Paramètres');
      await first.waitForText('Paramètres du dossier');
      expect(await first.evaluate(() => (document.getElementById('f-legalName') as HTMLInputElement).value)).toBe('Boulangerie Durand');
      expect(await second.evaluate(() => (document.getElementById('f-legalName') as HTMLInputElement).value)).toBe('Durand Traiteur');

      await second.click('Accueil');
      await second.waitForText('Bienvenue dans Durand Traiteur');

      // The switcher moves the first tab to the other dossier, still logged in.
      await first.select('Dossier', 'Durand Traiteur');
      await first.waitForUrl((url) => url.endsWith(`/d/${caterer}`));
      await first.waitForText('Bienvenue dans Durand Traiteur');
      expect(await first.url()).not.toContain('/login');

      // And back, with a reload: the URL alone says which dossier a tab shows.
      await first.select('Dossier', 'Boulangerie Durand');
      await first.waitForText('Bienvenue dans Boulangerie Durand');
      await second.goto(`/d/${caterer}/members`);
      await second.waitForText('Membres du dossier');
      expect(await second.selectedOption('Dossier')).toBe('Durand Traiteur');
      await first.goto(await first.url());
      await first.waitForText('Bienvenue dans Boulangerie Durand');
      expectCleanConsole(first);
      expectCleanConsole(second);
    });
  }, JOURNEY_TIMEOUT_MS);
});
