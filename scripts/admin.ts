/**
 * Operator commands for an Ardoise instance.
 *
 *   npm run admin -- dossiers                               list dossiers with plan and seats
 *   npm run admin -- plan <dossierId> <solo|tpe|tpe_plus>   set a dossier's plan
 *   npm run admin -- seats <dossierId> <n>                  set the extra seats (TPE+ only)
 *
 * On the app's database (DATA_DIR's embedded cluster, or DATABASE_URL), never a new one: with no
 * database there it says where it looked and exits 1.
 */
import { sql } from 'kysely';
import { PLAN_KEYS, PLAN_LABELS, PLANS, seatLimit, type PlanKey } from '../src/core/plans';
import { openDatabaseForTool, toolDatabaseLabel } from '../src/server/database';
import { loadConfig } from '../src/server/config';
import { createDb, type Db } from '../src/server/db/pool';
import { createTx, isUuid } from '../src/server/db/tx';
import { writeAudit } from '../src/server/platform/audit';

const OPERATOR = { userId: null, name: 'Opérateur', profile: null };
const META = { ip: null, userAgent: 'npm run admin', requestId: null };

function usage(): never {
  console.error('Usage: npm run admin -- dossiers | plan <dossierId> <solo|tpe|tpe_plus> | seats <dossierId> <n>');
  process.exit(2);
}

async function setPlan(db: Db, appRole: string, dossierId: string, changes: { plan?: PlanKey; extraSeats?: number }) {
  const tx = createTx(db, appRole);
  return tx({ dossierId }, async (t) => {
    const before = await t.selectFrom('dossiers').select(['legal_name', 'plan', 'extra_seats']).where('id', '=', dossierId).forUpdate().executeTakeFirst();
    if (!before) throw new Error(`No dossier ${dossierId}`);
    const plan = changes.plan ?? before.plan;
    const extraSeats = changes.extraSeats ?? before.extra_seats;
    if (extraSeats > 0 && !PLANS[plan].extraSeatsAllowed) throw new Error(`Extra seats are for the TPE+ plan only (this dossier is on ${PLAN_LABELS[plan]}).`);
    await t.updateTable('dossiers').set({ plan, extra_seats: extraSeats, updated_at: sql<Date>`now()` }).where('id', '=', dossierId).execute();
    await writeAudit(t, dossierId, OPERATOR, META, {
      action: 'dossier.plan_changed',
      entityType: 'dossier',
      entityId: dossierId,
      entityLabel: before.legal_name,
      summary: `Formule ${PLAN_LABELS[plan]}, ${seatLimit(plan, extraSeats)} utilisateur(s)`,
      changes: {
        ...(plan !== before.plan ? { plan: { before: before.plan, after: plan } } : {}),
        ...(extraSeats !== before.extra_seats ? { extraSeats: { before: before.extra_seats, after: extraSeats } } : {}),
      },
    });
    return { legalName: before.legal_name, plan, limit: seatLimit(plan, extraSeats) };
  });
}

async function main() {
  const [command, ...args] = process.argv.slice(2);
  const config = loadConfig();
  const database = await openDatabaseForTool(config);
  const { db } = createDb(database.url, 2);
  try {
    if (command === 'dossiers') {
      // Operator view across tenants: runs as the connecting (owner) role on purpose.
      const rows = await db.selectFrom('dossiers').select(['id', 'legal_name', 'plan', 'extra_seats', 'created_at']).orderBy('created_at').execute();
      for (const d of rows) console.log(`${d.id}  ${PLAN_LABELS[d.plan].padEnd(5)} ${String(seatLimit(d.plan, d.extra_seats)).padStart(3)} seat(s)  ${d.legal_name}`);
      if (rows.length === 0) console.log(`No dossier yet (${toolDatabaseLabel(config)}).`);
    } else if (command === 'plan' && args.length === 2 && isUuid(args[0]!) && (PLAN_KEYS as readonly string[]).includes(args[1]!)) {
      const r = await setPlan(db, config.appRole, args[0]!, { plan: args[1] as PlanKey, ...(args[1] === 'tpe_plus' ? {} : { extraSeats: 0 }) });
      console.log(`${r.legalName}: plan ${PLAN_LABELS[r.plan]}, ${r.limit} seat(s).`);
    } else if (command === 'seats' && args.length === 2 && isUuid(args[0]!) && /^\d{1,4}$/.test(args[1]!)) {
      const r = await setPlan(db, config.appRole, args[0]!, { extraSeats: Number(args[1]) });
      console.log(`${r.legalName}: plan ${PLAN_LABELS[r.plan]}, ${r.limit} seat(s).`);
    } else {
      usage();
    }
  } finally {
    await db.destroy();
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
