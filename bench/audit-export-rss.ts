import { Writable } from 'node:stream';
import { createDb } from '../src/server/db/pool';
import { createTx } from '../src/server/db/tx';
import { journalCellBatches, writeJournal, type ExportFormat } from '../src/server/audit/export';
import { journalSummary, type JournalFilters } from '../src/server/audit/journal';

/**
 * The audit-export benchmark's child process: the export function alone (journalRows → the
 * writer → a sink that drops the bytes), in a process of its own so that its peak resident
 * memory is the export's. Reads its job from the environment, prints one line of JSON.
 *   BENCH_EXPORT_DB     the database, as the owner (the transaction switches to the app role)
 *   BENCH_EXPORT_ROLE   the application role
 *   BENCH_EXPORT_JOB    {"dossierId", "filters", "format"}
 */
const job = JSON.parse(process.env.BENCH_EXPORT_JOB ?? '{}') as { dossierId: string; filters: JournalFilters; format: ExportFormat };
const { db } = createDb(process.env.BENCH_EXPORT_DB!, 2);
const tx = createTx(db, process.env.BENCH_EXPORT_ROLE!);

let bytes = 0;
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    bytes += chunk.length;
    done();
  },
});
const rssBefore = process.memoryUsage().rss;
const started = performance.now();
const rows = await tx({ dossierId: job.dossierId }, async (t) => {
  const summary = await journalSummary(t, job.dossierId, job.filters);
  return writeJournal(job.format, sink, journalCellBatches(t, job.dossierId, job.filters, 'fr'), summary, 'fr');
});
const ms = performance.now() - started;
await db.destroy();
console.log(
  JSON.stringify({
    rows,
    bytes,
    ms: Math.round(ms),
    rssBeforeMb: Math.round(rssBefore / 2 ** 20),
    // ru_maxrss: the peak resident set of this process over its whole life, in KiB on Linux.
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
