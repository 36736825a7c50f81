/** Picks the browser of the run (E2E_BROWSER, default chromium) and keeps failure artifacts. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { launchChromium } from './chromium';
import type { Browser, Tab } from './types';

export type { Browser, Clickable, Tab, User, Viewport } from './types';

export async function launchBrowser(baseUrl: string): Promise<Browser> {
  const kind = process.env.E2E_BROWSER ?? 'chromium';
  if (kind === 'chromium') return launchChromium(baseUrl);
  throw new Error(`E2E_BROWSER=${kind}: no driver for this browser yet (available: chromium)`);
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
      let url = '';
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
