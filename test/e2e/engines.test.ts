/**
 * Every browser journey runs in every engine (Chromium and WebKit) from one source: each
 * `*.e2e.test.ts` declares its journeys with `describe.each(engines())` and starts its browser
 * with `startE2E(engine)` (see README.md). A journey written for one engine only fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

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
