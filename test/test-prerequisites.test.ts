/**
 * `npm test`'s pretest (scripts/test-prerequisites.mjs), run as npm runs it, on a pretend machine:
 * an empty PATH and an empty directory as the root of the system files
 * (ARDOISE_PREREQUISITES_ROOT), with a fake apt-get where the test needs one. Nothing is installed
 * on the real machine.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../scripts/test-prerequisites.mjs', import.meta.url));
const ALL_PACKAGES = 'chromium dbus-x11 libgl1-mesa-dri libreoffice-calc-nogui locales webkit2gtk-driver xauth xvfb';
const isRoot = process.getuid?.() === 0;

let dir: string;
let bin: string;
let root: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ardoise-prereq-'));
  bin = path.join(dir, 'bin');
  root = path.join(dir, 'root');
  mkdirSync(bin);
  mkdirSync(root);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function run(env: NodeJS.ProcessEnv) {
  const started = Date.now();
  const result = spawnSync(process.execPath, [SCRIPT], { env: { HOME: os.homedir(), PATH: bin, ARDOISE_PREREQUISITES_ROOT: root, ...env }, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, output: result.stdout + result.stderr, ms: Date.now() - started };
}

/** What each package puts on the pretend machine: commands in `bin`, files under `root`. */
const PROVIDES: Record<string, { commands?: string[]; files?: string[] }> = {
  chromium: { files: ['usr/bin/chromium'] },
  'webkit2gtk-driver': { commands: ['WebKitWebDriver'], files: ['usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser'] },
  xvfb: { commands: ['xvfb-run', 'Xvfb'] },
  xauth: { commands: ['xauth'] },
  'dbus-x11': { commands: ['dbus-run-session'] },
  'libgl1-mesa-dri': { files: ['usr/lib/x86_64-linux-gnu/dri/swrast_dri.so'] },
  locales: { commands: ['localedef'], files: ['usr/share/i18n/locales/fr_FR', 'usr/share/i18n/charmaps/UTF-8.gz'] },
  'libreoffice-calc-nogui': { commands: ['soffice'] },
};

function install(packages: string[]): void {
  for (const name of packages) {
    for (const command of PROVIDES[name]?.commands ?? []) writeFileSync(path.join(bin, command), '', { mode: 0o755 });
    for (const file of PROVIDES[name]?.files ?? []) {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), '');
    }
  }
}

/** A fake apt-get on PATH that logs its arguments and, on `install`, provides the packages it is given. */
function fakeAptGet(): string {
  const log = path.join(dir, 'apt-get.log');
  const script = `#!${process.execPath}
const fs = require('node:fs'), path = require('node:path');
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(log)}, args.join(' ') + '\\n');
if (args.includes('install')) {
  const provides = ${JSON.stringify(PROVIDES)};
  for (const name of args.filter((a) => !a.startsWith('-') && a !== 'install')) {
    for (const c of provides[name]?.commands ?? []) fs.writeFileSync(path.join(${JSON.stringify(bin)}, c), '', { mode: 0o755 });
    for (const f of provides[name]?.files ?? []) {
      fs.mkdirSync(path.dirname(path.join(${JSON.stringify(root)}, f)), { recursive: true });
      fs.writeFileSync(path.join(${JSON.stringify(root)}, f), '');
    }
  }
}
`;
  writeFileSync(path.join(bin, 'apt-get'), script);
  chmodSync(path.join(bin, 'apt-get'), 0o755);
  return log;
}

