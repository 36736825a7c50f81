/**
 * Scripts the WebKit driver runs inside the page (WebDriver "execute script"), as source text.
 *
 * They reproduce what playwright-core's locators do for the Chromium driver, so that a journey
 * finds the same element in both engines:
 * - `getByLabel`: an element's labels are its aria-labelledby elements' text, else its
 *   aria-label, else the text of its <label>s; a string matches the whole (whitespace-normalised)
 *   label, a RegExp is tested against it.
 * - `getByRole(role, { name })`: elements with that implicit or explicit role that are not hidden
 *   from assistive technology, named by aria-labelledby / aria-label / content / title.
 * - `getByText(text)` + visible: the innermost elements whose text contains the string
 *   (case-insensitive) or matches the RegExp, and which are rendered (box, not visibility:hidden).
 * The first match in document order wins, as with `.first()`.
 *
 * They also install, once per document, a recorder of what a console would show: `console.*`
 * calls, uncaught errors and unhandled rejections (as `pageerror:`), Content-Security-Policy
 * violations, failed resource loads and `fetch` answers with HTTP status ≥ 400. WebKit's WebDriver
 * has no console API, so this is how the driver gets a console log.
 *
 * Written as plain JavaScript in strings (not TypeScript functions turned into text) so that no
 * transpiler helper can slip into what is sent to the browser.
 */

/** How the Node side describes a string or RegExp to match (RegExp objects do not survive JSON). */
export type TextMatcher = { kind: 'exact' | 'contains'; value: string } | { kind: 'regex'; source: string; flags: string };

export function exactOrRegex(value: string | RegExp): TextMatcher {
  return typeof value === 'string' ? { kind: 'exact', value } : { kind: 'regex', source: value.source, flags: value.flags };
}

export function containsOrRegex(value: string | RegExp): TextMatcher {
  return typeof value === 'string' ? { kind: 'contains', value } : { kind: 'regex', source: value.source, flags: value.flags };
}

export function describeMatcher(m: TextMatcher): string {
  return m.kind === 'regex' ? `/${m.source}/${m.flags}` : JSON.stringify(m.value);
}

/** A query the page library answers: which element, and is it ready for the action. */
export type Query =
  | { by: 'label'; label: TextMatcher }
  | { by: 'role'; roles: string[]; name: TextMatcher }
  | { by: 'css'; selector: string };

/** The recorder of console messages and page errors (idempotent: installs once per document). */
const RECORDER = String.raw`
if (!window.__e2eLog) {
  const log = [];
  Object.defineProperty(window, '__e2eLog', { value: log, enumerable: false });
  const stamp = () => '[' + new Date().toISOString() + '] ';
  const show = (value) => {
    if (typeof value === 'string') return value;
    if (value instanceof Error) return value.stack ? String(value.stack) : String(value);
    try { const json = JSON.stringify(value); return json === undefined ? String(value) : json; } catch (e) { return String(value); }
  };
  const levels = { log: 'log', info: 'info', warn: 'warning', error: 'error', debug: 'debug', trace: 'trace', assert: 'assert' };
  for (const method of Object.keys(levels)) {
    const original = console[method];
    if (typeof original !== 'function') continue;
    console[method] = function (...args) {
      if (method === 'assert') { if (args[0]) return original.apply(this, args); args = args.slice(1); }
      log.push(stamp() + 'console.' + levels[method] + ': ' + args.map(show).join(' '));
      return original.apply(this, method === 'assert' ? [false, ...args] : args);
    };
  }
  window.addEventListener('error', (event) => {
    if (event instanceof ErrorEvent) {
      const error = event.error;
      log.push(stamp() + 'pageerror: ' + (error && error.stack ? (String(error) + '\n' + error.stack) : event.message + ' at ' + event.filename + ':' + event.lineno));
    } else {
      const target = event.target;
      const url = target && (target.currentSrc || target.src || target.href);
      if (url) log.push(stamp() + 'requestfailed: ' + (target.tagName || '').toLowerCase() + ' ' + url);
    }
  }, true);
  window.addEventListener('unhandledrejection', (event) => {
    const reason = event.reason;
    log.push(stamp() + 'pageerror: (unhandled rejection) ' + (reason && reason.stack ? String(reason) + '\n' + reason.stack : show(reason)));
  });
  document.addEventListener('securitypolicyviolation', (event) => {
    log.push(stamp() + 'console.error: Refused by the Content Security Policy directive "' + event.violatedDirective + '": ' + (event.blockedURI || '(inline)') + (event.sourceFile ? ' (' + event.sourceFile + ':' + event.lineNumber + ')' : ''));
  });
  if (typeof window.fetch === 'function') {
    const originalFetch = window.fetch;
    window.fetch = function (input, init) {
      const method = ((init && init.method) || (input && typeof input === 'object' && input.method) || 'GET').toUpperCase();
      const url = typeof input === 'string' ? input : input && (input.url || String(input));
      return originalFetch.call(this, input, init).then(
        (response) => { if (response.status >= 400) log.push(stamp() + 'http ' + response.status + ': ' + method + ' ' + response.url); return response; },
        (error) => { log.push(stamp() + 'requestfailed: ' + method + ' ' + url + ' ' + error); throw error; },
      );
    };
  }
}
`;

