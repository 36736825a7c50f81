/**
 * The drivers keep the promises of `types.ts` in every engine, on a small page of our own (no
 * app server): users are isolated from each other, tabs of a user share its cookies, controls are
 * found by label and role as Playwright finds them, fill replaces, hidden text is not "shown", the
 * console log has console errors, page errors and CSP violations, and a phone viewport is 375 px.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines, launchBrowser, withArtifacts, type Browser } from './index';
import { isUnanswered, webDriverCommand, WebDriverError } from './webdriver';

const PAGE = `<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Banc d'essai</title><link rel="stylesheet" href="/page.css"></head>
<body>
  <p id="who"></p>
  <form id="form">
    <label for="name">Nom</label> <input id="name" value="ancien">
    <label for="note">Note</label> <input id="note">
    <label for="day">Date</label> <input id="day" type="date">
    <label for="profile">Profil</label>
    <select id="profile"><option>ADV</option><option>Commercial</option><option>Lecture seule</option></select>
    <label><input type="checkbox" id="agree"> J'accepte</label>
    <label for="file">Pièce jointe</label> <input type="file" id="file" class="visually-hidden">
    <div hidden><button type="button">Supprimer</button></div>
    <button type="button" id="remove" aria-label="Supprimer">×</button>
    <button type="button" id="later">Valider</button>
    <button type="button" id="misbehave">Provoquer des erreurs</button>
    <button type="submit">Envoyer</button>
  </form>
  <p hidden>Texte caché</p>
  <output id="echo"></output> <output id="events"></output> <output id="done"></output>
  <script src="/page.js"></script>
</body></html>`;

const SCRIPT = `
const $ = (id) => document.getElementById(id);
$('who').textContent = 'cookie=' + (document.cookie || 'none') + ' storage=' + (localStorage.getItem('who') || 'none');
const events = [];
const note = (e) => { events.push(e); $('events').textContent = events.join(','); };
$('name').addEventListener('input', (e) => { $('echo').textContent = 'name=' + e.target.value; });
$('profile').addEventListener('change', (e) => note('change:' + e.target.value));
$('day').addEventListener('change', (e) => note('day:' + e.target.value));
$('agree').addEventListener('change', (e) => note('agree:' + e.target.checked));
$('file').addEventListener('change', (e) => { const f = e.target.files[0]; f.text().then((t) => note('file:' + f.name + ':' + t)); });
$('remove').addEventListener('click', () => note('removed'));
$('later').addEventListener('click', () => setTimeout(() => { $('done').textContent = 'Validé !'; }, 300));
$('form').addEventListener('submit', (e) => { e.preventDefault(); note('submitted'); });
$('misbehave').addEventListener('click', () => {
  console.error('an error in the console');
  try { Function('return 1')(); } catch (e) { /* refused by the CSP, as the page expects */ }
  setTimeout(() => { throw new Error('uncaught in a timer'); }, 0);
});
`;

const CSS = `.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
body { margin: 8px; } input, select { max-width: 100%; }`;

let server: http.Server;
let baseUrl = '';

beforeAll(async () => {
  server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname === '/page.js') return void response.writeHead(200, { 'content-type': 'text/javascript' }).end(SCRIPT);
    if (url.pathname === '/page.css') return void response.writeHead(200, { 'content-type': 'text/css' }).end(CSS);
    const headers: http.OutgoingHttpHeaders = {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'",
    };
    if (url.searchParams.has('as')) headers['set-cookie'] = `who=${url.searchParams.get('as')}; Path=/; SameSite=Lax`;
    response.writeHead(200, headers).end(PAGE);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe.each(engines())('the %s driver', (engine) => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser(baseUrl, engine);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('isolates users, shares cookies between the tabs of one user', async () => {
    const alice = await browser.newUser();
    const bob = await browser.newUser();
    const a1 = await alice.newTab();
    await a1.goto('/?as=alice');
    await a1.evaluate(() => localStorage.setItem('who', 'alice'));
    const b1 = await bob.newTab();
    await b1.goto('/');
    expect(await b1.text('#who')).toBe('cookie=none storage=none');
    const a2 = await alice.newTab();
    await a2.goto('/');
    expect(await a2.text('#who')).toBe('cookie=who=alice storage=alice');
    expect(alice.tabs()).toHaveLength(2);
    await alice.close();
    await bob.close();
  }, 90_000);

  it('fills, selects, checks, uploads, clicks and presses keys as a user', async () => {
    const tab = await (await browser.newUser()).newTab();
    await tab.goto('/');
    await tab.fill('Nom', 'Émilie Fontaine-Delacroix');
    expect(await tab.text('#echo')).toBe('name=Émilie Fontaine-Delacroix');
    await tab.fill('Nom', '');
    expect(await tab.evaluate(() => (document.getElementById('name') as HTMLInputElement).value)).toBe('');
    expect(await tab.text('#echo')).toBe('name=');
    await tab.fill('Date', '2026-03-15');
    await tab.select('Profil', 'Commercial');
    expect(await tab.selectedOption('Profil')).toBe('Commercial');
    await tab.check("J'accepte");
    await tab.uncheck("J'accepte");
    await tab.upload('Pièce jointe', { name: 'devis.txt', mimeType: 'text/plain', content: Buffer.from('bonjour') });
    // The visible "Supprimer" (its aria-label), not the hidden button of the same name.
    await tab.click('Supprimer');
    await tab.waitForText('file:devis.txt:bonjour', { selector: '#events' });
    expect(await tab.text('#events')).toBe('day:2026-03-15,change:Commercial,agree:true,agree:false,file:devis.txt:bonjour,removed');

    await tab.click({ role: 'button', name: 'Valider' });
    await tab.waitForText(/^Validé !$/);
    await tab.fill('Note', 'x');
    await tab.press('Enter');
    await tab.waitForText('submitted', { selector: '#events' });
    await tab.press('Tab');
    expect(await tab.evaluate(() => document.activeElement?.id ?? null)).toBe('day');
  }, 90_000);

  it('does not see hidden text', async () => {
    const tab = await (await browser.newUser()).newTab();
    await tab.goto('/');
    await tab.waitForText('Valider');
    await expect(tab.waitForText('Texte caché', { timeoutMs: 1_000 })).rejects.toThrow();
  }, 60_000);

  it('logs console errors, page errors and CSP violations', async () => {
    const tab = await (await browser.newUser()).newTab();
    await tab.goto('/');
    await tab.click('Provoquer des erreurs');
    await tab.waitForText('Valider');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await tab.text('body');
    const log = tab.consoleLog().join('\n');
    expect(log).toContain('console.error: an error in the console');
    expect(log).toMatch(/pageerror: .*uncaught in a timer/);
    expect(log).toMatch(/Content Security Policy.*script-src/);
  }, 60_000);

  it('gives a phone its 375 px viewport', async () => {
    const tab = await (await browser.newUser({ viewport: { width: 375, height: 740 } })).newTab();
    await tab.goto('/');
    expect(await tab.evaluate(() => [window.innerWidth, window.innerHeight])).toEqual([375, 740]);
    await tab.setViewport({ width: 1024, height: 768 });
    expect(await tab.evaluate(() => [window.innerWidth, window.innerHeight])).toEqual([1024, 768]);
  }, 60_000);
});

describe('a browser that stops answering', () => {
  let silent: http.Server;
  let url = '';
  beforeAll(async () => {
    silent = http.createServer(() => {
      /* never answers */
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    silent.closeAllConnections();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('fails the command that hung, by name, within its time', async () => {
    const error = await webDriverCommand(url, 'GET', '/session/abc/url', undefined, 300).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebDriverError);
    expect((error as WebDriverError).code).toBe('command timed out');
    expect((error as Error).message).toBe('WebDriver GET /session/…/url: command timed out: no answer within 0.3 s');
    expect(isUnanswered(error)).toBe(true);
    const refused = await webDriverCommand('http://127.0.0.1:9', 'GET', '/status', undefined, 2_000).catch((e: unknown) => e);
    expect((refused as WebDriverError).code).toBe('connection failed');
    expect(isUnanswered(refused)).toBe(true);
    expect(isUnanswered(new WebDriverError('no such element', '', 'POST /session/…/element'))).toBe(false);
  });

  it('runs a journey again once when the browser stopped answering, never for an answer or an assertion', async () => {
    const noTabs = () => [];
    const quiet = console.error;
    console.error = () => {};
    try {
      let runs = 0;
      await withArtifacts('retried', noTabs, async () => {
        runs++;
        if (runs === 1) throw new WebDriverError('connection failed', 'fetch failed', 'GET /session/…/url');
      });
      expect(runs).toBe(2);

      runs = 0;
      const twice = withArtifacts('hung twice', noTabs, async () => {
        runs++;
        throw new WebDriverError('command timed out', 'no answer within 60 s', 'POST /session/…/execute/sync');
      });
      await expect(twice).rejects.toThrow(/command timed out/);
      expect(runs).toBe(2);

      for (const failure of [new WebDriverError('no such element', '', 'POST /session/…/element'), new Error('expected 240,00 € to be 360,00 €')]) {
        runs = 0;
        await expect(withArtifacts('answered', noTabs, async () => {
          runs++;
          throw failure;
        })).rejects.toBe(failure);
        expect(runs).toBe(1);
      }
    } finally {
      console.error = quiet;
    }
  });
});
