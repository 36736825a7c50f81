/**
 * Every installed package runs on every Node version package.json's `engines` admits, so that
 * `npm install` prints no EBADENGINE warning on any of them. Where a dependency's newest line
 * wants a newer Node, package.json pins (or overrides) a line that does not.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// semver comes with npm's dependency tree (fastify uses it); only these two functions are needed.
const semver = createRequire(import.meta.url)('semver') as { satisfies(version: string, range: string): boolean; minVersion(range: string): { version: string } | null };

const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, { engines?: { node?: string } | string[] }> };

/** The lowest version of each `||` branch of the range: the oldest Node of each line we admit. */
const oldest = manifest.engines.node.split('||').map((branch) => semver.minVersion(branch.trim())!.version);

describe('dependencies and the Node versions we support', () => {
  it('package.json admits Node 20 and 22', () => {
    expect(oldest).toEqual(['20.19.0', '22.13.0']);
  });

  it.each(oldest)('every locked package accepts Node %s', (node) => {
    const refusing = Object.entries(lock.packages)
      .map(([name, entry]) => ({ name: name.replace(/^node_modules\//, ''), range: Array.isArray(entry.engines) ? undefined : entry.engines?.node }))
      .filter(({ range }) => range !== undefined && !semver.satisfies(node, range))
      .map(({ name, range }) => `${name} (node ${range})`);
    expect(refusing).toEqual([]);
  });
});
