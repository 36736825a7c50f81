/**
 * Journey 3: a Commercial sees only what their profile allows, and the server refuses the rest
 * even when the page is bypassed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withArtifacts, type Tab } from './driver';
import { acceptInvitation, engines, expectCleanConsole, invite, journey, JOURNEY_TIMEOUT_MS, logIn, logOut, openTab, startE2E, uniqueEmail, type E2E } from './support';

describe.each(engines())('a Commercial in the dossier (%s)', (engine) => {
  let e2e: E2E;
  const tabs: Tab[] = [];
  beforeAll(async () => {
    e2e = await startE2E(engine);
  });
  afterAll(async () => {
    await e2e?.close();
  });

  it('has no settings in the navigation, sees "not allowed", and is refused by the API', async () => {
    await withArtifacts('commercial permissions', () => tabs, async () => {
      const { tab: admin, dossierId } = await journey(e2e, tabs, { name: 'Denis Roux', company: 'Roux Menuiserie' });
      const { tab: sales } = await openTab(e2e, tabs);
      const salesEmail = uniqueEmail('sophie');
      await invite(admin, dossierId, salesEmail, 'Commercial');
      await acceptInvitation(sales, { email: salesEmail, name: 'Sophie Blanc', company: 'Roux Menuiserie' });

      // Log out and in again: with one dossier, login leads straight to it.
      await logOut(sales, 'Sophie Blanc');
      await logIn(sales, salesEmail);
      await sales.waitForUrl((url) => url.endsWith(`/d/${dossierId}`));
      await sales.waitForText('Bienvenue dans Roux Menuiserie');

      const nav = await sales.text('nav[aria-label="Navigation du dossier"]');
      expect(nav).toContain('Accueil');
      expect(nav).not.toContain('Paramètres');
      expect(nav).not.toContain('Membres');
      expect(nav).not.toContain('Journal des actions');

      await sales.goto(`/d/${dossierId}/settings`);
      await sales.waitForText('Accès non autorisé');
      expect(await sales.text('main')).toContain('Commercial');
      expect(await sales.text('main')).not.toContain('Enregistrer les paramètres');

      const refused = await sales.evaluate(async (id: string) => {
        const csrf = (await (await fetch('/api/csrf')).json()) as { token: string };
        const response = await fetch(`/api/d/${id}/settings`, {
          method: 'PATCH',
          headers: { 'content-type': 'application/json', 'x-csrf-token': csrf.token },
          body: JSON.stringify({ legalName: 'Pris en main' }),
        });
        return { status: response.status, body: (await response.json()) as { error: { code: string } } };
      }, dossierId);
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('forbidden');

      // The administrator still sees the dossier's real name.
      await admin.goto(`/d/${dossierId}/settings`);
      await admin.waitForText('Paramètres du dossier');
      expect(await admin.evaluate(() => (document.getElementById('f-legalName') as HTMLInputElement).value)).toBe('Roux Menuiserie');
      expectCleanConsole(admin);
      expectCleanConsole(sales);
    });
  }, JOURNEY_TIMEOUT_MS);
});