/** Helpers shared by every query (defines `lib` in the script's scope). */
const LIBRARY = String.raw`
const lib = (() => {
  const normalize = (s) => String(s == null ? '' : s).replace(/\u200b/g, '').trim().replace(/\s+/g, ' ');
  const regex = (m) => new RegExp(m.source, m.flags.replace('g', '').replace('y', ''));
  /** full: the raw text; Playwright tests a RegExp against it, strings against the normalised text. */
  const matches = (m, full) => {
    if (m.kind === 'regex') return regex(m).test(full) || regex(m).test(normalize(full));
    const text = normalize(full);
    if (m.kind === 'exact') return text === normalize(m.value);
    return text.toLowerCase().includes(normalize(m.value).toLowerCase());
  };
  const skipForText = (el) => el.nodeName === 'SCRIPT' || el.nodeName === 'NOSCRIPT' || el.nodeName === 'STYLE' || (document.head && document.head.contains(el));
  const cache = new Map();
  const elementText = (root) => {
    if (cache.has(root)) return cache.get(root);
    let full = '';
    for (let child = root.firstChild; child; child = child.nextSibling) {
      if (child.nodeType === 3) full += child.nodeValue || '';
      else if (child.nodeType === 1 && !skipForText(child)) full += elementText(child);
    }
    if (root.shadowRoot) full += elementText(root.shadowRoot);
    cache.set(root, full);
    return full;
  };
  const style = (el) => el.ownerDocument.defaultView.getComputedStyle(el);
  const isVisible = (el) => {
    if (!el.isConnected) return false;
    const s = style(el);
    if (s.display === 'contents') {
      for (let child = el.firstChild; child; child = child.nextSibling) {
        if (child.nodeType === 1 && isVisible(child)) return true;
        if (child.nodeType === 3 && child.nodeValue.trim()) { const range = document.createRange(); range.selectNode(child); const r = range.getBoundingClientRect(); if (r.width > 0 && r.height > 0) return true; }
      }
      return false;
    }
    if (typeof el.checkVisibility === 'function') { if (!el.checkVisibility()) return false; }
    if (s.visibility !== 'visible') return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const hiddenForAria = (el) => {
    if (style(el).visibility !== 'visible') return true;
    for (let e = el; e; e = e.parentElement) {
      if (e.getAttribute('aria-hidden') === 'true') return true;
      if (style(e).display === 'none') return true;
    }
    return false;
  };
  const isDisabled = (el) => {
    if (typeof el.matches === 'function' && el.matches(':disabled')) return true;
    for (let e = el; e; e = e.parentElement) if (e.getAttribute('aria-disabled') === 'true') return true;
    return false;
  };
  const isReadOnly = (el) => el.readOnly === true || el.getAttribute('aria-readonly') === 'true';

  // Labels, as Playwright's getByLabel reads them.
  const labelsOf = (el) => {
    const ids = el.getAttribute('aria-labelledby');
    if (ids) {
      const found = ids.split(/\s+/).filter(Boolean).map((id) => document.getElementById(id)).filter(Boolean);
      if (found.length) return found.map((label) => elementText(label));
    }
    const aria = el.getAttribute('aria-label');
    if (aria !== null && aria.trim()) return [aria];
    const labelable = ['BUTTON', 'METER', 'OUTPUT', 'PROGRESS', 'SELECT', 'TEXTAREA'].includes(el.nodeName) || (el.nodeName === 'INPUT' && el.type !== 'hidden');
    if (labelable && el.labels) return [...el.labels].map((label) => elementText(label));
    return [];
  };

  // Roles and accessible names (the subset of ARIA the journeys need: buttons, links, form controls…).
  const INPUT_ROLES = { button: 'button', submit: 'button', reset: 'button', image: 'button', checkbox: 'checkbox', radio: 'radio', range: 'slider', number: 'spinbutton', search: 'searchbox' };
  const implicitRole = (el) => {
    const tag = el.nodeName;
    if (tag === 'BUTTON') return 'button';
    if ((tag === 'A' || tag === 'AREA') && el.hasAttribute('href')) return 'link';
    if (tag === 'INPUT') { const t = (el.getAttribute('type') || 'text').toLowerCase(); if (t === 'hidden') return null; return INPUT_ROLES[t] || (el.hasAttribute('list') ? 'combobox' : 'textbox'); }
    if (tag === 'TEXTAREA') return 'textbox';
    if (tag === 'SELECT') return el.multiple || el.size > 1 ? 'listbox' : 'combobox';
    if (tag === 'OPTION') return 'option';
    if (/^H[1-6]$/.test(tag)) return 'heading';
    if (tag === 'NAV') return 'navigation';
    if (tag === 'MAIN') return 'main';
    if (tag === 'DIALOG') return 'dialog';
    if (tag === 'UL' || tag === 'OL') return 'list';
    if (tag === 'LI') return 'listitem';
    if (tag === 'TABLE') return 'table';
    if (tag === 'TR') return 'row';
    if (tag === 'TD') return 'cell';
    if (tag === 'TH') return 'columnheader';
    if (tag === 'IMG') return el.getAttribute('alt') === '' ? 'presentation' : 'img';
    if (tag === 'FORM' && (el.hasAttribute('aria-label') || el.hasAttribute('aria-labelledby'))) return 'form';
    return null;
  };
  const roleOf = (el) => {
    const explicit = (el.getAttribute('role') || '').trim().split(/\s+/)[0];
    return explicit || implicitRole(el);
  };
  const nameFromContent = (node) => {
    let out = '';
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (child.nodeType === 3) { out += child.nodeValue || ''; continue; }
      if (child.nodeType !== 1 || skipForText(child)) continue;
      if (child.getAttribute('aria-hidden') === 'true') continue;
      const s = style(child);
      if (s.display === 'none' || s.visibility !== 'visible') continue;
      const pad = s.display === 'inline' ? '' : ' ';
      const aria = child.getAttribute('aria-label');
      if (aria && aria.trim()) { out += pad + aria + pad; continue; }
      if (child.nodeName === 'IMG') { out += pad + (child.getAttribute('alt') || '') + pad; continue; }
      if (child.nodeName === 'INPUT' || child.nodeName === 'SELECT' || child.nodeName === 'TEXTAREA') continue;
      out += pad + nameFromContent(child) + pad;
    }
    return out;
  };
  const accessibleName = (el) => {
    const ids = el.getAttribute('aria-labelledby');
    if (ids) {
      const text = ids.split(/\s+/).filter(Boolean).map((id) => document.getElementById(id)).filter(Boolean).map((e) => e.getAttribute('aria-label') || nameFromContent(e)).join(' ');
      if (normalize(text)) return normalize(text);
    }
    const aria = el.getAttribute('aria-label');
    if (aria && aria.trim()) return normalize(aria);
    if (el.nodeName === 'INPUT') {
      const t = (el.type || '').toLowerCase();
      if (t === 'submit' || t === 'reset' || t === 'button') return normalize(el.value || (t === 'submit' ? 'Submit' : t === 'reset' ? 'Reset' : ''));
      if (t === 'image') return normalize(el.getAttribute('alt') || el.value || 'Submit');
      if (el.labels && el.labels.length) return normalize([...el.labels].map((l) => nameFromContent(l)).join(' '));
    } else if (el.labels && el.labels.length && el.nodeName !== 'BUTTON') {
      return normalize([...el.labels].map((l) => nameFromContent(l)).join(' '));
    }
    const role = roleOf(el);
    const fromContent = ['button', 'link', 'checkbox', 'radio', 'tab', 'menuitem', 'menuitemcheckbox', 'menuitemradio', 'option', 'heading', 'cell', 'columnheader', 'rowheader', 'row', 'switch', 'treeitem', 'tooltip'];
    if (fromContent.includes(role) || el.nodeName === 'BUTTON') {
      const content = normalize(nameFromContent(el));
      if (content) return content;
    }
    return normalize(el.getAttribute('title') || '');
  };
  const nameMatches = (m, name) => m.kind === 'regex' ? regex(m).test(name) : m.kind === 'exact' ? name === normalize(m.value) : name.toLowerCase().includes(normalize(m.value).toLowerCase());

  const all = (root) => [...(root || document).querySelectorAll('*')];
  const query = (q) => {
    if (q.by === 'css') return document.querySelector(q.selector);
    if (q.by === 'label') return all().find((el) => labelsOf(el).some((label) => matches(q.label, label))) || null;
    // Playwright's .or() keeps document order across both roles.
    return all().find((el) => q.roles.includes(roleOf(el)) && !hiddenForAria(el) && nameMatches(q.name, accessibleName(el))) || null;
  };
  /** The innermost elements of root's subtree (root included, as in Playwright) whose text matches (getByText), visible ones only. */
  const findText = (root, m) => {
    for (const el of [root, ...all(root)]) {
      if (skipForText(el) || !matches(m, elementText(el))) continue;
      let childMatches = false;
      for (let child = el.firstElementChild; child; child = child.nextElementSibling) {
        if (!skipForText(child) && matches(m, elementText(child))) { childMatches = true; break; }
      }
      if (!childMatches && (!el.shadowRoot || !matches(m, elementText(el.shadowRoot))) && isVisible(el)) return el;
    }
    return null;
  };
  const state = (el) => ({ visible: isVisible(el), enabled: !isDisabled(el), editable: !isDisabled(el) && !isReadOnly(el) });
  const drain = () => (window.__e2eLog ? window.__e2eLog.splice(0) : []);
  return { normalize, query, findText, state, drain, isVisible };
})();
`;

