/**
 * The driver on WebKit (Safari's engine): WebKitGTK's MiniBrowser driven over W3C WebDriver by
 * WebKitWebDriver (Debian: `apt-get install -y webkit2gtk-driver xvfb dbus-x11`).
 *
 * WebKitWebDriver serves one session at a time, and a session is one MiniBrowser process with an
 * ephemeral profile (in `--automation` mode nothing is kept on disk). So each user (the
 * interface's isolated browser context) gets its own `xvfb-run -a dbus-run-session
 * WebKitWebDriver` process group on a free port, hence its own cookies and storage; each tab is
 * a MiniBrowser window of that session. Everything is killed, by process group, when the user
 * or the browser closes (and on exit of the test process, as a last resort).
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  containsOrRegex,
  describeMatcher,
  DRAIN,
  evaluateScript,
  exactOrRegex,
  FIND,
  FIND_OPTION,
  FIND_TEXT,
  INNER_TEXT,
  IS_CHECKED,
  PREPARE_FILL,
  SCROLL_INTO_VIEW,
  SELECT_OPTION,
  WATCH_CHANGES,
  CHANGES_SEEN,
  SELECTED_OPTION,
  SET_VALUE,
  VIEWPORT,
  type Query,
} from './page-scripts';
import type { Browser, Clickable, Key, Tab, User, Viewport } from './types';
import { aptCommand, miniBrowserPath, missingBrowserPrerequisites, packagesFor } from '../../../scripts/test-prerequisites.mjs';
import { isUnanswered, webDriverCommand, WebDriverError, WebDriverSession, type ElementRef } from './webdriver';

const DEFAULT_TIMEOUT_MS = 20_000;
/** WebDriver's code points for the keys of the interface (https://www.w3.org/TR/webdriver2/#keyboard-actions). */
const KEYS: Record<Key, string> = { Enter: '\uE007', Tab: '\uE004', Escape: '\uE00C', ArrowDown: '\uE015', ArrowUp: '\uE013' };
const DEFAULT_VIEWPORT: Viewport = { width: 1280, height: 900 };
const POLL_MS = 100;
/** Big enough for the default viewport plus MiniBrowser's toolbar. */
const SCREEN = '1920x1200x24';

export const WEBKIT_WEBDRIVER = process.env.WEBKIT_WEBDRIVER_PATH ?? 'WebKitWebDriver';

// ---------------------------------------------------------------------------------------------
// WebKitWebDriver processes

/**
 * GTK style for MiniBrowser's own toolbar only: without it the window cannot be narrower than
 * 447 px (its buttons and address field), so a 375 px phone viewport would be impossible. Web
 * content is drawn by WebKit, not by GTK, and is not affected.
 */
const GTK_CSS = `/* Written by test/e2e/driver/webkit.ts: lets MiniBrowser's window shrink to a phone's width. */
window > box > box, window > box > box * { min-width: 0; min-height: 0; padding: 0; margin: 0; font-size: 6px; }
`;

