/**
 * The small driver the browser journeys are written against. One implementation drives Chromium
 * through playwright-core; another can drive WebKit over W3C WebDriver. Journeys never touch a
 * browser library directly.
 *
 * Elements are found as a user finds them: form controls by their label, buttons and links by
 * their accessible name (exact, after trimming), text anywhere on the page.
 */
export interface Viewport {
  width: number;
  height: number;
}

export interface Browser {
  /** A fresh, isolated user: its own cookies and storage (a browser context / WebDriver session). */
  newUser(options?: { viewport?: Viewport }): Promise<User>;
  close(): Promise<void>;
}

export interface User {
  /** A new tab sharing this user's cookies and storage. */
  newTab(): Promise<Tab>;
  tabs(): Tab[];
  close(): Promise<void>;
}

export type Clickable = string | { role: 'button' | 'link' | 'option'; name: string | RegExp };

/** A key of the keyboard, by its W3C / Playwright name. */
export type Key = 'Enter' | 'Tab' | 'Escape' | 'ArrowDown' | 'ArrowUp';

export interface Tab {
  /** A short name used for artifacts (screenshots, console logs). */
  readonly name: string;
  /** A path (resolved against the base URL) or an absolute URL. */
  goto(pathOrUrl: string): Promise<void>;
  url(): Promise<string>;
  /** Fills the text field, select-free, whose label is `label`. */
  fill(label: string | RegExp, value: string): Promise<void>;
  /** Chooses the option shown as `option` in the select labelled `label`. */
  select(label: string | RegExp, option: string): Promise<void>;
  check(label: string | RegExp): Promise<void>;
  uncheck(label: string | RegExp): Promise<void>;
  /** Sets the file of a file input (by label). */
  upload(label: string | RegExp, file: { name: string; mimeType: string; content: Buffer }): Promise<void>;
  /**
   * Clicks the button or link with this accessible name (a string targets a button, then a link);
   * `{ role: 'option' }` clicks an option of a listbox (an autocomplete's proposal).
   */
  click(target: Clickable): Promise<void>;
  /** Presses and releases a key in the focused element, as a user at the keyboard (the browser's default action included). */
  press(key: Key): Promise<void>;
  /** The visible text of the page, or of the first element matching a CSS selector. */
  text(selector?: string): Promise<string>;
  /** Waits until the page (or a CSS-selected element) shows this text. */
  waitForText(text: string | RegExp, options?: { selector?: string; timeoutMs?: number }): Promise<void>;
  waitForUrl(test: RegExp | ((url: string) => boolean), options?: { timeoutMs?: number }): Promise<void>;
  /** The current value of the select labelled `label` (the shown option's text). */
  selectedOption(label: string | RegExp): Promise<string>;
  /** Runs a function in the page and returns its (JSON-serialisable) result. */
  evaluate<T, A = undefined>(fn: (arg: A) => T | Promise<T>, arg?: A): Promise<T>;
  setViewport(viewport: Viewport): Promise<void>;
  screenshot(path: string): Promise<void>;
  /** Console messages and uncaught page errors seen so far, one per line. */
  consoleLog(): string[];
  close(): Promise<void>;
}
