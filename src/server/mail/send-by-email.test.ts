import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../boot';
import { loadConfig } from '../config';
import { startTestServer, type TestServer } from '../../../test/helpers/server';
import { signUp, type ApiClient } from '../../../test/helpers/client';
import { createCustomer, createDraft, issue, LINE, SELLER, setUpSeller } from '../../../test/helpers/invoicing';
import { databaseFingerprint } from '../../../test/helpers/route-fixtures';

/**
 * Sending a document by e-mail, end to end on a real SMTP conversation: the API stores the
 * message, the queue's worker delivers it to an in-process SMTP server, and what arrived is
 * parsed. The server's answers are scripted per message (by subject): a 451 then 250, a 550, a
 * server that is down then back, a slow DATA phase.
 */

interface Received {
  rcptTo: string[];
  raw: Buffer;
  parsed: ParsedMail;
}

/** Replies scripted per subject marker: each DATA phase of a message whose subject holds `key` takes the next code (250 once exhausted). */
const scripts = new Map<string, number[]>();
const received: Received[] = [];
/** Called with the subject when a DATA phase begins (before the message is accepted). */
let onDataStart: ((subject: string) => void) | null = null;
let dataDelayMs = 0;

function createSmtp(): SMTPServer {
  return new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    // Stopping, it tells the connected clients 421 and hangs up soon (as mail servers do), so the
    // pooled connections it had are broken under the sender.
    closeTimeout: 200,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      let announced = false;
      stream.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        if (!announced && onDataStart) {
          announced = true;
          const subject = /^Subject: (.*)$/m.exec(Buffer.concat(chunks).toString('latin1'))?.[1] ?? '';
          onDataStart(subject);
        }
      });
      stream.on('end', async () => {
        const raw = Buffer.concat(chunks);
        const parsed = await simpleParser(raw);
        const key = [...scripts.keys()].find((k) => parsed.subject?.includes(k));
        const code = key ? scripts.get(key)!.shift() : undefined;
        if (dataDelayMs) await new Promise((r) => setTimeout(r, dataDelayMs));
        if (code && code !== 250) {
          callback(Object.assign(new Error(code >= 500 ? '5.7.1 Message refusé par la politique du domaine' : '4.3.2 Service temporairement indisponible'), { responseCode: code }));
          return;
        }
        received.push({ rcptTo: session.envelope.rcptTo.map((r) => r.address), raw, parsed });
        callback();
      });
    },
  });
}

let smtp: SMTPServer;
let smtpPort: number;
let server: TestServer;
let admin: ApiClient;
let dossierId: string;
let customerId: string;

function listen(s: SMTPServer, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    s.server.once('error', reject);
    s.listen(port, '127.0.0.1', () => resolve((s.server.address() as net.AddressInfo).port));
  });
}

const closeSmtp = (s: SMTPServer) => new Promise<void>((resolve) => s.close(() => resolve()));

async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The sign-up confirmation link, as it arrived over SMTP (account e-mails leave in background tasks). */
function receivedLink(node: TestServer) {
  return async (email: string) => {
    await node.ctx.tasks.idle();
    const mail = received.find((r) => r.rcptTo.includes(email));
    return /\S+\/signup\/confirm\?token=[\w-]+/.exec(mail?.parsed.text ?? '')?.[0] ?? null;
  };
}

const MAIL_ENV = { MAIL_RETRY_BASE_SECONDS: '1', MAIL_QUEUE_POLL_SECONDS: '1', MAIL_FROM: 'Ardoise <factures@ardoise.example>' };

beforeAll(async () => {
  smtp = createSmtp();
  smtpPort = await listen(smtp);
  server = await startTestServer({ ...MAIL_ENV, SMTP_URL: `smtp://127.0.0.1:${smtpPort}` });
  const owner = await signUp(server.app, { dossierName: 'Menuiserie Lambert', confirmationLink: receivedLink(server) });
  admin = owner.client;
  dossierId = owner.dossierId;
  await setUpSeller(admin, dossierId);
  customerId = await createCustomer(admin, dossierId);
}, 60_000);

afterAll(async () => {
  await server?.close();
  await closeSmtp(smtp);
});

let keys = 0;
const key = () => `cle-${Date.now().toString(36)}-${(keys++).toString(36)}`;

