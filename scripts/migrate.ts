/** Applies pending migrations and exits: `npm run migrate` (the app also migrates at start). */
import { openDatabaseForTool } from '../src/server/database';
import { loadConfig } from '../src/server/config';

const database = await openDatabaseForTool(loadConfig());
await database.close();
console.log('Migrations applied.');
