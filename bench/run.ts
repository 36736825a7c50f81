import { apiRead } from './api-read';
import { auditExport } from './audit-export';
import { auditPage } from './audit-page';
import { invoiceE2e } from './invoice-e2e';
import { issueConcurrency } from './issue-concurrency';
import { listScale } from './list-scale';
import { mailThroughput } from './mail-throughput';
import { pdf } from './pdf';
import { printTable, writeResult, type BenchResult } from './report';
import { startup } from './startup';

/**
 * `npm run bench [name]`: runs every benchmark (or the one named), prints a table and writes
 * bench/results/<name>.json. Each figure is a ratio to a baseline measured in the same run;
 * nothing here asserts an absolute time.
 */
const BENCHMARKS: Record<string, () => Promise<BenchResult>> = {
  'api-read': apiRead,
  startup,
  pdf,
  'issue-concurrency': issueConcurrency,
  'list-scale': listScale,
  'invoice-e2e': invoiceE2e,
  'mail-throughput': mailThroughput,
  'audit-page': auditPage,
  'audit-export': auditExport,
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = wanted.filter((name) => !(name in BENCHMARKS));
if (unknown.length > 0) {
  console.error(`Unknown benchmark: ${unknown.join(', ')} (available: ${Object.keys(BENCHMARKS).join(', ')})`);
  process.exit(2);
}

const results: BenchResult[] = [];
let failed = false;
for (const name of wanted.length > 0 ? wanted : Object.keys(BENCHMARKS)) {
  console.log(`== ${name}`);
  const started = Date.now();
  try {
    const result = await BENCHMARKS[name]!();
    const file = await writeResult(result);
    results.push(result);
    console.log(`  ${name} done in ${Math.round((Date.now() - started) / 1000)} s → ${file}`);
  } catch (error) {
    failed = true;
    console.error(`  ${name} FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
}
if (results.length > 0) printTable(results);
// A missed goal is a finding to report, not a crash; a benchmark that could not run is.
process.exit(failed ? 1 : 0);