async function issuedInvoice(client = admin, dossier = dossierId, customer = customerId): Promise<{ id: string; number: string }> {
  const draft = await createDraft(client, dossier, { type: 'invoice', customerId: customer, lines: [LINE] });
  const res = await issue(client, dossier, draft);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { id: draft.id as string, number: res.body.document.number as string };
}

function sendBody(subject: string, overrides: Record<string, unknown> = {}) {
  return { to: ['compta@renard.example'], cc: [], bcc: [], subject, body: 'Bonjour,\n\nVeuillez trouver ci-joint notre facture.\n\nCordialement', idempotencyKey: key(), ...overrides };
}

async function messagesOf(documentId: string, family = 'invoices') {
  const res = await admin.get(`/api/d/${dossierId}/${family}/${documentId}/messages`);
  expect(res.status).toBe(200);
  return res.body.messages as { id: string; state: string; lastError: string | null; smtpResponse: string | null; attempts: number; nextAttemptAt: string | null; sentAt: string | null; to: string[] }[];
}

async function stateOf(documentId: string, state: string) {
  return until(`a message in state ${state}`, async () => (await messagesOf(documentId)).find((m) => m.state === state));
}

const arrivals = (marker: string) => received.filter((r) => r.parsed.subject?.includes(marker));

describe('sending an issued invoice', () => {
  it('answers 202 at once, then delivers it with its headers, body and the frozen PDF byte-identical', async () => {
    const invoice = await issuedInvoice();
    const subject = `Facture ${invoice.number} — réglée à l'échéance, merci ! ${key()}`;
    const res = await admin.post(`/api/d/${dossierId}/invoices/${invoice.id}/send`, sendBody(subject, { to: ['compta@renard.example', 'direction@renard.example'], cc: ['associe@renard.example'], bcc: ['archives@lambert.example'] }));
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body.message).toMatchObject({ state: 'pending', to: ['compta@renard.example', 'direction@renard.example'], attachmentName: `${invoice.number}.pdf` });

    const sent = await stateOf(invoice.id, 'sent');
    expect(sent.smtpResponse).toMatch(/^250/);
    expect(sent.sentAt).not.toBeNull();
    const [mail] = arrivals(subject);
    expect(arrivals(subject)).toHaveLength(1);
    const parsed = mail!.parsed;
    expect(parsed.subject).toBe(subject);
    expect(parsed.from?.value).toEqual([{ address: 'factures@ardoise.example', name: SELLER.legalName }]);
    expect(parsed.replyTo?.value).toEqual([{ address: SELLER.email, name: '' }]);
    expect((parsed.to as AddressObject).value.map((a) => a.address)).toEqual(['compta@renard.example', 'direction@renard.example']);
    expect((parsed.cc as AddressObject).value.map((a) => a.address)).toEqual(['associe@renard.example']);
    expect(parsed.bcc).toBeUndefined();
    expect(mail!.rcptTo.sort()).toEqual(['archives@lambert.example', 'associe@renard.example', 'compta@renard.example', 'direction@renard.example']);
    expect(parsed.text?.trim()).toBe('Bonjour,\n\nVeuillez trouver ci-joint notre facture.\n\nCordialement');
    expect(parsed.messageId).toBe(`<${res.body.message.id}@ardoise.example>`);
    expect(parsed.attachments).toHaveLength(1);
    const attachment = parsed.attachments[0]!;
    expect(attachment.filename).toBe(`${invoice.number}.pdf`);
    expect(attachment.contentType).toBe('application/pdf');
    const pdf = await admin.get(`/api/d/${dossierId}/invoices/${invoice.id}/pdf`);
    expect(pdf.status).toBe(200);
    expect(Buffer.compare(attachment.content, pdf.raw.rawPayload)).toBe(0);

    // The document's history and the dossier's journal: who asked, to whom, and the outcome.
    const history = (await admin.get(`/api/d/${dossierId}/invoices/${invoice.id}/history`)).body.events as { action: string; summary: string; actorName: string }[];
    const requested = history.find((e) => e.action === 'document.email_requested')!;
    expect(requested.actorName).toBe('Camille Durand');
    expect(requested.summary).toBe(`Envoi par e-mail demandé : Facture ${invoice.number} à compta@renard.example, direction@renard.example ; cc associe@renard.example ; cci archives@lambert.example`);
    const delivered = history.find((e) => e.action === 'document.email_sent')!;
    expect(delivered.summary).toMatch(new RegExp(`^E-mail de ${invoice.number} accepté par le serveur pour compta@renard.example`));
    const journal = await admin.get(`/api/d/${dossierId}/audit`);
    expect(JSON.stringify(journal.body)).toContain('document.email_sent');
    expect((await admin.get(`/api/d/${dossierId}/audit/verify`)).body.ok).toBe(true);
  });

  it('sends one message for a double click (the same idempotency key twice, at once)', async () => {
    const invoice = await issuedInvoice();
    const subject = `Double clic ${key()}`;
    const body = sendBody(subject);
    const [a, b] = await Promise.all([admin.post(`/api/d/${dossierId}/invoices/${invoice.id}/send`, body), admin.post(`/api/d/${dossierId}/invoices/${invoice.id}/send`, body)]);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(a.body.message.id).toBe(b.body.message.id);
    await stateOf(invoice.id, 'sent');
    await new Promise((r) => setTimeout(r, 1500));
    expect(arrivals(subject)).toHaveLength(1);
    expect(await messagesOf(invoice.id)).toHaveLength(1);
    const history = (await admin.get(`/api/d/${dossierId}/invoices/${invoice.id}/history`)).body.events as { action: string }[];
    expect(history.filter((e) => e.action === 'document.email_requested')).toHaveLength(1);
  });

  it('sends a finalised quote', async () => {
    const draft = await createDraft(admin, dossierId, { type: 'quote', customerId, lines: [LINE] });
    expect((await issue(admin, dossierId, draft)).status).toBe(200);
    const subject = `Devis ${key()}`;
    expect((await admin.post(`/api/d/${dossierId}/quotes/${draft.id}/send`, sendBody(subject))).status).toBe(202);
    await until('the quote delivered', async () => arrivals(subject).length === 1);
  });
});

