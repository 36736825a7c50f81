/**
 * The engines of the run and their drivers, and failure artifacts.
 *
 * `E2E_BROWSER` picks the engines: `chromium`, `webkit`, or both (`chromium,webkit`, the
 * default). An engine is never dropped because it is missing here: the run fails, naming what to
 * install (`npm test` installs it itself, see scripts/test-prerequisites.mjs), unless
 * `E2E_BROWSER` leaves that engine out.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { aptCommand, askedEngines, ENGINES, missingBrowserPrerequisites, packagesFor } from '../../../scripts/test-prerequisites.mjs';
import { launchChromium } from './chromium';
import type { Browser, Tab } from './types';
import { launchWebKit } from './webkit';
import { isUnanswered } from './webdriver';

export type { Browser, Clickable, Tab, User, Viewport } from './types';

export { ENGINES };
export type Engine = (typeof ENGINES)[number];

/**
 * The engines every journey runs in, in this order. Throws when one of them cannot run on this
 * machine: a journey is left out only when E2E_BROWSER says so.
 */
export function engines(env: NodeJS.ProcessEnv = process.env): Engine[] {
  const asked = askedEngines(env);
  const missing = missingBrowserPrerequisites(env);
  if (missing.length > 0) {
    const packages = packagesFor(missing);
    throw new Error(
      `The browser journeys cannot run in ${asked.join(' and ')} here; missing: ${missing.map((m) => m.what + (m.fix ? ` (${m.fix})` : '')).join(', ')}.` +
        (packages.length ? ` Install: ${aptCommand(packages)} (npm test does it when run as root).` : '') +
        ' To run one engine only, set E2E_BROWSER=chromium or E2E_BROWSER=webkit.',
    );
  }
  return asked;
}

export async function launchBrowser(baseUrl: string, engine: Engine = engines()[0] ?? 'chromium'): Promise<Browser> {
  if (engine === 'chromium') return launchChromium(baseUrl);
  if (engine === 'webkit') return launchWebKit(baseUrl);
  throw new Error(`no driver for the engine ${String(engine)} (available: ${ENGINES.join(', ')})`);
}

export const ARTIFACTS_DIR = path.resolve('test-artifacts');

/**
 * Runs a journey; when it fails, saves a screenshot and the console log of every tab under
 * test-artifacts/ and prints their paths, then fails with the original error — except once when
 * the browser itself stopped answering (see below).
 */
export async function withArtifacts(journey: string, tabs: () => Tab[], run: () => Promise<void>, attempt = 1): Promise<void> {
  try {
    await run();
  } catch (error) {
    await mkdir(ARTIFACTS_DIR, { recursive: true });
    const slug = journey.replace(/[^a-z0-9]+/gi, '-').toLowerCase() + (attempt > 1 ? `-attempt${attempt}` : '');
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
    // A browser that stopped answering (its process died or hung) says nothing of Ardoise: the
    // journey runs once more, from the start, in new windows; said loudly, never twice. A page
    // that answers wrongly, or an assertion, fails at once.
    if (isUnanswered(error) && attempt === 1 && process.env.E2E_NO_RETRY !== '1') {
      console.error(`Journey "${journey}": the browser stopped answering (${String((error as Error).message).split('\n')[0]}); running the journey again once, in new windows (E2E_NO_RETRY=1 to fail at once).`);
      return withArtifacts(journey, tabs, run, attempt + 1);
    }
    throw error;
  }
}
