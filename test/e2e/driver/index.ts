/**
 * The engines of the run and their drivers, and failure artifacts.
 *
 * `E2E_BROWSER` picks the engines: `chromium`, `webkit`, or both (`chromium,webkit`). Unset, a
 * run uses both when WebKit is installed here, Chromium alone otherwise (with a warning) — but
 * in CI (`CI` set) WebKit is never dropped silently: a missing WebKit fails its journeys.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { launchChromium } from './chromium';
import type { Browser, Tab } from './types';
import { launchWebKit, webkitMissing } from './webkit';

export type { Browser, Clickable, Tab, User, Viewport } from './types';

export const ENGINES = ['chromium', 'webkit'] as const;
export type Engine = (typeof ENGINES)[number];

function isEngine(value: string): value is Engine {
  return (ENGINES as readonly string[]).includes(value);
}

let warned = false;

/** The engines every journey runs in, in this order. */
export function engines(): Engine[] {
  const asked = process.env.E2E_BROWSER?.trim();
  if (asked) {
    const list = asked.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
    const unknown = list.filter((name) => !isEngine(name));
    if (unknown.length) throw new Error(`E2E_BROWSER=${asked}: unknown engine ${unknown.join(', ')} (available: ${ENGINES.join(', ')})`);
    return [...new Set(list as Engine[])];
  }
  const missing = webkitMissing();
  if (missing.length === 0 || process.env.CI) return ['chromium', 'webkit'];
  if (!warned) {
    warned = true;
    console.warn(`Browser journeys: WebKit is not installed (missing ${missing.join(', ')}), so they run in Chromium only. apt-get install -y webkit2gtk-driver xvfb dbus-x11`);
  }
  return ['chromium'];
}

export async function launchBrowser(baseUrl: string, engine: Engine = engines()[0] ?? 'chromium'): Promise<Browser> {
  if (engine === 'chromium') return launchChromium(baseUrl);
  if (engine === 'webkit') return launchWebKit(baseUrl);
  throw new Error(`no driver for the engine ${String(engine)} (available: ${ENGINES.join(', ')})`);
}

export const ARTIFACTS_DIR = path.resolve('test-artifacts');

/**
 * Runs a journey; when it fails, saves a screenshot and the console log of every tab under
 * test-artifacts/ and prints their paths, then fails with the original error.
 */
export async function withArtifacts(journey: string, tabs: () => Tab[], run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    await mkdir(ARTIFACTS_DIR, { recursive: true });
    const slug = journey.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
    const saved: string[] = [];
    for (const tab of tabs()) {
      const base = path.join(ARTIFACTS_DIR, `${slug}--${tab.name}`);
      try {
        await tab.screenshot(`${base}.png`);
        saved.push(`${base}.png`);
      } catch (shotError) {
        saved.push(`(no screenshot for ${tab.name}: ${String(shotError)})`);
      }
      let url: string;
      try {
        url = await tab.url();
      } catch {
        url = '(unknown)';
      }
      await writeFile(`${base}.console.log`, [`url: ${url}`, ...tab.consoleLog()].join('\n') + '\n');
      saved.push(`${base}.console.log`);
    }
    console.error(`Journey "${journey}" failed. Artifacts:\n  ${saved.join('\n  ')}`);
    throw error;
  }
}