/** The XDG_CONFIG_HOME holding that style sheet: one fixed directory, shared by runs and workers. */
function gtkConfigHome(): string {
  const dir = path.join(os.tmpdir(), 'ardoise-webkit-gtk');
  const file = path.join(dir, 'gtk-3.0', 'gtk.css');
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    /* not written yet */
  }
  if (current !== GTK_CSS) {
    mkdirSync(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}`;
    writeFileSync(temporary, GTK_CSS);
    renameSync(temporary, file); // atomic: a worker starting MiniBrowser meanwhile reads the old or the new file
  }
  return dir;
}

/**
 * The environment that makes WebKit speak French (navigator.language and Accept-Language
 * `fr-FR`, French number formats), as the Chromium driver's `locale: 'fr-FR'` does. WebKitGTK
 * takes the language from the C library's LC_CTYPE locale, which must exist: when the system has
 * no fr_FR.UTF-8, one is compiled once with `localedef` into the temporary directory (LOCPATH).
 * Only LC_CTYPE is French, so nothing parses numbers with a decimal comma. Without `localedef`
 * data it fails (the journeys read French text) rather than run WebKit in English.
 */
let localeEnv: NodeJS.ProcessEnv | null = null;
function frenchLocale(): NodeJS.ProcessEnv {
  if (localeEnv) return localeEnv;
  const env: NodeJS.ProcessEnv = { LANG: 'C.UTF-8', LC_ALL: undefined, LANGUAGE: 'fr_FR:fr', LC_CTYPE: 'fr_FR.UTF-8' };
  let installed = '';
  try {
    installed = execFileSync('locale', ['-a'], { encoding: 'utf8' });
  } catch {
    /* no locale command: build ours */
  }
  if (/^fr_FR\.utf-?8$/im.test(installed)) return (localeEnv = env);
  const base = path.join(os.tmpdir(), 'ardoise-webkit-locales');
  const target = path.join(base, 'fr_FR.UTF-8');
  if (!existsSync(path.join(target, 'LC_CTYPE'))) {
    mkdirSync(base, { recursive: true });
    const work = mkdtempSync(path.join(base, 'build-'));
    try {
      // Exit status 1 only means warnings: what counts is the compiled locale.
      spawnSync('localedef', ['-i', 'fr_FR', '-f', 'UTF-8', path.join(work, 'fr_FR.UTF-8')], { stdio: 'ignore' });
      if (existsSync(path.join(work, 'fr_FR.UTF-8', 'LC_CTYPE')) && !existsSync(target)) renameSync(path.join(work, 'fr_FR.UTF-8'), target);
    } catch {
      /* another worker won the rename, or no localedef */
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  if (existsSync(path.join(target, 'LC_CTYPE'))) return (localeEnv = { ...env, LOCPATH: base });
  throw new Error('WebKit journeys: no fr_FR.UTF-8 locale, and localedef could not compile one, so WebKit would not speak French. Install: apt-get install -y --no-install-recommends locales');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Process groups still running, killed if the test process exits without closing them. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;
function trackGroup(pgid: number): void {
  liveGroups.add(pgid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const group of liveGroups) {
      try {
        process.kill(-group, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  });
}

/** The pids of a process group, read from /proc (field 5 of /proc/<pid>/stat). */
function groupMembers(pgid: number): Array<{ pid: number; command: string }> {
  const members: Array<{ pid: number; command: string }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const command = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') members.push({ pid: Number(entry), command });
    } catch {
      /* exited meanwhile */
    }
  }
  return members;
}

interface DriverProcess {
  url: string;
  /** What the process group printed (WebKitWebDriver, Xvfb, D-Bus…), for error messages. */
  output: string[];
  stop(): Promise<void>;
}

/** Starts `xvfb-run -a dbus-run-session WebKitWebDriver --port=<free>` in its own process group and waits for /status. */
async function startDriverProcess(): Promise<DriverProcess> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await tryStartDriverProcess();
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

async function tryStartDriverProcess(): Promise<DriverProcess> {
  const port = await freePort();
  // xvfb-run -a takes the first free display from -n upwards; starting each from a different
  // number keeps two test files (two workers) from racing for the same display.
  const display = 100 + (port % 800);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    XDG_CONFIG_HOME: gtkConfigHome(),
    ...frenchLocale(),
    TZ: 'Europe/Paris',
  };
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  const child: ChildProcess = spawn(
    'xvfb-run',
    ['-a', '-n', String(display), '-s', `-screen 0 ${SCREEN}`, 'dbus-run-session', '--', WEBKIT_WEBDRIVER, `--port=${port}`],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env },
  );
  const pgid = child.pid;
  if (pgid === undefined) throw new Error('could not start xvfb-run');
  trackGroup(pgid);
  // If this test process is killed (Ctrl-C, a worker ended by vitest), no exit hook runs: a
  // watchdog kills the group once this process is gone. It is stopped with the group.
  const watchdog = spawn('sh', ['-c', `while kill -0 ${process.pid} 2>/dev/null; do sleep 2; done; kill -s KILL -- -${pgid} 2>/dev/null`], { detached: true, stdio: 'ignore' });
  watchdog.unref();
  const stopWatchdog = () => {
    try {
      watchdog.kill('SIGKILL');
    } catch {
      /* gone */
    }
  };
  const output: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) output.push(line);
    if (output.length > 5000) output.splice(0, output.length - 5000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => {
    exited = true;
    resolve();
  }));

  const stop = async () => {
    if (exited) {
      stopWatchdog();
      liveGroups.delete(pgid);
      return;
    }
    // WebKitWebDriver first: dbus-run-session and xvfb-run then end and clean up after it.
    for (const member of groupMembers(pgid)) {
      if (member.command === 'WebKitWebDriver') {
        try {
          process.kill(member.pid, 'SIGTERM');
        } catch {
          /* gone */
        }
      }
    }
    await Promise.race([exit, sleep(3_000)]);
    try {
      process.kill(-pgid, exited ? 'SIGTERM' : 'SIGKILL');
    } catch {
      /* the whole group is gone */
    }
    await Promise.race([exit, sleep(2_000)]);
    stopWatchdog();
    liveGroups.delete(pgid);
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`WebKitWebDriver exited before it was ready:\n  ${output.slice(-20).join('\n  ')}`);
    try {
      const status = await webDriverCommand<{ ready: boolean }>(url, 'GET', '/status', undefined, 2_000);
      if (status.ready) return { url, output, stop };
    } catch {
      /* not listening yet */
    }
    await sleep(POLL_MS);
  }
  await stop();
  throw new Error(`WebKitWebDriver did not answer /status within 30 s:\n  ${output.slice(-20).join('\n  ')}`);
}

// ---------------------------------------------------------------------------------------------
// Browser, users, tabs

export async function launchWebKit(baseUrl: string): Promise<Browser> {
  const missing = missingBrowserPrerequisites({ ...process.env, E2E_BROWSER: 'webkit' });
  if (missing.length) throw new Error(`WebKit cannot run here; missing: ${missing.map((m) => m.what).join(', ')}. Install: ${aptCommand(packagesFor(missing))}`);
  const binary = miniBrowserPath() as string;
  const users: WebKitUser[] = [];
  return {
    async newUser(options) {
      const driver = await startDriverProcess();
      let session: WebDriverSession;
      try {
        session = await WebDriverSession.create(driver.url, {
          browserName: 'MiniBrowser',
          'webkitgtk:browserOptions': {
            binary,
            // --automation: an ephemeral profile, driven by WebKitWebDriver. No --headless: MiniBrowser refuses it (Xvfb is the display).
            args: ['--automation'],
          },
          pageLoadStrategy: 'normal',
          unhandledPromptBehavior: 'dismiss and notify',
          timeouts: { script: 30_000, pageLoad: 45_000, implicit: 0 },
        }, 60_000);
      } catch (error) {
        await driver.stop();
        throw error;
      }
      const user = new WebKitUser(session, driver, `webkit-user${users.length + 1}`, baseUrl, options?.viewport ?? DEFAULT_VIEWPORT);
      users.push(user);
      return user;
    },
    async close() {
      await Promise.all(users.map((u) => u.close().catch(() => {})));
    },
  };
}

class WebKitUser implements User {
  private readonly allTabs: WebKitTab[] = [];
  private initialHandle: string | null = null;
  private current: string | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    readonly session: WebDriverSession,
    readonly driver: DriverProcess,
    readonly name: string,
    readonly baseUrl: string,
    readonly viewport: Viewport,
  ) {}

  /** Runs WebDriver commands for one window, one batch at a time (the session has one current window). */
  run<T>(handle: string, work: (s: WebDriverSession) => Promise<T>): Promise<T> {
    const next = this.queue.then(async () => {
      if (this.current !== handle) {
        await this.session.switchToWindow(handle);
        this.current = handle;
      }
      return work(this.session);
    }).catch((error: unknown) => {
      // No answer: what WebKitWebDriver, MiniBrowser and Xvfb printed last says why.
      if (isUnanswered(error)) error.message += `\n  ${this.name}'s WebKitWebDriver printed:\n    ${this.driver.output.slice(-15).join('\n    ') || '(nothing)'}`;
      throw error;
    });
    this.queue = next.catch(() => {});
    return next;
  }

  async newTab(): Promise<Tab> {
    let handle: string;
    if (this.initialHandle === null) {
      handle = await this.session.windowHandle();
      this.initialHandle = handle;
      this.current = handle;
    } else {
      // A window of its own (not a tab): every tab stays visible, so nothing is throttled as a background tab.
      const from = this.current ?? this.allTabs[0]?.handle ?? this.initialHandle;
      handle = await this.run(from, async (s) => (await s.newWindow('window')).handle);
    }
    const tab = new WebKitTab(this, handle, `${this.name}-tab${this.allTabs.length + 1}`);
    this.allTabs.push(tab);
    await tab.setViewport(this.viewport);
    return tab;
  }

  tabs(): Tab[] {
    return [...this.allTabs];
  }

  forget(tab: WebKitTab): void {
    const index = this.allTabs.indexOf(tab);
    if (index >= 0) this.allTabs.splice(index, 1);
    if (this.current === tab.handle) this.current = null;
  }

  private uploads: string | null = null;

  /** Where this user's uploaded files live until it closes. */
  async uploadDir(): Promise<string> {
    this.uploads ??= await mkdtemp(path.join(os.tmpdir(), 'ardoise-webkit-upload-'));
    return this.uploads;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    await this.session.delete().catch(() => {});
    await this.driver.stop();
    if (this.uploads) await rm(this.uploads, { recursive: true, force: true });
  }
}

