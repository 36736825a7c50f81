/** What every browser journey needs: a real server, a browser, and the steps users repeat. */
import { expect } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server';
import { engines, launchBrowser, type Browser, type Engine, type Tab, type User, type Viewport } from './driver';

export { engines, type Engine };

export const PASSWORD = 'Ardoise-e2e-mot-de-passe-2026';
/** A journey's time: room for a browser that stopped answering (60 s, see driver/webdriver.ts) and one more run. */
export const JOURNEY_TIMEOUT_MS = 240_000;

let counter = 0;
export function uniqueEmail(prefix: string): string {
  return `${prefix}.${Date.now().toString(36)}${(counter++).toString(36)}@example.com`;
}

export interface E2E {
  engine: Engine;
  server: TestServer;
  browser: Browser;
  close(): Promise<void>;
}

/** A server and a browser of `engine`. Journeys run once per engine: `describe.each(engines())(…, (engine) => …)`. */
export async function startE2E(engine: Engine): Promise<E2E> {
  // The server's errors (a failed delivery, an unexpected exception) are printed: a journey that
  // waits in vain for something the server failed to do then says why. LOG_LEVEL overrides it.
  const server = await startTestServer({ LOG_LEVEL: process.env.LOG_LEVEL ?? 'error' });
  let browser: Browser;
  try {
    browser = await launchBrowser(server.url, engine);
  } catch (error) {
    await server.close();
    throw error;
  }
  return {
    engine,
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

/**
 * Signs up through the form, then opens the confirmation link e-mailed to the address (from the
 * local outbox); ends on the new dossier's home page. Returns the dossier id.
 */
export async function signUp(tab: Tab, user: { name: string; email: string; company: string }): Promise<string> {
  await tab.goto('/signup');
  await tab.fill('Nom et prénom', user.name);
  await tab.fill('Adresse e-mail', user.email);
  await tab.fill('Mot de passe', PASSWORD);
  await tab.fill("Nom de l'entreprise", user.company);
  await tab.click('Créer mon compte');
  await tab.waitForText('Vérifiez votre boîte de réception');
  await openEmailLink(tab, user.email, '/signup/confirm?token=');
  await tab.fill('Mot de passe', PASSWORD);
  await tab.click('Confirmer et créer mon compte');
  await tab.waitForUrl(DOSSIER_URL);
  await tab.waitForText(`Bienvenue dans ${user.company}`);
  return dossierIdOf(tab);
}

/** The company details a journey types in Paramètres, each into the field of that label (`legalForm` is picked from its list). */
export interface DossierSettings {
  legalForm?: string;
  siren?: string;
  shareCapital?: string;
  rcsCity?: string;
  street?: string;
  postalCode?: string;
  city?: string;
  vatNumber?: string;
  iban?: string;
}

const SETTINGS_FIELDS: [keyof DossierSettings, string][] = [
  ['siren', 'SIREN'],
  ['shareCapital', 'Capital social (€)'],
  ['rcsCity', 'Ville du RCS'],
  ['street', 'Numéro et voie'],
  ['postalCode', 'Code postal'],
  ['city', 'Ville'],
  ['vatNumber', 'N° de TVA intracommunautaire'],
  ['iban', 'IBAN'],
];

/** From any page of the dossier: opens Paramètres, types `settings` and saves them. */
export async function saveDossierSettings(tab: Tab, settings: DossierSettings, options: { timeoutMs?: number } = {}): Promise<void> {
  await tab.click('Paramètres');
  await tab.waitForText('Paramètres du dossier');
  if (settings.legalForm) await tab.select('Forme juridique', settings.legalForm);
  for (const [key, label] of SETTINGS_FIELDS) {
    const value = settings[key];
    if (value !== undefined) await tab.fill(label, value);
  }
  await tab.click('Enregistrer les paramètres');
  await tab.waitForText('Paramètres enregistrés.', options);
}

/** A new browser user (cookies and storage of its own) and its first tab, added to `tabs` for the failure artifacts. */
export async function openTab(e2e: E2E, tabs: Tab[], options: { viewport?: Viewport } = {}): Promise<{ user: User; tab: Tab }> {
  const user = await e2e.browser.newUser(options);
  const tab = await user.newTab();
  tabs.push(tab);
  return { user, tab };
}

export interface JourneyStart {
  user: User;
  tab: Tab;
  dossierId: string;
  email: string;
}

/**
 * How journeys begin: a new browser user and tab (`openTab`), its owner signed up through the
 * form (`signUp`) and on the new dossier's home page; given `settings`, the dossier's company
 * details saved in Paramètres (`saveDossierSettings`).
 */
export async function journey(
  e2e: E2E,
  tabs: Tab[],
  owner: { name: string; company: string; email?: string },
  options: { settings?: DossierSettings; viewport?: Viewport; timeoutMs?: number } = {},
): Promise<JourneyStart> {
  const { user, tab } = await openTab(e2e, tabs, { viewport: options.viewport });
  const email = owner.email ?? uniqueEmail(owner.name.split(' ')[0]!.normalize('NFD').replace(/[^A-Za-z]/g, '').toLowerCase() || 'owner');
  const dossierId = await signUp(tab, { name: owner.name, email, company: owner.company });
  if (options.settings) await saveDossierSettings(tab, options.settings, { timeoutMs: options.timeoutMs });
  return { user, tab, dossierId, email };
}

/** The invited person follows the e-mailed invitation, creates their account and lands in the dossier `company`. */
export async function acceptInvitation(tab: Tab, invited: { email: string; name: string; company: string }, options: { timeoutMs?: number } = {}): Promise<void> {
  await followEmailLink(tab, invited.email, '/invitation/');
  await tab.fill('Nom et prénom', invited.name);
  await tab.fill('Mot de passe', PASSWORD);
  await tab.click("Créer mon compte et accepter l'invitation");
  await tab.waitForText(`Bienvenue dans ${invited.company}`, options);
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
  await openEmailLink(tab, to, linkPart);
  await tab.waitForUrl((url) => url.includes(linkPart));
}

/**
 * As `followEmailLink`, without waiting to be on the link's page (a sign-up link's page leaves for
 * the new dossier at once). The outbox page lists a message sent a moment later on its next refresh.
 */
export async function openEmailLink(tab: Tab, to: string, linkPart: string): Promise<void> {
  await tab.goto('/outbox');
  await tab.waitForText("Aucun serveur SMTP n'est configuré");
  await tab.click({ role: 'link', name: new RegExp(`À ${escapeRegExp(to)}`) });
  const link = { role: 'link' as const, name: new RegExp(escapeRegExp(linkPart)) };
  await tab.waitForText(linkPart, { selector: 'article' });
  await tab.click(link);
}

export function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** No uncaught script error and no Content-Security-Policy violation happened in the tab. */
export function expectCleanConsole(tab: Tab): void {
  const problems = tab.consoleLog().filter((line) => line.includes('pageerror:') || /Content Security Policy/i.test(line));
  expect(problems, `console of ${tab.name}`).toEqual([]);
}

/**
 * Text as compared by the journeys: every run of whitespace (the no-break and narrow no-break
 * spaces of French amounts, `1 234,56 €`, tabs and newlines of table cells) becomes one space.
 */
export function normalizeSpaces(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Waits until the element of `selector` shows exactly `expected` (whitespace normalised), e.g.
 * `[data-testid="total-ttc"]` → `707,97 €`; fails with what it showed last.
 */
export async function expectShown(tab: Tab, selector: string, expected: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let shown: string;
  for (;;) {
    try {
      shown = normalizeSpaces(await tab.text(selector));
    } catch (error) {
      shown = `(error: ${String((error as Error).message ?? error).split('\n')[0]})`;
    }
    if (shown === expected || Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  expect(shown, `${tab.name}: ${selector}`).toBe(expected);
}

/** `[data-testid="…"]`. */
export function testId(id: string): string {
  return `[data-testid="${id}"]`;
}

/**
 * The value of the form control labelled `label` (its aria-label or its <label>'s text, whitespace
 * normalised): an input's or textarea's value, a select's shown option; null when there is none.
 */
export async function fieldValue(tab: Tab, label: string): Promise<string | null> {
  return tab.evaluate((wanted: string) => {
    const norm = (s: string | null) => (s ?? '').replace(/\s+/g, ' ').trim();
    const target = norm(wanted);
    let control: Element | null = null;
    for (const el of Array.from(document.querySelectorAll('[aria-label]'))) {
      if (norm(el.getAttribute('aria-label')) === target && /^(INPUT|SELECT|TEXTAREA)$/.test(el.nodeName)) {
        control = el;
        break;
      }
    }
    if (!control) {
      for (const l of Array.from(document.querySelectorAll('label'))) {
        if (norm(l.textContent) === target && l.control) {
          control = l.control;
          break;
        }
      }
    }
    if (!control) return null;
    if (control instanceof HTMLSelectElement) return norm(control.selectedOptions[0]?.textContent ?? '');
    return (control as HTMLInputElement).value;
  }, label);
}

/** The label of the focused element (aria-label, else its <label>'s text, else its text), whitespace normalised. */
export async function focusedLabel(tab: Tab): Promise<string> {
  return tab.evaluate(() => {
    const norm = (s: string | null | undefined) => (s ?? '').replace(/\s+/g, ' ').trim();
    const el = document.activeElement;
    if (!el || el === document.body) return '(nothing focused)';
    const aria = el.getAttribute('aria-label');
    if (aria) return norm(aria);
    const labels = (el as HTMLInputElement).labels;
    if (labels && labels.length > 0) return norm(labels[0]?.textContent);
    return norm(el.textContent);
  });
}

/** Polls `check` until it answers true; fails with `what` after the timeout. */
export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A JSON request from the page, with the session's cookie and a CSRF token. */
export async function apiFromPage(tab: Tab, method: string, path: string, body?: unknown): Promise<any> {
  const result = await tab.evaluate(
    async ({ method, path, body }) => {
      const csrf = (await (await fetch('/api/csrf')).json()) as { token: string };
      const res = await fetch(path, { method, headers: { 'content-type': 'application/json', 'x-csrf-token': csrf.token }, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as unknown };
    },
    { method, path, body },
  );
  if (result.status >= 300) throw new Error(`${method} ${path}: ${result.status} ${JSON.stringify(result.body)}`);
  return result.body;
}
