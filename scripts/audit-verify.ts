/**
 * Verifies the integrity of one dossier (or of every dossier): its audit chain, the chain against
 * the signed checkpoints kept in DATA_DIR/audit-anchors, and its numbered documents against their
 * issue events; names the first failure.
 *
 *   npm run audit:verify                 every dossier (and every anchored dossier gone from the database)
 *   npm run audit:verify -- <dossierId>  one dossier
 *
 * Run it with the server's DATA_DIR (and AUDIT_ANCHOR_KEY, or AUDIT_ANCHOR_PUBLIC_KEY, if the
 * server uses one). Exits 1 when something does not hold.
 */
import path from 'node:path';
import { openDatabaseForTool } from '../src/server/database';
import { loadConfig } from '../src/server/config';
import { createDb } from '../src/server/db/pool';
import { createTx, isUuid } from '../src/server/db/tx';
import { verifyDossier } from '../src/server/audit/verify';
import { ANCHOR_DIR, anchoredDossiers, checkpointMoment, loadAnchorKey, readAnchors } from '../src/server/platform/audit-anchors';

async function main(): Promise<number> {
  const only = process.argv[2];
  if (only !== undefined && !isUuid(only)) {
    console.error('Usage: npm run audit:verify [-- <dossierId>]');
    return 2;
  }
  const config = loadConfig();
  const anchors = { dir: path.join(config.dataDir, ANCHOR_DIR), key: loadAnchorKey(config, { create: false }) };
  const anchored = await anchoredDossiers(anchors.dir);
  console.log(`Checkpoints: ${anchored.length} anchored dossier(s) in ${anchors.dir}${anchors.key ? `, key ${anchors.key.id}` : ', no key found'}`);
  if (anchored.length === 0) console.log('  (none: a cut or rewound trail cannot be detected; is DATA_DIR the server\'s?)');
  const database = await openDatabaseForTool(config);
  const { db } = createDb(database.url, 2);
  const tx = createTx(db, config.appRole);
  let broken = 0;
  try {
    const existing = (await db.selectFrom('dossiers').select('id').orderBy('created_at').execute()).map((d) => d.id);
    const inDatabase = new Set(existing);
    if (only && !inDatabase.has(only) && !anchored.includes(only)) {
      console.error(`No dossier ${only}, in the database or among the checkpoints.`);
      return 2;
    }
    const ids = only ? existing.filter((id) => id === only) : existing;
    for (const id of ids) {
      const verdict = await tx({ dossierId: id }, (t) => verifyDossier(t, id, anchors));
      if (verdict.ok) {
        const anchor = verdict.anchor ? `anchored at event ${verdict.anchor.seq} (${verdict.anchor.at})` : 'not anchored yet';
        console.log(`${id}  OK      ${verdict.checked} event(s), ${verdict.documents} numbered document(s), ${anchor}`);
      } else {
        broken++;
        console.log(`${id}  BROKEN  ${verdict.firstBrokenSeq === null ? '' : `at event ${verdict.firstBrokenSeq}: `}${verdict.reason}`);
      }
    }
    // A dossier deleted from the database, trail and all, still has its checkpoints.
    const gone = anchored.filter((id) => !inDatabase.has(id) && (!only || id === only));
    for (const id of gone) {
      const reading = await readAnchors(anchors.dir, id, anchors.key);
      if (!reading.newest && !reading.problem) continue;
      broken++;
      const attested = reading.newest ? `le point d'ancrage ${checkpointMoment(reading.newest.at)} attestait ${reading.newest.seq} événement(s)` : reading.problem;
      console.log(`${id}  BROKEN  Le dossier a disparu de la base de données : ${attested}`);
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
