import { createHash, randomUUID } from 'node:crypto';
import type net from 'node:net';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { simpleParser } from 'mailparser';
import { createRequire } from 'node:module';
import { sql } from 'kysely';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { parisDate } from '../src/core/dates';
import { attachmentName } from '../src/core/outgoing-mail';
import { verifyAuditChain } from '../src/server/platform/audit';
import { addressOf, deliveryTransportOptions, SMTP_CONNECTIONS } from '../src/server/platform/mail';
import { LINE, SELLER } from '../test/helpers/invoicing';
import { clusterCpuMs, postmasterOf } from './cpu';
import { call, cloneDrafts, runClients, signUp, startBenchApp } from './issue-concurrency';
import { median, round, type BenchResult } from './report';

/**
 * mail-throughput: MESSAGES issued invoices (a few lines each, their frozen PDFs made beforehand)
 * e-mailed through the real path — `POST /api/d/:id/invoices/:docId/send` over HTTP with a
 * logged-in session and its CSRF token, the outbox row, the pg-boss job, the worker, SMTP — to an
 * in-process smtp-server, against nodemailer sending the same messages (same From, Reply-To, To,
 * subject, body, the same PDF bytes) straight to the same server, in the same run.
 *
 * Fairness: the baseline uses the transport options the worker's transport is made with
 * (`deliveryTransportOptions`, pooled or not as the app is) and keeps as many messages in flight as
 * the app opens SMTP connections (`SMTP_CONNECTIONS`): both sides hold the same number of SMTP
 * connections, and the figure is what our path adds on top of handing messages to nodemailer.
 *
 * Rate = messages ÷ (last SMTP acceptance − first POST sent; for the baseline, the first sendMail).
 * Latency = from a message's POST (the click) to the end of its DATA phase at the server (the
 * smtp-server's onData end, found by Message-ID). The SMTP server only counts messages and bytes
 * and keeps the raw bytes; once a phase is over, every message is parsed and checked: each arrived
 * exactly once, its attachment byte-identical (SHA-256) to the document's frozen PDF, and every
 * outbox row is `sent`; at the end, the dossier's audit chain is verified. ROUNDS rounds, the
 * order reversed every other round; medians reported.
 */
const MESSAGES = Number(process.env.BENCH_MAIL_MESSAGES ?? 1000);
const CLIENTS = Number(process.env.BENCH_MAIL_CLIENTS ?? 8);
const ROUNDS = Number(process.env.BENCH_MAIL_ROUNDS ?? 2);
const GOAL = 0.7;
const TIMEOUT_MS = 600_000;
const FROM = 'Ardoise <factures@ardoise.example>';
const RECIPIENT = 'compta@renard.example';
const BODY = (number: string) => `Bonjour,\n\nVeuillez trouver ci-joint la facture ${number}.\n\nCordialement,\nAtelier Banc`;

interface Arrival {
  at: number;
  raw: Buffer;
}

