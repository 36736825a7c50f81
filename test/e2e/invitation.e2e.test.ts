/**
 * Journey 1: a business owner signs up, fills in the dossier's settings, invites a colleague as
 * ADV; the colleague follows the e-mailed link (local outbox), creates an account and accepts;
 * both then see the dossier.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withArtifacts, type Tab } from './driver';
import { engines, expectCleanConsole, followEmailLink, invite, journey, JOURNEY_TIMEOUT_MS, openTab, PASSWORD, startE2E, uniqueEmail, type E2E } from './support';

describe.each(engines())('invitation journey (%s)', (engine) => {
  let e2e: E2E;
  const tabs: Tab[] = [];
  beforeAll(async () => {
    e2e = await startE2E(engine);
  });
  afterAll(async () => {
    await e2e?.close();
  });

  it('signs up, sets up the dossier, invites an ADV who joins it', async () => {
    await withArtifacts('invitation journey', () => tabs, async () => {
      const { tab: alice, dossierId } = await journey(e2e, tabs, { name: 'Alice Martin', company: 'Atelier Martin' }, {
        settings: { siren: '732 829 320', vatNumber: 'FR44732829320', street: '12 rue des Lilas', postalCode: '75011', city: 'Paris', iban: 'FR76 3000 6000 0112 3456 7890 189' },
      });
      const { tab: bob } = await openTab(e2e, tabs);
      const bobEmail = uniqueEmail('bob');
      const saved = await alice.evaluate(async (id: string) => {
        const r = await fetch(`/api/d/${id}`, { headers: { accept: 'application/json' } });
        return (await r.json()) as { dossier: { siren: string; vatNumber: string; iban: string; address: { city: string } } };
      }, dossierId);
      expect(saved.dossier).toMatchObject({ siren: '732829320', vatNumber: 'FR44732829320', iban: 'FR7630006000011234567890189', address: { city: 'Paris' } });

      await invite(alice, dossierId, bobEmail, 'ADV');
      await alice.waitForText('Invitations en attente');
      expect(await alice.text('main')).toContain(bobEmail);

      await followEmailLink(bob, bobEmail, '/invitation/');
      await bob.waitForText("Alice Martin vous invite à rejoindre le dossier Atelier Martin");
      await bob.fill('Nom et prénom', 'Bob Leroy');
      await bob.fill('Mot de passe', PASSWORD);
      await bob.click("Créer mon compte et accepter l'invitation");
      await bob.waitForUrl((url) => url.includes(`/d/${dossierId}`));
      await bob.waitForText('Bienvenue dans Atelier Martin');
      expect(await bob.selectedOption('Dossier')).toBe('Atelier Martin');
      const bobNav = await bob.text('nav[aria-label="Navigation du dossier"]');
      expect(bobNav).toContain('Accueil');
      expect(bobNav).not.toContain('Paramètres');
      expect(bobNav).not.toContain('Membres');

      await alice.goto(`/d/${dossierId}/members`);
      await alice.waitForText('Bob Leroy');
      expect(await alice.selectedOption('Profil de Bob Leroy')).toBe('ADV');
      expect(await alice.text('main')).toContain('Aucune invitation en attente.');
      expectCleanConsole(alice);
      expectCleanConsole(bob);
    });
  }, JOURNEY_TIMEOUT_MS);
});
