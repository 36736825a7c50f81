/**
 * `npm run build:server`: bundles the server (src/server/main.ts and what it imports from src/)
 * into dist/server/, so that it starts on plain Node, without transpiling TypeScript each time.
 * The PDF worker thread's code (src/server/pdf/worker.ts) becomes dist/server/pdf-worker.js,
 * where src/server/pdf/renderer.ts looks for it.
 *
 * - Packages stay outside the bundle and load from node_modules as usual: native addons
 *   (argon2, the embedded PostgreSQL) and packages that read their own files keep working.
 * - Code splitting: a module the server imports with `import()` (the server's modules while the
 *   database starts) becomes a file of its own, loaded only then.
 * - dist/server/ sits two levels below the root, as src/server/ does: src/server/install-dir.ts
 *   relies on it to find the files read at run time (migrations, fonts).
 *
 * The output directory is emptied first; a server running from it must be restarted.
 * Plain JavaScript, so that `npm start` can build without a transpiler.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT_DIR = path.join(ROOT, 'dist', 'server');

export async function buildServer() {
  await fs.rm(OUT_DIR, { recursive: true, force: true });
  await build({
    absWorkingDir: ROOT,
    entryPoints: { main: 'src/server/main.ts', 'pdf-worker': 'src/server/pdf/worker.ts' },
    outdir: OUT_DIR,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    // Stack traces name the TypeScript sources (scripts/start.mjs turns source maps on).
    sourcemap: true,
    logLevel: 'warning',
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) await buildServer();