describe('the test prerequisites', () => {
  it('when they cannot be installed, stop at once with the exact apt-get command and why each package', () => {
    const { status, output, ms } = run({ ARDOISE_NO_INSTALL: '1' });
    expect(status).toBe(1);
    expect(ms).toBeLessThan(5_000);
    const sudo = isRoot ? '' : 'sudo ';
    expect(output).toContain(`${sudo}apt-get update && ${sudo}apt-get install -y --no-install-recommends ${ALL_PACKAGES}`);
    expect(output).toContain('ARDOISE_NO_INSTALL is set');
    expect(output).toMatch(/Chromium \(\/usr\/bin\/chromium\): for the browser journeys in Chromium/);
    expect(output).toMatch(/WebKitWebDriver: for the browser journeys in WebKit.*\(Debian package webkit2gtk-driver\)/);
    expect(output).toMatch(/LibreOffice Calc \(soffice\): for reading back the XLSX exports.*\(Debian package libreoffice-calc-nogui\)/);
    expect(output).toContain('E2E_BROWSER=chromium');
  });

  it('without apt-get, say so and give the command', () => {
    const { status, output } = run({});
    expect(status).toBe(1);
    expect(output).toContain(isRoot ? 'apt-get is not on PATH' : 'not running as root');
    expect(output).toContain(`apt-get install -y --no-install-recommends ${ALL_PACKAGES}`);
  });

  it('E2E_BROWSER=chromium needs nothing of WebKit', () => {
    install(['chromium', 'libreoffice-calc-nogui']);
    expect(run({ E2E_BROWSER: 'chromium', ARDOISE_NO_INSTALL: '1' })).toMatchObject({ status: 0, output: '' });
    const webkitOnly = run({ E2E_BROWSER: 'webkit', ARDOISE_NO_INSTALL: '1' });
    expect(webkitOnly.status).toBe(1);
    expect(webkitOnly.output).toContain('apt-get install -y --no-install-recommends dbus-x11 libgl1-mesa-dri locales webkit2gtk-driver xauth xvfb');
  });

  it('a *_PATH variable naming no file is for the user to fix, not for apt-get', () => {
    const log = fakeAptGet();
    const { status, output } = run({ E2E_BROWSER: 'chromium', CHROMIUM_PATH: path.join(dir, 'nowhere', 'chromium') });
    expect(status).toBe(1);
    expect(output).toContain('point CHROMIUM_PATH at Chromium, or unset it');
    expect(existsSync(log)).toBe(false);
  });

  it('an unknown engine in E2E_BROWSER is refused', () => {
    const { status, output } = run({ E2E_BROWSER: 'firefox' });
    expect(status).toBe(1);
    expect(output).toContain('E2E_BROWSER=firefox: unknown engine firefox');
  });

  it('when everything is there, exit 0 silently without calling apt-get', () => {
    install(Object.keys(PROVIDES));
    const log = fakeAptGet();
    expect(run({})).toMatchObject({ status: 0, output: '' });
    expect(existsSync(log)).toBe(false);
  });

  it('as root with apt-get, install what is missing, say what and why, then check again', () => {
    install(['chromium', 'xauth']);
    const log = fakeAptGet();
    const { status, output } = run({});
    const packages = 'dbus-x11 libgl1-mesa-dri libreoffice-calc-nogui locales webkit2gtk-driver xvfb';
    expect(output).toMatch(/MiniBrowser \(WebKitGTK\): for the browser journeys in WebKit/);
    if (isRoot) {
      expect(output).toContain(`Installing them: apt-get update && apt-get install -y --no-install-recommends ${packages}`);
      expect(readFileSync(log, 'utf8')).toBe(`update -q\ninstall -y -q --no-install-recommends ${packages}\n`);
      expect(output).toContain('Installed: the test prerequisites are all here.');
      expect(status).toBe(0);
    } else {
      // apt-get is only run as root; otherwise the command to run, with sudo.
      expect(output).toContain(`sudo apt-get update && sudo apt-get install -y --no-install-recommends ${packages}`);
      expect(existsSync(log)).toBe(false);
      expect(status).toBe(1);
    }
  });

  it('an installation that leaves something missing fails, naming it', () => {
    install(['chromium']);
    writeFileSync(path.join(bin, 'apt-get'), `#!${process.execPath}\n`, { mode: 0o755 }); // installs nothing
    const { status, output } = run({});
    expect(status).toBe(1);
    expect(output).toMatch(isRoot ? /Still missing after installing:\n {2}- WebKitWebDriver/ : /not running as root/);
  });
});