/**
 * A script (function body for WebDriver's execute/sync) that installs the recorder, runs `body`
 * with `lib` and `args` in scope, and answers `{ value, log }`: the body's result and the console
 * lines recorded since the last call.
 */
export function pageScript(body: string): string {
  return `${RECORDER}\n${LIBRARY}\nconst args = arguments;\nconst value = (() => { ${body} })();\nreturn { value, log: lib.drain() };`;
}

/** Finds the element of a query; answers it with its state, or null. args[0] = Query. */
export const FIND = pageScript(String.raw`
  const el = lib.query(args[0]);
  if (!el) return null;
  return { element: el, ...lib.state(el) };
`);

/** Finds a visible element with this text under the first match of a CSS selector. args = [selector, TextMatcher]. */
export const FIND_TEXT = pageScript(String.raw`
  const root = document.querySelector(args[0]);
  if (!root) return { root: false, found: false };
  return { root: true, found: !!lib.findText(root, args[1]) };
`);

/**
 * What kind of control a fill targets (`input:<type>`, `textarea`, `contenteditable`,
 * `other:<tag>`) and its value; for text controls, focuses it and selects all its text, so that
 * typing replaces it. args[0] = element.
 */
export const PREPARE_FILL = pageScript(String.raw`
  const el = args[0];
  const kind = el.nodeName === 'INPUT' ? 'input:' + (el.type || 'text').toLowerCase() : el.nodeName === 'TEXTAREA' ? 'textarea' : el.isContentEditable ? 'contenteditable' : 'other:' + el.nodeName.toLowerCase();
  const typed = ['input:text', 'input:email', 'input:number', 'input:password', 'input:search', 'input:tel', 'input:url', 'textarea', 'contenteditable'];
  if (typed.includes(kind)) {
    el.focus();
    if (kind === 'contenteditable') { const range = document.createRange(); range.selectNodeContents(el); const sel = getSelection(); sel.removeAllRanges(); sel.addRange(range); }
    else el.select();
  }
  return { kind, typed: typed.includes(kind), value: kind === 'contenteditable' ? el.textContent : el.value };
`);

