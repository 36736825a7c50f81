/**
 * Recomputes the audit chain of one dossier (or of every dossier) and names the first broken link.
 *
 *   npm run audit:verify                 every dossier
 *   npm run audit:verify -- <dossierId>  one dossier
 *
 * Exits 1 when a chain is broken.
 */
import { openDatabaseForTool } from '../src/server/database';
import { loadConfig } from '../src/server/config';
import { createDb } from '../src/server/db/pool';
import { createTx, isUuid } from '../src/server/db/tx';
import { verifyAuditChain } from '../src/server/platform/audit';

async function main(): Promise<number> {
  const only = process.argv[2];
  if (only !== undefined && !isUuid(only)) {
    console.error('Usage: npm run audit:verify [-- <dossierId>]');
    return 2;
  }
  const config = loadConfig();
  const database = await openDatabaseForTool(config);
  const { db } = createDb(database.url, 2);
  const tx = createTx(db, config.appRole);
  let broken = 0;
  try {
    const ids = only ? [only] : (await db.selectFrom('dossiers').select('id').orderBy('created_at').execute()).map((d) => d.id);
    for (const id of ids) {
      const verdict = await tx({ dossierId: id }, (t) => verifyAuditChain(t, id));
      if (verdict.ok) console.log(`${id}  OK      ${verdict.checked} event(s)`);
      else {
        broken++;
        console.log(`${id}  BROKEN  at event ${verdict.firstBrokenSeq}: ${verdict.reason}`);
      }
    }
  } finally {
    await db.destroy();
    await database.close();
  }
  return broken > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
