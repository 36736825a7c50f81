/**
 * A small W3C WebDriver client over `fetch` (https://www.w3.org/TR/webdriver2/): just the
 * commands the WebKit driver needs. No dependency: the protocol is JSON over HTTP.
 */

/** The key under which WebDriver serialises an element reference. */
export const ELEMENT_KEY = 'element-6066-11e4-a52e-4f735466cecf';

export interface ElementRef {
  [ELEMENT_KEY]: string;
}

export function isElementRef(value: unknown): value is ElementRef {
  return typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>)[ELEMENT_KEY] === 'string';
}

/** An error answered by the remote end; `code` is the WebDriver error code ("no such element", …). */
export class WebDriverError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly command: string,
  ) {
    super(`WebDriver ${command}: ${code}${message ? `: ${message}` : ''}`);
    this.name = 'WebDriverError';
  }
}

/**
 * How long one HTTP command may take before the client gives up: a hung browser must fail the
 * step it hung in, well within a journey's time (support.ts), not hang the run. Longer than any
 * timeout the session itself applies (page load 45 s, scripts 30 s).
 */
const COMMAND_TIMEOUT_MS = 60_000;

/** The codes of a browser that stopped answering (its process died or hung), as opposed to an answer. */
const UNANSWERED = ['connection failed', 'command timed out'] as const;

/** Whether the browser process failed (no answer), rather than the page (an answer, even an error). */
export function isUnanswered(error: unknown): error is WebDriverError {
  return error instanceof WebDriverError && (UNANSWERED as readonly string[]).includes(error.code);
}

export async function webDriverCommand<T>(baseUrl: string, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, timeoutMs = COMMAND_TIMEOUT_MS): Promise<T> {
  const command = `${method} ${path.replace(/\/session\/[^/]+/, '/session/…')}`;
  const init: RequestInit = { method, signal: AbortSignal.timeout(timeoutMs) };
  if (method === 'POST') {
    init.headers = { 'content-type': 'application/json; charset=utf-8' };
    init.body = JSON.stringify(body ?? {});
  }
  let response: Response;
  try {
    response = await fetch(baseUrl + path, init);
  } catch (error) {
    if ((error as Error)?.name === 'TimeoutError') throw new WebDriverError('command timed out', `no answer within ${timeoutMs / 1000} s`, command);
    throw new WebDriverError('connection failed', String((error as Error)?.message ?? error), command);
  }
  const text = await response.text();
  let payload: { value?: unknown };
  try {
    payload = JSON.parse(text) as { value?: unknown };
  } catch {
    throw new WebDriverError('invalid response', `HTTP ${response.status}: ${text.slice(0, 200)}`, command);
  }
  const value = payload.value as { error?: string; message?: string } | undefined;
  if (!response.ok || (value && typeof value === 'object' && typeof value.error === 'string')) {
    throw new WebDriverError(value?.error ?? `HTTP ${response.status}`, value?.message ?? '', command);
  }
  return payload.value as T;
}

/** One WebDriver session: a browser with its windows. */
export class WebDriverSession {
  private constructor(
    readonly baseUrl: string,
    readonly id: string,
    readonly capabilities: Record<string, unknown>,
  ) {}

  static async create(baseUrl: string, capabilities: Record<string, unknown>, timeoutMs?: number): Promise<WebDriverSession> {
    const value = await webDriverCommand<{ sessionId: string; capabilities: Record<string, unknown> }>(baseUrl, 'POST', '/session', { capabilities: { alwaysMatch: capabilities } }, timeoutMs);
    return new WebDriverSession(baseUrl, value.sessionId, value.capabilities);
  }

  command<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
    return webDriverCommand<T>(this.baseUrl, method, `/session/${this.id}${path}`, body);
  }

  delete(): Promise<void> {
    return webDriverCommand<void>(this.baseUrl, 'DELETE', `/session/${this.id}`, undefined, 20_000);
  }

  // Navigation and windows
  navigate(url: string): Promise<void> {
    return this.command('POST', '/url', { url });
  }
  currentUrl(): Promise<string> {
    return this.command('GET', '/url');
  }
  windowHandle(): Promise<string> {
    return this.command('GET', '/window');
  }
  windowHandles(): Promise<string[]> {
    return this.command('GET', '/window/handles');
  }
  newWindow(type: 'tab' | 'window'): Promise<{ handle: string; type: string }> {
    return this.command('POST', '/window/new', { type });
  }
  switchToWindow(handle: string): Promise<void> {
    return this.command('POST', '/window', { handle });
  }
  closeWindow(): Promise<string[]> {
    return this.command('DELETE', '/window');
  }
  windowRect(): Promise<{ x: number; y: number; width: number; height: number }> {
    return this.command('GET', '/window/rect');
  }
  setWindowRect(rect: { x?: number; y?: number; width?: number; height?: number }): Promise<{ x: number; y: number; width: number; height: number }> {
    return this.command('POST', '/window/rect', rect);
  }

  // Elements
  findElement(using: 'css selector' | 'xpath', value: string): Promise<ElementRef> {
    return this.command('POST', '/element', { using, value });
  }
  click(element: ElementRef): Promise<void> {
    return this.command('POST', `/element/${element[ELEMENT_KEY]}/click`);
  }
  clear(element: ElementRef): Promise<void> {
    return this.command('POST', `/element/${element[ELEMENT_KEY]}/clear`);
  }
  sendKeys(element: ElementRef, text: string): Promise<void> {
    return this.command('POST', `/element/${element[ELEMENT_KEY]}/value`, { text });
  }
  elementText(element: ElementRef): Promise<string> {
    return this.command('GET', `/element/${element[ELEMENT_KEY]}/text`);
  }
  elementProperty<T>(element: ElementRef, name: string): Promise<T> {
    return this.command('GET', `/element/${element[ELEMENT_KEY]}/property/${encodeURIComponent(name)}`);
  }
  elementAttribute(element: ElementRef, name: string): Promise<string | null> {
    return this.command('GET', `/element/${element[ELEMENT_KEY]}/attribute/${encodeURIComponent(name)}`);
  }

  // Input sources (keyboard, pointer): https://www.w3.org/TR/webdriver2/#actions
  performActions(actions: unknown[]): Promise<void> {
    return this.command('POST', '/actions', { actions });
  }
  releaseActions(): Promise<void> {
    return this.command('DELETE', '/actions');
  }
  activeElement(): Promise<ElementRef> {
    return this.command('GET', '/element/active');
  }

  // Scripts: `script` is a function body; `arguments` holds `args` (element references become elements).
  executeSync<T>(script: string, args: unknown[] = []): Promise<T> {
    return this.command('POST', '/execute/sync', { script, args });
  }
  /** The script calls `arguments[arguments.length - 1](result)` when done. */
  executeAsync<T>(script: string, args: unknown[] = []): Promise<T> {
    return this.command('POST', '/execute/async', { script, args });
  }
  setTimeouts(timeouts: { script?: number; pageLoad?: number; implicit?: number }): Promise<void> {
    return this.command('POST', '/timeouts', timeouts);
  }

  // Screenshots (base64 PNG)
  screenshot(): Promise<string> {
    return this.command('GET', '/screenshot');
  }
  elementScreenshot(element: ElementRef): Promise<string> {
    return this.command('GET', `/element/${element[ELEMENT_KEY]}/screenshot`);
  }

  // Cookies
  cookies(): Promise<Array<{ name: string; value: string; domain?: string; path?: string }>> {
    return this.command('GET', '/cookie');
  }
  deleteAllCookies(): Promise<void> {
    return this.command('DELETE', '/cookie');
  }
}