/**
 * Sets the value of inputs that are not typed into (date, time, colour, range…), as Playwright
 * does: the native setter, then input and change events (so React sees the change).
 * args = [element, value]; answers the value the input kept.
 */
export const SET_VALUE = pageScript(String.raw`
  const [el, value] = args;
  el.focus();
  const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
  setter.call(el, value);
  el.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  el.dispatchEvent(new Event('change', { bubbles: true }));
  return el.value;
`);

/** The option of a <select> shown as `label` (exact, trimmed), and whether it is enabled. args = [select, label]. */
export const FIND_OPTION = pageScript(String.raw`
  const [select, label] = args;
  if (select.nodeName !== 'SELECT') return { error: 'not a <select> but <' + select.nodeName.toLowerCase() + '>' };
  const options = [...select.options];
  const option = options.find((o) => lib.normalize(o.label) === lib.normalize(label) || lib.normalize(o.textContent) === lib.normalize(label));
  if (!option) return { options: options.map((o) => lib.normalize(o.label || o.textContent)) };
  return { option, disabled: option.disabled, selected: option.selected };
`);

/**
 * Selects an option from script, the way playwright-core's selectOption does: mark it selected,
 * then input and change events. args = [select, option].
 */
export const SELECT_OPTION = pageScript(String.raw`
  const [select, option] = args;
  select.focus();
  for (const o of select.options) o.selected = o === option;
  select.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  select.dispatchEvent(new Event('change', { bubbles: true }));
  return select.value;
`);