describe('temporary and permanent failures', () => {
  it('a 451 then 250: retried after a pause, delivered on the second attempt', async () => {
    const invoice = await issuedInvoice();
    const marker = key();
    scripts.set(marker, [451]);
    expect((await admin.post(`/api/d/${dossierId}/invoices/${invoice.id}/send`, sendBody(`Essai ${marker}`))).status).toBe(202);
    const retry = await stateOf(invoice.id, 'retry');
    expect(retry.lastError).toMatch(/451/);
    expect(retry.nextAttemptAt).not.toBeNull();
    const sent = await stateOf(invoice.id, 'sent');
    expect(sent.attempts).toBe(2);
    expect(arrivals(marker)).toHaveLength(1);
    const history = (await admin.get(`/api/d/${dossierId}/invoices/${invoice.id}/history`)).body.events as { action: string; summary: string }[];
    expect(history.find((e) => e.action === 'document.email_retry')?.summary).toMatch(/nouvel essai à \d\d:\d\d \(.*451/);
  });

  it('a 421 that closes the pooled connection: retried and delivered once; the next message goes out on a new connection at its first attempt', async () => {
    const invoice = await issuedInvoice();
    const marker = key();
    scripts.set(marker, [421]);
    expect((await admin.post(`/api/d/${dossierId}/invoices/${invoice.id}/send`, sendBody(`Coupure ${marker}`))).status).toBe(202);
    const sent = await stateOf(invoice.id, 'sent');
    expect(sent.attempts).toBe(2);
    expect(arrivals(marker)).toHaveLength(1);
    const next = await issuedInvoice();
    const after = key();
    expect((await admin.post(`/api/d/${dossierId}/invoices/${next.id}/send`, sendBody(`Après coupure ${after}`))).status).toBe(202);
    expect((await stateOf(next.id, 'sent')).attempts).toBe(1);
    expect(arrivals(after)).toHaveLength(1);
  });

  it('a frozen PDF whose bytes no longer match its SHA-256 is never attached: the message is not claimed nor sent', async () => {
    const invoice = await issuedInvoice();
    expect((await admin.get(`/api/d/${dossierId}/invoices/${invoice.id}/pdf`)).status).toBe(200);
    const { pdf_file_id } = await server.ctx.db.selectFrom('documents').select('pdf_file_id').where('id', '=', invoice.id).executeTakeFirstOrThrow();
    await sql`UPDATE files SET content = content || '\\x00'::bytea WHERE id = ${pdf_file_id}`.execute(server.ctx.db);
    const marker = key();
    const res = await admin.post(`/api/d/${dossierId}/invoices/${invoice.id}/send`, sendBody(`Altéré ${marker}`));
    expect(res.status).toBe(202);
    const id = res.body.message.id as string;
    // The worker took the job and gave up on it (the error is logged).
    await until('the job done', async () => {
      const { rows } = await sql<{ state: string }>`SELECT state FROM pgboss.job WHERE name = 'mail-deliver' AND data->>'messageId' = ${id}`.execute(server.ctx.db);
      return rows.length > 0 && rows.every((r) => r.state === 'completed');
    });
    const [message] = await messagesOf(invoice.id);
    expect(message).toMatchObject({ state: 'pending', attempts: 0 });
    expect(arrivals(marker)).toHaveLength(0);
    // Out of the sweep's way for the tests that follow.
    await server.ctx.db.updateTable('outgoing_messages').set({ state: 'failed' }).where('id', '=', id).execute();
  });

  it('a 550: failed at once with the server’s reply, never retried', async () => {
    const invoice = await issuedInvoice();
    const marker = key();
    scripts.set(marker, [550, 250, 250]);
    expect((await admin.post(`/api/d/${dossierId}/invoices/${invoice.id}/send`, sendBody(`Refusé ${marker}`))).status).toBe(202);
    const failed = await stateOf(invoice.id, 'failed');
    expect(failed.attempts).toBe(1);
    expect(failed.smtpResponse).toMatch(/550 5\.7\.1 Message refusé/);
    await new Promise((r) => setTimeout(r, 2500));
    expect((await messagesOf(invoice.id))[0]!.state).toBe('failed');
    expect(arrivals(marker)).toHaveLength(0);
    expect(scripts.get(marker)).toEqual([250, 250]);
    const history = (await admin.get(`/api/d/${dossierId}/invoices/${invoice.id}/history`)).body.events as { action: string; summary: string }[];
    expect(history.find((e) => e.action === 'document.email_failed')?.summary).toMatch(/^Échec définitif de l'envoi de .* : .*550/);
  });

  it('a server that is down, then back: retried until delivered', async () => {
    await closeSmtp(smtp);
    const invoice = await issuedInvoice();
    const subject = `Serveur absent ${key()}`;
    expect((await admin.post(`/api/d/${dossierId}/invoices/${invoice.id}/send`, sendBody(subject))).status).toBe(202);
    const retry = await stateOf(invoice.id, 'retry');
    expect(retry.lastError).toMatch(/ECONNREFUSED|ECONNECTION/);
    smtp = createSmtp();
    await listen(smtp, smtpPort);
    await stateOf(invoice.id, 'sent');
    expect(arrivals(subject)).toHaveLength(1);
  });
});

describe('never twice', () => {
  it('two app processes on one database: each message delivered once, even with its job queued on both', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ardoise-second-node-'));
    const config = loadConfig({ NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, DB_POOL_SIZE: '5', SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, ...MAIL_ENV });
    const second: RunningServer = await startServer(config, { databaseUrl: server.db.url });
    try {
      await second.ctx.mail.start();
      dataDelayMs = 300;
      const marker = key();
      const invoices = await Promise.all(Array.from({ length: 6 }, () => issuedInvoice()));
      for (const [i, invoice] of invoices.entries()) {
        const res = await admin.post(`/api/d/${dossierId}/invoices/${invoice.id}/send`, sendBody(`Deux nœuds ${marker} #${i}`));
        expect(res.status).toBe(202);
        // The same message queued again on both processes: whichever claims it first delivers it.
        for (const node of [server, second, server, second]) await node.ctx.mail.enqueue(dossierId, res.body.message.id);
      }
      for (const invoice of invoices) await stateOf(invoice.id, 'sent');
      await new Promise((r) => setTimeout(r, 2000));
      const got = arrivals(marker).map((r) => r.parsed.subject);
      expect(got.sort()).toEqual(invoices.map((_, i) => `Deux nœuds ${marker} #${i}`).sort());
    } finally {
      dataDelayMs = 0;
      await second.stop();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('a worker process killed (SIGKILL) during the DATA phase: the message becomes uncertain and is not sent again until a person decides', async () => {
    // This process only stores and queues: the child process is the only worker.
    const front = await startTestServer({ ...MAIL_ENV, SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, MAIL_WORKER: 'false', MAIL_SEND_LEASE_SECONDS: '2' });
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ardoise-worker-'));
    let child: ChildProcess | null = null;
    try {
      const owner = await signUp(front.app, { dossierName: 'Atelier Morel', confirmationLink: receivedLink(front) });
      await setUpSeller(owner.client, owner.dossierId);
      const customer = await createCustomer(owner.client, owner.dossierId);
      const invoice = await issuedInvoice(owner.client, owner.dossierId, customer);
      child = spawn(process.execPath, ['--import', 'tsx', path.resolve('test/helpers/mail-worker-process.ts')], {
        env: { ...process.env, ...MAIL_ENV, NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: front.db.url, SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, MAIL_SEND_LEASE_SECONDS: '2' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const worker = child;
      await new Promise<void>((resolve, reject) => {
        worker.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
        worker.once('exit', (code) => reject(new Error(`worker exited (${code})`)));
      });
      const marker = key();
      const killed = new Promise<void>((resolve) => {
        onDataStart = (subject) => {
          if (!subject.includes(marker)) return;
          onDataStart = null;
          worker.once('exit', () => resolve());
          worker.kill('SIGKILL');
        };
      });
      const res = await owner.client.post(`/api/d/${owner.dossierId}/invoices/${invoice.id}/send`, sendBody(`Interrompu ${marker}`));
      expect(res.status).toBe(202);
      await killed;
      const list = async () => (await owner.client.get(`/api/d/${owner.dossierId}/invoices/${invoice.id}/messages`)).body.messages as { id: string; state: string }[];
      expect((await list())[0]!.state).toBe('sending');
      // The lease runs out; the sweep (every minute, and at each start) finds the attempt stale.
      await new Promise((r) => setTimeout(r, 2500));
      expect(await front.ctx.mail.sweep()).toBe(1);
      const [message] = await list();
      expect(message!.state).toBe('uncertain');
      // A running worker does not send it again on its own, even given a job for it.
      const config = loadConfig({ NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, DB_POOL_SIZE: '3', SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, ...MAIL_ENV });
      const worker2 = await startServer(config, { databaseUrl: front.db.url });
      try {
        await worker2.ctx.mail.start();
        await worker2.ctx.mail.enqueue(owner.dossierId, message!.id);
        await new Promise((r) => setTimeout(r, 2500));
      } finally {
        await worker2.stop();
      }
      expect((await list())[0]!.state).toBe('uncertain');
      expect(arrivals(marker)).toHaveLength(0);
      const history = (await owner.client.get(`/api/d/${owner.dossierId}/invoices/${invoice.id}/history`)).body.events as { action: string }[];
      expect(history.map((e) => e.action)).toContain('document.email_uncertain');

      // A person decides: « Marquer comme envoyé ».
      const marked = await owner.client.post(`/api/d/${owner.dossierId}/invoices/${invoice.id}/messages/${message!.id}/mark-sent`);
      expect(marked.status, JSON.stringify(marked.body)).toBe(200);
      expect(marked.body.message.state).toBe('sent');
      const again = await owner.client.post(`/api/d/${owner.dossierId}/invoices/${invoice.id}/messages/${message!.id}/resend`);
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('message_not_uncertain');
    } finally {
      onDataStart = null;
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await front.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  }, 90_000);

  it('« Renvoyer » an uncertain message delivers it once more, on a person’s decision', async () => {
    const invoice = await issuedInvoice();
    const marker = key();
    const res = await admin.post(`/api/d/${dossierId}/invoices/${invoice.id}/send`, sendBody(`Incertain ${marker}`));
    await stateOf(invoice.id, 'sent');
    // As the sweep leaves it after a worker died mid-conversation.
    await server.ctx.db.updateTable('outgoing_messages').set({ state: 'uncertain' }).where('id', '=', res.body.message.id).execute();
    const resent = await admin.post(`/api/d/${dossierId}/invoices/${invoice.id}/messages/${res.body.message.id}/resend`);
    expect(resent.status, JSON.stringify(resent.body)).toBe(200);
    await stateOf(invoice.id, 'sent');
    await until('the second delivery', async () => arrivals(marker).length === 2);
    const history = (await admin.get(`/api/d/${dossierId}/invoices/${invoice.id}/history`)).body.events as { action: string; actorName: string }[];
    expect(history.find((e) => e.action === 'document.email_resend_requested')?.actorName).toBe('Camille Durand');
  });
});

describe('bad input: a clear 4xx in French, nothing queued, nothing written', () => {
  async function jobCount(): Promise<number> {
    const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM pgboss.job WHERE name = 'mail-deliver'`.execute(server.ctx.db);
    return Number(rows[0]!.n);
  }

  it('refuses each bad request without changing anything', async () => {
    const invoice = await issuedInvoice();
    const draft = await createDraft(admin, dossierId, { type: 'invoice', customerId, lines: [LINE] });
    const draftQuote = await createDraft(admin, dossierId, { type: 'quote', customerId, lines: [LINE] });
    const other = await signUp(server.app, { dossierName: 'Autre entreprise', confirmationLink: receivedLink(server) });
    await setUpSeller(other.client, other.dossierId);
    const foreign = await issuedInvoice(other.client, other.dossierId, await createCustomer(other.client, other.dossierId));
    const url = (id: string, family = 'invoices') => `/api/d/${dossierId}/${family}/${id}/send`;
    const many = Array.from({ length: 21 }, (_, i) => `client${i}@renard.example`);
    const cases: { label: string; url: string; body: unknown; status: number; message: RegExp }[] = [
      { label: 'no recipient', url: url(invoice.id), body: sendBody('Objet', { to: [] }), status: 400, message: /Indiquez au moins un destinataire/ },
      { label: 'an empty recipient', url: url(invoice.id), body: sendBody('Objet', { to: [''] }), status: 400, message: /Adresse e-mail vide/ },
      { label: 'an invalid recipient', url: url(invoice.id), body: sendBody('Objet', { to: ['pas-une-adresse'] }), status: 400, message: /Adresse e-mail invalide/ },
      { label: '21 recipients', url: url(invoice.id), body: sendBody('Objet', { to: many }), status: 400, message: /Au plus 20 destinataires/ },
      { label: '21 recipients with cc and bcc', url: url(invoice.id), body: sendBody('Objet', { to: many.slice(0, 10), cc: many.slice(10, 20), bcc: [many[20]] }), status: 400, message: /Au plus 20 destinataires au total/ },
      { label: 'a line break in the subject', url: url(invoice.id), body: sendBody('Objet\r\nBcc: victime@example.com'), status: 400, message: /contrôle/ },
      { label: 'a line break in an address', url: url(invoice.id), body: sendBody('Objet', { to: ['a@renard.example\nBcc: victime@example.com'] }), status: 400, message: /contrôle/ },
      { label: 'a body over 20,000 characters', url: url(invoice.id), body: sendBody('Objet', { body: 'x'.repeat(20_001) }), status: 400, message: /20\u202f000 caractères|20 000 caractères/ },
      { label: 'no idempotency key', url: url(invoice.id), body: { ...sendBody('Objet'), idempotencyKey: undefined }, status: 400, message: /invalides/ },
      { label: 'a draft invoice', url: url(draft.id), body: sendBody('Objet'), status: 409, message: /brouillon ne peut pas être envoyée/ },
      { label: 'a draft quote', url: url(draftQuote.id, 'quotes'), body: sendBody('Objet'), status: 409, message: /brouillon ne peut pas être envoyée/ },
      { label: 'another dossier’s invoice', url: url(foreign.id), body: sendBody('Objet'), status: 404, message: /n'existe pas/ },
      { label: 'an invoice through the quotes route', url: url(invoice.id, 'quotes'), body: sendBody('Objet'), status: 404, message: /n'existe pas/ },
    ];
    // The frozen PDFs of the invoices just issued are stored in the background: not by the requests below.
    await server.ctx.pdfs.idle();
    await other.client.get(`/api/d/${other.dossierId}/invoices/${foreign.id}/pdf`);
    await server.ctx.pdfs.idle();
    for (const c of cases) {
      const before = { db: await databaseFingerprint(server.db.url), jobs: await jobCount() };
      const res = await admin.post(c.url, c.body);
      expect(res.status, `${c.label}: ${JSON.stringify(res.body)}`).toBe(c.status);
      expect(JSON.stringify(res.body.error), c.label).toMatch(c.message);
      expect(await databaseFingerprint(server.db.url), c.label).toEqual(before.db);
      expect(await jobCount(), c.label).toBe(before.jobs);
    }
  });
});
