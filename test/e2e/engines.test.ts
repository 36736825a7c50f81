/**
 * Every browser journey runs in every engine (Chromium and WebKit) from one source: each
 * `*.e2e.test.ts` declares its journeys with `describe.each(engines())` and starts its browser
 * with `startE2E(engine)` (see README.md). A journey written for one engine only fails here.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { engines } from './driver';

const here = path.dirname(fileURLToPath(import.meta.url));
const journeys = readdirSync(here).filter((name) => name.endsWith('.e2e.test.ts'));

describe('browser journeys', () => {
  it('exist', () => {
    expect(journeys.length).toBeGreaterThan(0);
  });

  it.each(journeys)('%s runs in every engine', (name) => {
    const source = readFileSync(path.join(here, name), 'utf8');
    expect(source, `${name}: declare the journeys with describe.each(engines())`).toMatch(/describe\.each\(engines\(\)\)/);
    expect(source, `${name}: start the browser with startE2E(engine)`).toMatch(/startE2E\(engine\)/);
    expect(source, `${name}: no journey may be skipped in one engine`).not.toMatch(/\.skip(If)?\(|\bskip\(/);
  });
});

describe('the engines of a run', () => {
  // A pretend machine with Chromium only: nothing on PATH, /usr/bin/chromium under its root.
  const machine = mkdtempSync(path.join(os.tmpdir(), 'ardoise-engines-'));
  mkdirSync(path.join(machine, 'usr/bin'), { recursive: true });
  writeFileSync(path.join(machine, 'usr/bin/chromium'), '');
  const env = (more: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ PATH: path.join(machine, 'bin'), ARDOISE_PREREQUISITES_ROOT: machine, ...more });
  afterAll(() => rmSync(machine, { recursive: true, force: true }));

  it('are both by default, and a missing WebKit fails the run instead of being dropped', () => {
    expect(() => engines(env())).toThrow(/cannot run in chromium and webkit here; missing: WebKitWebDriver, MiniBrowser/);
    expect(() => engines(env())).toThrow(/Install: apt-get update && apt-get install -y --no-install-recommends dbus-x11 .*webkit2gtk-driver/);
    expect(() => engines(env({ CI: 'true' }))).toThrow(/WebKitWebDriver/);
  });

  it('leave WebKit out only when E2E_BROWSER says so', () => {
    expect(engines(env({ E2E_BROWSER: 'chromium' }))).toEqual(['chromium']);
    expect(() => engines(env({ E2E_BROWSER: 'webkit' }))).toThrow(/cannot run in webkit here/);
    expect(() => engines(env({ E2E_BROWSER: 'chromium', CHROMIUM_PATH: path.join(machine, 'none') }))).toThrow(/point CHROMIUM_PATH at Chromium/);
    expect(() => engines(env({ E2E_BROWSER: 'chromium,safari' }))).toThrow(/unknown engine safari/);
  });
});