/** The in-process SMTP server: per Message-ID, when each copy's DATA phase ended (epoch ms) and its bytes. */
class Sink {
  readonly arrivals = new Map<string, Arrival[]>();
  /** Messages that arrived before the measure (the sign-up confirmation). */
  readonly others: Buffer[] = [];
  measuring = false;
  bytes = 0;
  count = 0;
  private waiters: { ids: Set<string>; resolve: () => void }[] = [];
  readonly server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData: (stream, _session, callback) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const at = performance.timeOrigin + performance.now();
        const raw = Buffer.concat(chunks);
        this.count++;
        this.bytes += raw.length;
        const headEnd = raw.indexOf('\r\n\r\n');
        const id = /^Message-ID:\s*(<[^>\r\n]+>)/im.exec(raw.subarray(0, headEnd < 0 ? raw.length : headEnd).toString('latin1'))?.[1];
        if (id && this.measuring) {
          const list = this.arrivals.get(id) ?? [];
          list.push({ at, raw });
          this.arrivals.set(id, list);
          for (const w of this.waiters) if (w.ids.delete(id) && w.ids.size === 0) w.resolve();
        } else this.others.push(raw);
        callback();
      });
    },
  });

  /** Resolves once every one of `ids` has arrived at least once. */
  waitFor(ids: string[]): Promise<void> {
    const missing = new Set(ids.filter((id) => !this.arrivals.has(id)));
    if (missing.size === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = { ids: missing, resolve: () => (clearTimeout(timer), resolve()) };
      const timer = setTimeout(() => reject(new Error(`${waiter.ids.size} of ${ids.length} messages never arrived`)), TIMEOUT_MS);
      this.waiters.push(waiter);
    });
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve((this.server.server.address() as net.AddressInfo).port));
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** The sign-up confirmation link's token in the message sent to `email` (a few tries: it is sent in the background). */
  async signupToken(email: string): Promise<string> {
    for (let attempt = 0; attempt < 200; attempt++) {
      for (const raw of this.others) {
        const parsed = await simpleParser(raw);
        const to = parsed.to && !Array.isArray(parsed.to) ? parsed.to.text : '';
        const link = /\S*\/signup\/confirm\?token=([\w-]+)/.exec(parsed.text ?? '');
        if (to.includes(email) && link) return link[1]!;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no sign-up confirmation e-mail to ${email}`);
  }
}

/** One document to send: its number and the bytes and hash of its frozen PDF. */
interface Invoice {
  id: string;
  number: string;
  pdf: Buffer;
  sha256: string;
}

interface PhaseResult {
  messages: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** Seconds from the last SMTP acceptance until every outcome was recorded (ours). */
  outcomeLagSeconds?: number;
  /** Seconds until every POST was answered (ours). */
  postsSeconds?: number;
  /** CPU-ms per message: this process (app, HTTP clients, SMTP server, nodemailer) and the PostgreSQL cluster. */
  cpuMsPerMessage: number;
  processCpuMsPerMessage: number;
  pgCpuMsPerMessage: number;
}

/** CPU used so far, in ms: this process (every thread) and the cluster (NaN when its postmaster is not on this machine). */
function cpuNow(postmaster: number | null): { process: number; pg: number } {
  const usage = process.cpuUsage();
  return { process: (usage.user + usage.system) / 1000, pg: postmaster ? clusterCpuMs(postmaster) : NaN };
}

function cpuPerMessage(before: { process: number; pg: number }, after: { process: number; pg: number }, messages: number) {
  const processMs = (after.process - before.process) / messages;
  const pgMs = Number.isNaN(after.pg) ? 0 : (after.pg - before.pg) / messages;
  return { cpuMsPerMessage: round(processMs + pgMs, 2), processCpuMsPerMessage: round(processMs, 2), pgCpuMsPerMessage: round(pgMs, 2) };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * p) - 1))]!;
}

/**
 * Checks, outside the timed part, that each message arrived exactly once and carries its
 * document's frozen PDF byte for byte (its SHA-256), with the expected headers; frees the bytes.
 */
async function checkArrivals(sink: Sink, expected: Map<string, Invoice>, label: string, replyTo: string): Promise<void> {
  const problems: string[] = [];
  for (const [messageId, invoice] of expected) {
    const copies = sink.arrivals.get(messageId) ?? [];
    if (copies.length !== 1) {
      problems.push(`${messageId} arrived ${copies.length} times`);
      continue;
    }
    const parsed = await simpleParser(copies[0]!.raw);
    const pdf = parsed.attachments.find((a) => a.contentType === 'application/pdf');
    if (!pdf || createHash('sha256').update(pdf.content).digest('hex') !== invoice.sha256) problems.push(`${messageId}: the PDF is not the frozen one of ${invoice.number}`);
    else if (pdf.filename !== attachmentName(invoice.number)) problems.push(`${messageId}: attachment named ${pdf.filename}`);
    const to = parsed.to && !Array.isArray(parsed.to) ? parsed.to.value.map((a) => a.address) : [];
    const replied = parsed.replyTo?.value.map((a) => a.address) ?? [];
    if (to.join() !== RECIPIENT || replied.join() !== replyTo || !parsed.subject?.includes(invoice.number) || parsed.text?.trim() !== BODY(invoice.number).trim()) {
      problems.push(`${messageId}: headers or body differ (to ${to.join()}, reply-to ${replied.join()}, subject ${parsed.subject})`);
    }
    sink.arrivals.delete(messageId);
  }
  if (problems.length > 0) throw new Error(`${label}: ${problems.length} messages wrong, e.g. ${problems.slice(0, 3).join(' | ')}`);
}

/**
 * The HTTP clients, in a worker thread (their own event loop, not the server's): CLIENTS loops of
 * `fetch` POSTing `/send` for the next invoice of the shared list. Each answer gives the message's
 * id; its time of sending is taken as epoch milliseconds, comparable with the SMTP server's.
 */
const CLIENT_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const { url, cookie, token, invoices, clients, round } = workerData;
(async () => {
  let next = 0;
  const sent = [];
  const failures = [];
  async function client() {
    while (next < invoices.length) {
      const invoice = invoices[next++];
      const at = performance.timeOrigin + performance.now();
      try {
        const res = await fetch(url + '/' + invoice.id + '/send', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-csrf-token': token, cookie },
          body: JSON.stringify({ to: [invoice.to], subject: invoice.subject, body: invoice.body, idempotencyKey: 'bench-' + round + '-' + invoice.id }),
        });
        const text = await res.text();
        if (res.status === 202) sent.push({ documentId: invoice.id, messageId: JSON.parse(text).message.id, at });
        else failures.push(res.status + ' ' + text.slice(0, 200));
      } catch (error) {
        failures.push(String(error));
      }
    }
  }
  await Promise.all(Array.from({ length: clients }, client));
  parentPort.postMessage({ sent, failures });
})().catch((error) => parentPort.postMessage({ fatal: String(error && error.stack || error) }));
`;

type Posted = { documentId: string; messageId: string; at: number };

function postSends(url: string, session: { cookie: string; csrfToken: string }, invoices: Invoice[], round: number): Promise<{ sent: Posted[]; failures: string[] }> {
  const payload = invoices.map((i) => ({ id: i.id, to: RECIPIENT, subject: `Facture ${i.number}`, body: BODY(i.number) }));
  return new Promise((resolve, reject) => {
    const worker = new Worker(CLIENT_CODE, { eval: true, workerData: { url, cookie: session.cookie, token: session.csrfToken, invoices: payload, clients: CLIENTS, round } });
    worker.once('message', (m: { sent: Posted[]; failures: string[]; fatal?: string }) => {
      void worker.terminate();
      if (m.fatal) reject(new Error(`HTTP clients: ${m.fatal}`));
      else resolve(m);
    });
    worker.once('error', reject);
  });
}

export async function mailThroughput(): Promise<BenchResult> {
  const sink = new Sink();
  const smtpPort = await sink.listen();
  const smtpUrl = `smtp://127.0.0.1:${smtpPort}`;
  // One dossier sends every round's messages within the hour: the per-dossier sending limit (an
  // abuse guard, checked on every request all the same) is raised above what the rounds send.
  const env = { SMTP_URL: smtpUrl, MAIL_FROM: FROM, MAIL_RATE_PER_HOUR: String(MESSAGES * ROUNDS + 10), LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' };
  const { server, ownerUrl, cleanup } = await startBenchApp('mail', env);
  const owner = new pg.Pool({ connectionString: ownerUrl, max: 2 });
  const postmaster = await postmasterOf(ownerUrl);
  owner.on('error', () => undefined);
  const loadBefore = os.loadavg();
  const baselineTransport = (createRequire(import.meta.url)('nodemailer') as typeof import('nodemailer')).createTransport(deliveryTransportOptions(smtpUrl));
  try {
    const base = server.url;
    const session = await signUp(base, 'mail', (email) => sink.signupToken(email));
    await call(base, session, 'PATCH', `/api/d/${session.dossierId}/settings`, { ...SELLER, email: 'contact@atelier-banc.example' }, 200);
    const { customer } = await call<{ customer: { id: string } }>(base, session, 'POST', `/api/d/${session.dossierId}/customers`, {
      kind: 'company',
      name: 'Boulangerie Renard',
      siren: '404833048',
      billingAddress: { line1: '3 place du Marché', line2: '', postalCode: '38000', city: 'Grenoble', country: 'FR' },
      emails: [RECIPIENT],
    }, 201);
    const lines = [LINE, { ...LINE, designation: 'Plinthes chêne', quantity: '24', unitPrice: '6.9' }, { ...LINE, designation: 'Déplacement', quantity: '1', unitPrice: '45', vatRate: '20' }];
    const { document: draft } = await call<{ document: { id: string } }>(base, session, 'POST', `/api/d/${session.dossierId}/invoices`, { type: 'invoice', customerId: customer.id, issueDate: parisDate(), lines }, 201);
    const template = await server.ctx.tx({ dossierId: session.dossierId }, async (t) => {
      const doc = await sql<{ j: Record<string, unknown> }>`SELECT to_jsonb(d) AS j FROM documents d WHERE dossier_id = ${session.dossierId} AND id = ${draft.id}`.execute(t);
      const rows = await sql<{ j: Record<string, unknown> }>`SELECT to_jsonb(l) AS j FROM document_lines l WHERE dossier_id = ${session.dossierId} AND document_id = ${draft.id} ORDER BY position`.execute(t);
      return { doc: doc.rows[0]!.j, lines: rows.rows.map((r) => r.j) };
    });

    // The invoices, issued through the API, and their frozen PDFs made before anything is measured.
    let started = performance.now();
    const drafts = await cloneDrafts(server, session.dossierId, template.doc, template.lines, MESSAGES - 1, {});
    await runClients(`${base}/api/d/${session.dossierId}/invoices`, session, [draft.id, ...drafts], TIMEOUT_MS / 1000);
    await server.ctx.pdfs.idle();
    const { rows } = await owner.query<{ id: string; number: string; content: Buffer; sha256: Buffer }>(
      `SELECT d.id, d.number, f.content, f.sha256 FROM documents d JOIN files f ON f.dossier_id = d.dossier_id AND f.id = d.pdf_file_id WHERE d.dossier_id = $1 AND d.number IS NOT NULL`,
      [session.dossierId],
    );
    if (rows.length !== MESSAGES) throw new Error(`${rows.length} issued invoices with their PDF, ${MESSAGES} expected`);
    const invoices: Invoice[] = rows.map((r) => ({ id: r.id, number: r.number, pdf: r.content, sha256: r.sha256.toString('hex') }));
    const pdfBytes = median(invoices.map((i) => i.pdf.length));
    console.log(`  mail-throughput: ${MESSAGES} invoices issued, PDFs made (median ${Math.round(pdfBytes / 1024)} KB) in ${round((performance.now() - started) / 1000, 1)} s`);

    const dossier = await owner.query<{ legal_name: string; email: string }>(`SELECT legal_name, email FROM dossiers WHERE id = $1`, [session.dossierId]);
    const { legal_name: senderName, email: replyTo } = dossier.rows[0]!;
    const fromAddress = addressOf(FROM);
    const domain = fromAddress.split('@')[1]!;

    const runOurs = async (round_: number): Promise<PhaseResult> => {
      const cpuBefore = cpuNow(postmaster);
      const t0 = performance.timeOrigin + performance.now();
      const posted = await postSends(`${base}/api/d/${session.dossierId}/invoices`, session, invoices, round_);
      const postsSeconds = (performance.timeOrigin + performance.now() - t0) / 1000;
      const ids = posted.sent.map((p) => `<${p.messageId}@${domain}>`);
      await sink.waitFor(ids);
      const byDocument = new Map(invoices.map((i) => [i.id, i]));
      const latencies = posted.sent.map((p) => sink.arrivals.get(`<${p.messageId}@${domain}>`)![0]!.at - p.at);
      const last = Math.max(...posted.sent.map((p) => sink.arrivals.get(`<${p.messageId}@${domain}>`)![0]!.at));
      // Every outcome recorded: the rows of this round are all `sent`.
      const messageIds = posted.sent.map((p) => p.messageId);
      for (let waited = 0; ; waited += 50) {
        const state = await owner.query<{ state: string; n: string }>(`SELECT state, count(*) AS n FROM outgoing_messages WHERE dossier_id = $1 AND id = ANY($2::uuid[]) GROUP BY state`, [session.dossierId, messageIds]);
        const sent = Number(state.rows.find((r) => r.state === 'sent')?.n ?? 0);
        if (sent === messageIds.length) break;
        const stuck = state.rows.filter((r) => !['sent', 'pending', 'sending'].includes(r.state));
        if (stuck.length > 0 || waited > TIMEOUT_MS) throw new Error(`ours: outbox states ${JSON.stringify(state.rows)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const recorded = performance.timeOrigin + performance.now();
      const cpu = cpuPerMessage(cpuBefore, cpuNow(postmaster), posted.sent.length);
      await checkArrivals(sink, new Map(posted.sent.map((p) => [`<${p.messageId}@${domain}>`, byDocument.get(p.documentId)!])), 'ours', replyTo);
      const seconds = (last - t0) / 1000;
      return { messages: posted.sent.length, seconds, perSecond: posted.sent.length / seconds, p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99), errors: posted.failures.length, outcomeLagSeconds: (recorded - last) / 1000, postsSeconds, ...cpu };
    };

    const runBaseline = async (): Promise<PhaseResult> => {
      const expected = new Map(invoices.map((i) => [`<${randomUUID()}@${domain}>`, i] as const));
      const queue = [...expected];
      const startedAt = new Map<string, number>();
      let errors = 0;
      const cpuBefore = cpuNow(postmaster);
      const t0 = performance.timeOrigin + performance.now();
      // As many messages in flight as the app holds SMTP connections.
      await Promise.all(
        Array.from({ length: SMTP_CONNECTIONS }, async () => {
          for (let item = queue.shift(); item; item = queue.shift()) {
            const [messageId, invoice] = item;
            startedAt.set(messageId, performance.timeOrigin + performance.now());
            try {
              await baselineTransport.sendMail({
                from: { name: senderName, address: fromAddress },
                replyTo,
                to: [RECIPIENT],
                cc: [],
                bcc: [],
                subject: `Facture ${invoice.number}`,
                text: BODY(invoice.number),
                messageId,
                attachments: [{ filename: attachmentName(invoice.number), contentType: 'application/pdf', content: invoice.pdf }],
              });
            } catch {
              errors++;
            }
          }
        }),
      );
      const ids = [...expected.keys()];
      await sink.waitFor(ids);
      const cpu = cpuPerMessage(cpuBefore, cpuNow(postmaster), ids.length);
      const latencies = ids.map((id) => sink.arrivals.get(id)![0]!.at - startedAt.get(id)!);
      const last = Math.max(...ids.map((id) => sink.arrivals.get(id)![0]!.at));
      await checkArrivals(sink, expected, 'baseline', replyTo);
      const seconds = (last - t0) / 1000;
      return { messages: ids.length, seconds, perSecond: ids.length / seconds, p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99), errors, ...cpu };
    };

    const oursRuns: PhaseResult[] = [];
    const baselineRuns: PhaseResult[] = [];
    const show = (r: PhaseResult) =>
      `${round(r.perSecond, 1)} messages/s, ${r.cpuMsPerMessage} CPU-ms/message (process ${r.processCpuMsPerMessage}, PostgreSQL ${r.pgCpuMsPerMessage}), p50 ${Math.round(r.p50Ms)} ms, p99 ${Math.round(r.p99Ms)} ms (${r.messages} in ${round(r.seconds, 1)} s, ${r.errors} errors${r.postsSeconds !== undefined ? `; every POST answered after ${round(r.postsSeconds, 1)} s` : ''}${r.outcomeLagSeconds !== undefined ? `; outcomes recorded ${round(r.outcomeLagSeconds, 2)} s after the last acceptance` : ''})`;
    sink.measuring = true;
    started = performance.now();
    for (let i = 0; i < ROUNDS; i++) {
      const phases = [
        async () => {
          oursRuns.push(await runOurs(i));
          console.log(`  mail-throughput round ${i + 1}/${ROUNDS}: ours     ${show(oursRuns.at(-1)!)}`);
        },
        async () => {
          baselineRuns.push(await runBaseline());
          console.log(`  mail-throughput round ${i + 1}/${ROUNDS}: baseline ${show(baselineRuns.at(-1)!)}`);
        },
      ];
      for (const run of i % 2 === 0 ? phases : phases.reverse()) await run();
    }
    const loadAfter = os.loadavg();
    console.log(`  mail-throughput: measured in ${Math.round((performance.now() - started) / 1000)} s; every message arrived once with its frozen PDF; load average ${round(loadBefore[0]!, 1)} → ${round(loadAfter[0]!, 1)}`);
    // No copy may arrive late (a second delivery after the checks).
    await new Promise((r) => setTimeout(r, 2000));
    if (sink.arrivals.size > 0) throw new Error(`${sink.arrivals.size} messages arrived again after their round`);
    // Requests and outcomes wrote their chained events concurrently in one dossier: the chain holds.
    const chain = await server.ctx.tx({ dossierId: session.dossierId }, (t) => verifyAuditChain(t, session.dossierId));
    if (!chain.ok) throw new Error(`the dossier's audit chain is broken at ${chain.firstBrokenSeq}: ${chain.reason}`);

    const oursRate = median(oursRuns.map((r) => r.perSecond));
    const baselineRate = median(baselineRuns.map((r) => r.perSecond));
    const ratio = round(oursRate / baselineRate, 3);
    const errors = [...oursRuns, ...baselineRuns].reduce((n, r) => n + r.errors, 0);
    const summary = (r: PhaseResult) => ({ ...r, perSecond: round(r.perSecond, 1), seconds: round(r.seconds, 2), p50Ms: Math.round(r.p50Ms), p99Ms: Math.round(r.p99Ms), ...(r.outcomeLagSeconds !== undefined ? { outcomeLagSeconds: round(r.outcomeLagSeconds, 2) } : {}), ...(r.postsSeconds !== undefined ? { postsSeconds: round(r.postsSeconds, 2) } : {}) });
    return {
      name: 'mail-throughput',
      metric: `invoices e-mailed per second (${MESSAGES} messages, POST /send to SMTP acceptance)`,
      unit: 'messages/s',
      ours: round(oursRate, 1),
      baseline: round(baselineRate, 1),
      baselineName: `nodemailer straight to the same SMTP server, the app's transport options, ${SMTP_CONNECTIONS} messages in flight (the app's SMTP connections), same messages and PDFs`,
      ratio,
      goal: `ratio >= ${GOAL}`,
      met: ratio >= GOAL && errors === 0,
      cpuMsPerMessage: { ours: median(oursRuns.map((r) => r.cpuMsPerMessage)), baseline: median(baselineRuns.map((r) => r.cpuMsPerMessage)), postgresqlCounted: postmaster !== null },
      oursP50Ms: Math.round(median(oursRuns.map((r) => r.p50Ms))),
      oursP99Ms: Math.round(median(oursRuns.map((r) => r.p99Ms))),
      baselineP50Ms: Math.round(median(baselineRuns.map((r) => r.p50Ms))),
      baselineP99Ms: Math.round(median(baselineRuns.map((r) => r.p99Ms))),
      errors,
      checked: 'each message arrived exactly once, its attachment byte-identical (SHA-256) to the frozen PDF, headers and body as sent; every outbox row sent; the audit chain verified',
      auditEventsVerified: chain.checked,
      smtp: { messages: sink.count, bytes: sink.bytes, connections: SMTP_CONNECTIONS, transport: deliveryTransportOptions(smtpUrl) },
      pdfMedianBytes: pdfBytes,
      httpClients: CLIENTS,
      rounds: ROUNDS,
      loadAverage: { before: loadBefore.map((l) => round(l, 1)), after: loadAfter.map((l) => round(l, 1)), cores: os.cpus().length },
      database: process.env.DATABASE_URL ? 'DATABASE_URL (fresh database)' : 'embedded PostgreSQL 15',
      oursRuns: oursRuns.map(summary),
      baselineRuns: baselineRuns.map(summary),
    };
  } finally {
    baselineTransport.close();
    await owner.end();
    await cleanup();
    await sink.close();
  }
}
