/**
 * `npm start`: builds what is missing or older than its sources — the web app (dist/web/, Vite)
 * and the server (dist/server/, esbuild) — then runs the server.
 *
 * The server runs in this process rather than in a child: Ctrl-C and SIGTERM reach it directly,
 * and no second Node process outlives a `kill -9`. Plain JavaScript, so that it needs no
 * transpiler.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const at = (relative) => path.join(ROOT, relative);

/** Newest modification time among these files and directories and everything under them (a removed file changes its directory's). */
function newestChange(paths) {
  let newest = 0;
  const visit = (file) => {
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    if (!stat) return;
    newest = Math.max(newest, stat.mtimeMs);
    if (stat.isDirectory()) for (const entry of fs.readdirSync(file)) visit(path.join(file, entry));
  };
  paths.forEach(visit);
  return newest;
}

/** Whether `output` is missing or older than one of its sources. */
function outdated(output, sources) {
  const built = fs.statSync(output, { throwIfNoEntry: false });
  return !built || built.mtimeMs < newestChange(sources);
}

function buildWeb() {
  const vite = path.join(path.dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the web app's build failed (exit code ${code})`))));
  });
}

const builds = [];
if (outdated(at('dist/web/index.html'), ['src/web', 'src/core', 'vite.config.ts', 'tsconfig.json', 'package-lock.json'].map(at))) {
  console.log('Building the web app…');
  builds.push(buildWeb());
}
if (outdated(at('dist/server/main.js'), ['src/server', 'src/core', 'scripts/build-server.mjs', 'tsconfig.json'].map(at))) {
  console.log('Building the server…');
  builds.push(import('./build-server.mjs').then(({ buildServer }) => buildServer()));
}
try {
  await Promise.all(builds);
} catch (error) {
  console.error(`Ardoise could not be built: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

// Stack traces name the TypeScript sources.
process.setSourceMapsEnabled(true);
await import(pathToFileURL(at('dist/server/main.js')).href);
