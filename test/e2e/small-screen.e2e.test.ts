/** On a 375 px wide phone, pages fit the screen: nothing overflows the body horizontally. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withArtifacts, type Tab } from './driver';
import { engines, expectCleanConsole, JOURNEY_TIMEOUT_MS, signUp, startE2E, uniqueEmail, type E2E } from './support';

const PHONE = { width: 375, height: 740 };

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
    const phone = await (await e2e.browser.newUser({ viewport: PHONE })).newTab();
    tabs.push(phone);

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
});
