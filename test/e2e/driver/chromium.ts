/** The driver on Chromium (Debian's /usr/bin/chromium) through playwright-core. */
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import type { Browser, Clickable, Tab, User, Viewport } from './types';

const DEFAULT_TIMEOUT_MS = 20_000;
const CSP_TO_CONSOLE = `document.addEventListener('securitypolicyviolation', (e) => console.error('Refused by the Content Security Policy directive "' + e.violatedDirective + '": ' + (e.blockedURI || '(inline)') + (e.sourceFile ? ' (' + e.sourceFile + ':' + e.lineNumber + ')' : '')));`;
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function launchChromium(baseUrl: string): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ARGS,
  });
  let users = 0;
  return {
    async newUser(options) {
      const context = await browser.newContext({
        baseURL: baseUrl,
        viewport: options?.viewport ?? { width: 1280, height: 900 },
        locale: 'fr-FR',
        timezoneId: 'Europe/Paris',
      });
      context.setDefaultTimeout(DEFAULT_TIMEOUT_MS);
      // Chromium fires CSP violations (e.g. a refused eval inside a try/catch) without a console
      // message Playwright would report: this makes each one a console error, as in WebKit.
      await context.addInitScript(CSP_TO_CONSOLE);
      return chromiumUser(context, `chromium-user${++users}`);
    },
    async close() {
      await browser.close();
    },
  };
}

function chromiumUser(context: BrowserContext, name: string): User {
  const tabs: Tab[] = [];
  return {
    async newTab() {
      const page = await context.newPage();
      const tab = chromiumTab(page, `${name}-tab${tabs.length + 1}`);
      tabs.push(tab);
      return tab;
    },
    tabs: () => [...tabs],
    async close() {
      await context.close();
    },
  };
}

function chromiumTab(page: Page, name: string): Tab {
  const log: string[] = [];
  page.on('console', (m) => log.push(`[${new Date().toISOString()}] console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => log.push(`[${new Date().toISOString()}] pageerror: ${e.stack ?? e.message}`));
  page.on('requestfailed', (r) => log.push(`[${new Date().toISOString()}] requestfailed: ${r.method()} ${r.url()} ${r.failure()?.errorText ?? ''}`));
  page.on('response', (r) => {
    if (r.status() >= 400) log.push(`[${new Date().toISOString()}] http ${r.status()}: ${r.request().method()} ${r.url()}`);
  });

  const byLabel = (label: string | RegExp): Locator => page.getByLabel(label, { exact: typeof label === 'string' }).first();
  const clickable = (target: Clickable): Locator => {
    if (typeof target !== 'string') return page.getByRole(target.role, { name: target.name, exact: typeof target.name === 'string' }).first();
    return page.getByRole('button', { name: target, exact: true }).or(page.getByRole('link', { name: target, exact: true })).first();
  };

  return {
    name,
    async goto(pathOrUrl) {
      await page.goto(pathOrUrl);
    },
    async url() {
      return page.url();
    },
    async fill(label, value) {
      await byLabel(label).fill(value);
    },
    async select(label, option) {
      await byLabel(label).selectOption({ label: option });
    },
    async check(label) {
      await byLabel(label).check();
    },
    async uncheck(label) {
      await byLabel(label).uncheck();
    },
    async upload(label, file) {
      await byLabel(label).setInputFiles({ name: file.name, mimeType: file.mimeType, buffer: file.content });
    },
    async click(target) {
      await clickable(target).click();
    },
    async press(key) {
      await page.keyboard.press(key);
    },
    async text(selector = 'body') {
      return page.locator(selector).first().innerText();
    },
    async waitForText(text, options) {
      const scope = page.locator(options?.selector ?? 'body').first();
      await scope.getByText(text, { exact: false }).filter({ visible: true }).first().waitFor({ state: 'visible', timeout: options?.timeoutMs ?? DEFAULT_TIMEOUT_MS });
    },
    async waitForUrl(test, options) {
      const predicate = typeof test === 'function' ? (u: URL) => test(u.toString()) : (u: URL) => test.test(u.toString());
      await page.waitForURL(predicate, { timeout: options?.timeoutMs ?? DEFAULT_TIMEOUT_MS });
    },
    async selectedOption(label) {
      return byLabel(label).evaluate((el) => {
        const select = el as HTMLSelectElement;
        return select.selectedOptions[0]?.textContent?.trim() ?? '';
      });
    },
    async evaluate<T, A>(fn: (arg: A) => T | Promise<T>, arg?: A): Promise<T> {
      // Sent as source text, as a WebDriver `execute/async` would: the function must be self-contained.
      return (await page.evaluate(`(${fn.toString()})(${JSON.stringify(arg ?? null)})`)) as T;
    },
    async setViewport(viewport: Viewport) {
      await page.setViewportSize(viewport);
    },
    async screenshot(path) {
      await page.screenshot({ path, fullPage: true });
    },
    consoleLog: () => [...log],
    async close() {
      await page.close();
    },
  };
}
