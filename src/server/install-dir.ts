import { fileURLToPath } from 'node:url';

/**
 * The directory Ardoise is installed in, for the files the server reads at run time (SQL
 * migrations, fonts). Found from this module's own location, so that any working directory
 * works: src/server/ when run from source, dist/server/ once bundled (`npm run build`) — two
 * levels down either way.
 */
export const INSTALL_DIR = fileURLToPath(new URL('../../', import.meta.url));
