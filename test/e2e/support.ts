/** What every browser journey needs: a real server, a browser, and the steps users repeat. */
import { expect } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server';
import { launchBrowser, type Browser, type Tab } from './driver';

export const PASSWORD = 'Ardoise-e2e-mot-de-passe-2026';
export const JOURNEY_TIMEOUT_MS = 120_000;

let counter = 0;
export function uniqueEmail(prefix: string): string {
  return `${prefix}.${Date.now().toString(36)}${(counter++).toString(36)}@example.com`;
}

export interface E2E {
  server: TestServer;
  browser: Browser;
  close(): Promise<void>;
}

export async function startE2E(): Promise<E2E> {
  const server = await startTestServer();
  let browser: Browser;
  try {
    browser = await launchBrowser(server.url);
  } catch (error) {
    await server.close();
    throw error;
  }
  return {
    server,
    browser,
    async close() {
      await browser.close().catch(() => {});
      await server.close();
    },
  };
}

const DOSSIER_URL = /\/d\/([0-9a-f-]{36})\/?$/;

/** The dossier id of the tab's URL (`/d/<id>` or `/d/<id>/…`). */
export async function dossierIdOf(tab: Tab): Promise<string> {
  const match = /\/d\/([0-9a-f-]{36})/.exec(await tab.url());
  if (!match?.[1]) throw new Error(`Not on a dossier page: ${await tab.url()}`);
  return match[1];
}

/** Signs up through the form; ends on the new dossier's home page. Returns the dossier id. */
export async function signUp(tab: Tab, user: { name: string; email: string; company: string }): Promise<string> {
  await tab.goto('/signup');
  await tab.fill('Nom et prénom', user.name);
  await tab.fill('Adresse e-mail', user.email);
  await tab.fill('Mot de passe', PASSWORD);
  await tab.fill("Nom de l'entreprise", user.company);
  await tab.click('Créer mon compte');
  await tab.waitForUrl(DOSSIER_URL);
  await tab.waitForText(`Bienvenue dans ${user.company}`);
  return dossierIdOf(tab);
}

export async function logIn(tab: Tab, email: string): Promise<void> {
  await tab.goto('/login');
  await tab.fill('Adresse e-mail', email);
  await tab.fill('Mot de passe', PASSWORD);
  await tab.click('Se connecter');
  await tab.waitForUrl((url) => !url.includes('/login'));
}

export async function logOut(tab: Tab, userName: string): Promise<void> {
  await tab.click({ role: 'button', name: new RegExp(userName) });
  await tab.click('Se déconnecter');
  await tab.waitForUrl(/\/login/);
}

/** From the dossier's members page: invites `email` with the profile shown as `profile`. */
export async function invite(tab: Tab, dossierId: string, email: string, profile: string): Promise<void> {
  await tab.goto(`/d/${dossierId}/members`);
  await tab.fill('Adresse e-mail de la personne', email);
  await tab.select('Profil', profile);
  await tab.click("Envoyer l'invitation");
  await tab.waitForText(`Invitation envoyée à ${email}`);
}

/**
 * Opens the local outbox, the newest message to `to`, and follows its link containing `linkPart`
 * (as the recipient would from their mailbox).
 */
export async function followEmailLink(tab: Tab, to: string, linkPart: string): Promise<void> {
  await tab.goto('/outbox');
  await tab.waitForText("Aucun serveur SMTP n'est configuré");
  await tab.click({ role: 'link', name: new RegExp(`À ${escapeRegExp(to)}`) });
  const link = { role: 'link' as const, name: new RegExp(escapeRegExp(linkPart)) };
  await tab.waitForText(linkPart, { selector: 'article' });
  await tab.click(link);
  await tab.waitForUrl((url) => url.includes(linkPart));
}

export function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** No uncaught script error and no Content-Security-Policy violation happened in the tab. */
export function expectCleanConsole(tab: Tab): void {
  const problems = tab.consoleLog().filter((line) => line.includes('pageerror:') || /Content Security Policy/i.test(line));
  expect(problems, `console of ${tab.name}`).toEqual([]);
}