type Found = { element: ElementRef; visible: boolean; enabled: boolean; editable: boolean };
type PageAnswer<T> = { value: T; log: string[] };

class WebKitTab implements Tab {
  private readonly log: string[] = [];

  constructor(
    private readonly user: WebKitUser,
    readonly handle: string,
    readonly name: string,
  ) {}

  private run<T>(work: (s: WebDriverSession) => Promise<T>): Promise<T> {
    return this.user.run(this.handle, work);
  }

  /** Runs a page script (see page-scripts.ts), keeps the console lines it drained, answers its value. */
  private async page<T>(script: string, args: unknown[] = []): Promise<T> {
    const answer = await this.run((s) => s.executeSync<PageAnswer<T>>(script, args));
    this.log.push(...answer.log);
    return answer.value;
  }

  private async drain(): Promise<void> {
    try {
      await this.page(DRAIN);
    } catch {
      /* a page in the middle of loading: the next command drains it */
    }
  }

  /**
   * Polls `attempt` until it answers something other than undefined; a timeout error says what was
   * last seen, with the text of `scope` (the whole page by default).
   */
  private async poll<T>(what: string, timeoutMs: number, attempt: () => Promise<T | undefined>, lastSeen?: () => string, scope = 'body'): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    for (;;) {
      try {
        const value = await attempt();
        if (value !== undefined) return value;
        lastError = undefined;
      } catch (error) {
        if (!retriable(error)) throw error;
        lastError = error;
      }
      if (Date.now() >= deadline) break;
      await sleep(POLL_MS);
    }
    let url = '?';
    let shows = '';
    try {
      url = await this.run((s) => s.currentUrl());
      const text = await this.page<string | null>(INNER_TEXT, [scope]);
      const where = scope === 'body' ? 'the page' : scope;
      shows = text === null ? `no ${scope}` : text.trim() ? `${where} shows: ${JSON.stringify(text.trim().replace(/\s+/g, ' ').slice(0, scope === 'body' ? 160 : 400))}` : `${where} is blank`;
    } catch {
      /* keep what we have */
    }
    const detail = [lastSeen?.(), lastError ? String((lastError as Error).message ?? lastError) : '', shows].filter(Boolean).join('; ');
    throw new Error(`${this.name}: timed out after ${timeoutMs} ms waiting for ${what} (at ${url})${detail ? `: ${detail}` : ''}`);
  }

  /** Waits for the element of a query to exist (and, unless `attachedOnly`, be visible and enabled). */
  private async element(query: Query, what: string, needs: { visible?: boolean; enabled?: boolean; editable?: boolean } = { visible: true, enabled: true }): Promise<Found> {
    let seen = 'no such element';
    return this.poll(what, DEFAULT_TIMEOUT_MS, async () => {
      const found = await this.page<Found | null>(FIND, [query]);
      if (!found) {
        seen = 'no such element';
        return undefined;
      }
      if (needs.visible && !found.visible) seen = 'found, but not visible';
      else if (needs.enabled && !found.enabled) seen = 'found, but disabled';
      else if (needs.editable && !found.editable) seen = 'found, but not editable (disabled or read-only)';
      else return found;
      return undefined;
    }, () => seen);
  }

  private byLabel(label: string | RegExp): Query {
    return { by: 'label', label: exactOrRegex(label) };
  }

  private labelWhat(label: string | RegExp): string {
    return `the control labelled ${describeMatcher(exactOrRegex(label))}`;
  }

  /** Clicks an element as WebDriver does (scrolled into view, at its centre), retrying while something covers it. */
  private async clickFound(query: Query, what: string): Promise<void> {
    const deadline = Date.now() + DEFAULT_TIMEOUT_MS;
    for (;;) {
      const found = await this.element(query, what);
      try {
        await this.page(SCROLL_INTO_VIEW, [found.element]);
        await this.run((s) => s.click(found.element));
        await this.drain();
        return;
      } catch (error) {
        const code = error instanceof WebDriverError ? error.code : '';
        const again = ['element click intercepted', 'element not interactable', 'stale element reference', 'no such element'].includes(code);
        if (!again || Date.now() >= deadline) throw new Error(`${this.name}: could not click ${what}: ${String((error as Error).message ?? error)}`, { cause: error });
        await sleep(POLL_MS);
      }
    }
  }

  async goto(pathOrUrl: string): Promise<void> {
    await this.drain();
    const url = new URL(pathOrUrl, this.user.baseUrl).toString();
    await this.run((s) => s.navigate(url));
    await this.drain();
  }

  async url(): Promise<string> {
    return this.run((s) => s.currentUrl());
  }

  async fill(label: string | RegExp, value: string): Promise<void> {
    const what = this.labelWhat(label);
    const found = await this.element(this.byLabel(label), what, { visible: true, enabled: true, editable: true });
    const prepared = await this.page<{ kind: string; typed: boolean; value: string }>(PREPARE_FILL, [found.element]);
    const setDirectly = ['input:color', 'input:date', 'input:time', 'input:datetime-local', 'input:month', 'input:range', 'input:week'];
    if (setDirectly.includes(prepared.kind)) {
      // As playwright-core does: these inputs are not typed into; the value must be in the input's own format.
      const kept = await this.page<string>(SET_VALUE, [found.element, value]);
      if (kept !== value) throw new Error(`${this.name}: ${what} (${prepared.kind}) did not accept the value ${JSON.stringify(value)} (it holds ${JSON.stringify(kept)})`);
    } else if (!prepared.typed) {
      throw new Error(`${this.name}: ${what} is ${prepared.kind}, which cannot be filled`);
    } else if (value !== '') {
      // Real key presses over the selected text, as a user typing over it.
      await this.run((s) => s.sendKeys(found.element, value));
    } else if (prepared.value !== '') {
      await this.run((s) => s.sendKeys(found.element, '\uE003')); // Backspace
    }
    await this.drain();
  }

  async select(label: string | RegExp, option: string): Promise<void> {
    const what = this.labelWhat(label);
    const found = await this.element(this.byLabel(label), what);
    const choice = await this.poll(`the option ${JSON.stringify(option)} of ${what}`, DEFAULT_TIMEOUT_MS, async () => {
      const answer = await this.page<{ option?: ElementRef; disabled?: boolean; error?: string; options?: string[] }>(FIND_OPTION, [found.element, option]);
      if (answer.error) throw new Error(`${this.name}: ${what} is ${answer.error}`);
      return answer.option && !answer.disabled ? answer.option : undefined;
    });
    // The browser's own way: WebDriver's click on an <option> selects it as a user would
    // (input and change events); from script otherwise. Under load, WebKitGTK's click sometimes
    // selects the option without firing change: then the events are sent from script too.
    const before = await this.page<string>(SELECTED_OPTION, [found.element]);
    await this.page(WATCH_CHANGES, [found.element]);
    try {
      await this.run((s) => s.click(choice));
    } catch {
      await this.page(SELECT_OPTION, [found.element, choice]);
    }
    const shown = await this.page<string>(SELECTED_OPTION, [found.element]);
    const changes = await this.page<number>(CHANGES_SEEN, [found.element]);
    if (shown !== option.trim() || (changes === 0 && before !== option.trim())) await this.page(SELECT_OPTION, [found.element, choice]);
    await this.drain();
  }

  private async setChecked(label: string | RegExp, checked: boolean): Promise<void> {
    const what = this.labelWhat(label);
    const query = this.byLabel(label);
    const found = await this.element(query, what);
    const state = await this.page<boolean | null>(IS_CHECKED, [found.element]);
    if (state === null) throw new Error(`${this.name}: ${what} is not a checkbox or radio button`);
    if (state !== checked) await this.clickFound(query, what);
    const after = await this.page<boolean | null>(IS_CHECKED, [found.element]);
    if (after !== checked) throw new Error(`${this.name}: clicking ${what} did not ${checked ? 'check' : 'uncheck'} it`);
  }

  check(label: string | RegExp): Promise<void> {
    return this.setChecked(label, true);
  }

  uncheck(label: string | RegExp): Promise<void> {
    return this.setChecked(label, false);
  }

  async upload(label: string | RegExp, file: { name: string; mimeType: string; content: Buffer }): Promise<void> {
    // WebDriver sets a file input from a path: the content goes to a file of that name, kept
    // until the user closes (WebKit reads a File from its path when the page reads it, not
    // before). The type the page sees is the one WebKit infers from the name.
    const found = await this.element(this.byLabel(label), this.labelWhat(label), { enabled: true });
    const filePath = path.join(await this.user.uploadDir(), `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`, path.basename(file.name));
    await mkdir(path.dirname(filePath), { recursive: true });
    await writeFile(filePath, file.content);
    await this.run((s) => s.sendKeys(found.element, filePath));
    await this.drain();
  }

  async click(target: Clickable): Promise<void> {
    if (typeof target === 'string') {
      await this.clickFound({ by: 'role', roles: ['button', 'link'], name: exactOrRegex(target) }, `the button or link named ${JSON.stringify(target)}`);
    } else {
      await this.clickFound({ by: 'role', roles: [target.role], name: exactOrRegex(target.name) }, `the ${target.role} named ${describeMatcher(exactOrRegex(target.name))}`);
    }
  }

  async press(key: Key): Promise<void> {
    // A key action goes to the focused element, with the browser's default action (Enter submits, Tab moves on…).
    const value = KEYS[key];
    await this.run(async (s) => {
      await s.performActions([{ type: 'key', id: 'keyboard', actions: [{ type: 'keyDown', value }, { type: 'keyUp', value }] }]);
      await s.releaseActions();
    });
    await this.drain();
  }

  async text(selector = 'body'): Promise<string> {
    return this.poll(`an element matching ${selector}`, DEFAULT_TIMEOUT_MS, async () => {
      const text = await this.page<string | null>(INNER_TEXT, [selector]);
      return text === null ? undefined : text;
    });
  }

  async waitForText(text: string | RegExp, options?: { selector?: string; timeoutMs?: number }): Promise<void> {
    const selector = options?.selector ?? 'body';
    const matcher = containsOrRegex(text);
    let seen = '';
    await this.poll(`the text ${describeMatcher(matcher)} in ${selector}`, options?.timeoutMs ?? DEFAULT_TIMEOUT_MS, async () => {
      const answer = await this.page<{ root: boolean; found: boolean }>(FIND_TEXT, [selector, matcher]);
      seen = answer.root ? 'not shown' : `no element matches ${selector}`;
      return answer.found ? true : undefined;
    }, () => seen, selector);
  }

  async waitForUrl(test: RegExp | ((url: string) => boolean), options?: { timeoutMs?: number }): Promise<void> {
    const predicate = typeof test === 'function' ? test : (u: string) => test.test(u);
    let last = '';
    await this.poll('the URL to match', options?.timeoutMs ?? DEFAULT_TIMEOUT_MS, async () => {
      last = await this.run((s) => s.currentUrl());
      return predicate(last) ? true : undefined;
    }, () => `last URL ${last}`);
    await this.drain();
  }

  async selectedOption(label: string | RegExp): Promise<string> {
    const found = await this.element(this.byLabel(label), this.labelWhat(label), {});
    return this.page<string>(SELECTED_OPTION, [found.element]);
  }

  async evaluate<T, A>(fn: (arg: A) => T | Promise<T>, arg?: A): Promise<T> {
    const answer = await this.run((s) => s.executeAsync<{ ok?: T; error?: string; log: string[] }>(evaluateScript(fn.toString()), [arg ?? null]));
    this.log.push(...answer.log);
    if (answer.error !== undefined) throw new Error(`${this.name}: the evaluated function threw in the page: ${answer.error}`);
    return answer.ok as T;
  }

  async setViewport(viewport: Viewport): Promise<void> {
    // WebDriver sizes the window; the viewport is what is left after MiniBrowser's toolbar.
    let inner = { width: 0, height: 0 };
    for (let attempt = 0; attempt < 4; attempt++) {
      inner = await this.page<{ width: number; height: number }>(VIEWPORT);
      if (inner.width === viewport.width && inner.height === viewport.height) return;
      const rect = await this.run((s) => s.windowRect());
      await this.run((s) => s.setWindowRect({ x: 0, y: 0, width: rect.width + viewport.width - inner.width, height: rect.height + viewport.height - inner.height }));
      await sleep(50 * (attempt + 1));
    }
    inner = await this.page<{ width: number; height: number }>(VIEWPORT);
    if (inner.width !== viewport.width || inner.height !== viewport.height) {
      throw new Error(`${this.name}: MiniBrowser's viewport cannot be ${viewport.width}×${viewport.height} (it is ${inner.width}×${inner.height})`);
    }
  }

  async screenshot(file: string): Promise<void> {
    // The viewport: WebKitGTK's element screenshots (which could cover the whole page) come out black.
    const png = await this.run((s) => s.screenshot());
    await writeFile(file, Buffer.from(png, 'base64'));
    await this.drain();
  }

  consoleLog(): string[] {
    return [...this.log];
  }

  async close(): Promise<void> {
    await this.run(async (s) => {
      await s.closeWindow();
    }).catch(() => {});
    this.user.forget(this);
  }
}

/** Errors worth another try while polling: the page was between documents, or the element went away. */
function retriable(error: unknown): boolean {
  if (!(error instanceof WebDriverError)) return false;
  return ['stale element reference', 'no such element', 'javascript error', 'script timeout', 'no such frame', 'unknown error'].includes(error.code);
}
