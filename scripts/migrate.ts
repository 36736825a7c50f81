/**
 * Applies pending migrations and exits: `npm run migrate` (the app also migrates at start).
 * Sets up the schema in DATABASE_URL's database, or in the embedded cluster of DATA_DIR, but
 * never creates a cluster: with no database where it looks it says so and exits 1.
 */
import { NoDatabaseError, openDatabaseForTool, toolDatabaseLabel } from '../src/server/database';
import { loadConfig } from '../src/server/config';

const config = loadConfig();
try {
  const database = await openDatabaseForTool(config, { setUp: true });
  await database.close();
  console.log(`Migrations applied (${toolDatabaseLabel(config)}).`);
} catch (error) {
  console.error(error instanceof NoDatabaseError ? error.message : error);
  process.exit(1);
}
