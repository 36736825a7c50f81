/**
 * The language switch (login page and header; remembered in the browser and in the account) and
 * the settings form's validation: messages by the fields, a focused error summary, aria wiring.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withArtifacts, type Tab } from './driver';
import { engines, escapeRegExp, expectCleanConsole, JOURNEY_TIMEOUT_MS, openTab, PASSWORD, startE2E, uniqueEmail, type E2E } from './support';

describe.each(engines())('language and form validation (%s)', (engine) => {
  let e2e: E2E;
  const tabs: Tab[] = [];
  beforeAll(async () => {
    e2e = await startE2E(engine);
  });
  afterAll(async () => {
    await e2e?.close();
  });

  const readLocale = (tab: Tab) => tab.evaluate(async () => ((await (await fetch('/api/me')).json()) as { user: { locale: string } }).user.locale);
  /** The account's language once saved: the switch changes the page at once and saves it just after. */
  const accountLocale = async (tab: Tab, expected: string) => {
    const deadline = Date.now() + 5000;
    let locale = await readLocale(tab);
    while (locale !== expected && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      locale = await readLocale(tab);
    }
    return locale;
  };

  it('signs up in English, validates the settings, and switches back to French', async () => {
    const { tab } = await openTab(e2e, tabs);

    await withArtifacts('language and validation', () => tabs, async () => {
      await tab.goto('/login');
      await tab.select('Langue', 'English');
      await tab.waitForText('Forgot your password?');
      await tab.click('Create an account');
      await tab.fill('Full name', 'Grace Hopper');
      const email = uniqueEmail('grace');
      await tab.fill('E-mail address', email);
      await tab.fill('Password', PASSWORD);
      await tab.fill('Company name', 'Hopper Consulting');
      await tab.click('Create my account');
      await tab.waitForText('Check your inbox');
      await tab.waitForText(`We have sent an e-mail to ${email}.`);
      // The confirmation e-mail, in English, from the local outbox.
      await tab.click('Open the local outbox');
      await tab.click({ role: 'link', name: new RegExp(`To ${escapeRegExp(email)}`) });
      await tab.waitForText('Confirm your Ardoise account', { selector: 'article' });
      await tab.click({ role: 'link', name: /\/signup\/confirm\?token=/ });
      // The link alone creates nothing: the password chosen at sign-up is asked again.
      await tab.fill('Password', 'not-the-one-chosen');
      await tab.click('Confirm and create my account');
      await tab.waitForText('This is not the password chosen at sign-up.');
      await tab.fill('Password', PASSWORD);
      await tab.click('Confirm and create my account');
      await tab.waitForText('Welcome to Hopper Consulting');
      expect(await accountLocale(tab, 'en')).toBe('en');

      await tab.click('Settings');
      await tab.waitForText('Dossier settings');
      await tab.fill('SIREN', '123456789');
      await tab.fill('Postcode', '69001');
      await tab.click('Save the settings');
      await tab.waitForText('Invalid SIREN: 9 digits with a correct check digit.');
      await tab.waitForText('Enter the street address.');
      const focus = await tab.evaluate(() => {
        const active = document.activeElement;
        const siren = document.getElementById('f-siren');
        const describedBy = siren?.getAttribute('aria-describedby') ?? '';
        return {
          activeRole: active?.getAttribute('role') ?? null,
          sirenInvalid: siren?.getAttribute('aria-invalid') ?? null,
          sirenDescription: describedBy
            .split(' ')
            .map((id) => document.getElementById(id)?.textContent ?? '')
            .join(' '),
        };
      });
      expect(focus.activeRole).toBe('alert');
      expect(focus.sirenInvalid).toBe('true');
      expect(focus.sirenDescription).toContain('Invalid SIREN');

      await tab.select('Language', 'Français');
      await tab.waitForText('Paramètres du dossier');
      await tab.waitForUrl((url) => url.endsWith('/settings'));
      expect(await accountLocale(tab, 'fr')).toBe('fr');
      await tab.goto(await tab.url());
      await tab.waitForText('Paramètres du dossier');
      expect(await tab.evaluate(() => document.documentElement.lang)).toBe('fr');
      expectCleanConsole(tab);
    });
  }, JOURNEY_TIMEOUT_MS);
});