/** Counts the change events a select fires from now on (read with CHANGES_SEEN). args[0] = element. */
export const WATCH_CHANGES = pageScript(String.raw`
  const el = args[0];
  if (!el.__changesWatched) {
    el.__changesWatched = true;
    el.addEventListener('change', () => { el.__changesSeen = (el.__changesSeen || 0) + 1; });
  }
  el.__changesSeen = 0;
  return true;
`);

/** How many change events a watched select fired. args[0] = element. */
export const CHANGES_SEEN = pageScript(String.raw`
  return args[0].__changesSeen || 0;
`);

/** The shown text of a select's selected option. args[0] = element. */
export const SELECTED_OPTION = pageScript(String.raw`
  const el = args[0];
  return el.selectedOptions && el.selectedOptions[0] ? (el.selectedOptions[0].textContent || '').trim() : '';
`);

/** Whether a checkbox or radio is checked. args[0] = element. */
export const IS_CHECKED = pageScript(String.raw`
  const el = args[0];
  if ('checked' in el && (el.type === 'checkbox' || el.type === 'radio')) return el.checked;
  const aria = el.getAttribute('aria-checked');
  return aria === null ? null : aria === 'true';
`);

/** The rendered text of the first element matching a CSS selector, or null. args[0] = selector. */
export const INNER_TEXT = pageScript(String.raw`const el = document.querySelector(args[0]); return el ? el.innerText : null;`);

/** Scrolls an element to the centre of the viewport before a click. args[0] = element. */
export const SCROLL_INTO_VIEW = pageScript(String.raw`args[0].scrollIntoView({ block: 'center', inline: 'center' }); return true;`);

/** The layout viewport's size. */
export const VIEWPORT = pageScript(String.raw`return { width: window.innerWidth, height: window.innerHeight };`);

/** Only installs the recorder and drains it. */
export const DRAIN = pageScript('return null;');

/**
 * An async script (execute/async) that runs `(source)(arg)` and calls back with
 * `{ ok: result }` or `{ error: message }`, plus the console lines. args = [arg].
 */
export function evaluateScript(source: string): string {
  return `${RECORDER}\n${LIBRARY}\nconst done = arguments[arguments.length - 1];\nconst arg = arguments[0];\n` +
    `Promise.resolve().then(() => (${source})(arg)).then(\n` +
    `  (value) => done({ ok: value === undefined ? null : value, log: lib.drain() }),\n` +
    `  (error) => done({ error: error && error.stack ? String(error) + '\\n' + error.stack : String(error), log: lib.drain() }),\n);`;
}
