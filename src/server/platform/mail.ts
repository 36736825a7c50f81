import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Transporter } from 'nodemailer';
import { AppError } from './errors';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export interface OutboxEntry {
  id: string;
  to: string;
  from: string;
  subject: string;
  date: string;
  text: string;
  links: string[];
  cc?: string;
  replyTo?: string;
  /** Files attached to the message, served by `readOutboxAttachment`. */
  attachments?: { filename: string; contentType: string; size: number }[];
}

/** A message with its headers and attachments (a document sent from its page). */
export interface OutgoingMail {
  from: { name: string; address: string };
  replyTo: string | null;
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  text: string;
  /** The Message-ID header, chosen once per message so that every attempt carries the same one. */
  messageId: string;
  attachments: { filename: string; contentType: string; content: Buffer }[];
}

/** What the SMTP server (or the local outbox) said when it took the message. */
export interface DeliveryReceipt {
  messageId: string;
  response: string;
  /** Recipients the server refused while accepting the others. */
  rejected: string[];
}

/** SMTP time limits of a delivery, in milliseconds: a hung server is a temporary failure, not a stuck worker. */
export const SMTP_TIMEOUTS = { connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 };

/** How many documents the queue's workers deliver at once: the SMTP connections kept open to the server. */
export const SMTP_CONNECTIONS = 8;

/**
 * The options of the transport that delivers documents (also what `bench/mail-throughput.ts`
 * compares with). Pooled: a connection (TCP, greeting, EHLO) serves many messages instead of one.
 * `maxRequeues: 0`: a message whose connection drops mid-conversation fails at once, and the queue's
 * own retry decides (recorded and audited), rather than nodemailer sending it again unseen.
 * Idle connections close after 30 s, well before servers give up on them.
 */
export function deliveryTransportOptions(smtpUrl: string) {
  return { url: smtpUrl, ...SMTP_TIMEOUTS, pool: true, maxConnections: SMTP_CONNECTIONS, maxRequeues: 0, idleTimeout: 30_000 };
}

export interface Mailer {
  readonly smtpConfigured: boolean;
  send(message: MailMessage): Promise<void>;
  /**
   * Delivers a message with its headers and attachments; throws nodemailer's error (with
   * `responseCode` when the server answered) when the server refused it or could not be reached.
   */
  deliver(message: OutgoingMail): Promise<DeliveryReceipt>;
  /** The address part of MAIL_FROM (`Ardoise <no-reply@example.fr>` → `no-reply@example.fr`). */
  readonly fromAddress: string;
  /** Messages kept on disk when no SMTP server is configured (newest first); empty otherwise. */
  listOutbox(): Promise<OutboxEntry[]>;
  readOutbox(id: string): Promise<OutboxEntry | null>;
  readOutboxAttachment(id: string, index: number): Promise<{ filename: string; contentType: string; content: Buffer } | null>;
  /** Closes the pooled SMTP connections (at stop, once no delivery is in progress). */
  close(): void;
}

/** The address of a `From` value: `Name <a@b>` or a bare address. */
export function addressOf(from: string): string {
  return /<([^<>\s]+)>\s*$/.exec(from)?.[1] ?? from.trim();
}

const LINK = /https?:\/\/[^\s<>"]+/g;

/**
 * nodemailer takes about 40 ms to load: without SMTP it is loaded with the first message, not at
 * start-up. `require`, so that a configured SMTP transport is still created (and a malformed
 * `SMTP_URL` refused) synchronously at start.
 */
function nodemailer(): typeof import('nodemailer') {
  return createRequire(import.meta.url)('nodemailer') as typeof import('nodemailer');
}

/**
 * SMTP through nodemailer when `smtpUrl` is set. Otherwise each message is written as an `.eml`
 * file (with a JSON summary beside it) under `outboxDir`, for the local outbox page.
 */
export function createMailer(opts: { smtpUrl: string | null; from: string; outboxDir: string }): Mailer {
  const smtp: Transporter | null = opts.smtpUrl ? nodemailer().createTransport(opts.smtpUrl) : null;
  let local: Transporter | null = null;
  // Deliveries carry explicit time limits: the worker's lease must outlast the longest conversation.
  const delivering: Transporter | null = opts.smtpUrl ? nodemailer().createTransport(deliveryTransportOptions(opts.smtpUrl)) : null;
  const fromAddress = addressOf(opts.from);

  /** A new outbox entry's id, sortable by name: the time first, then a random part. */
  const newEntryId = (date: Date) => `${date.toISOString().replace(/[-:.TZ]/g, '')}-${randomUUID().slice(0, 8)}`;

  async function readEntry(id: string): Promise<OutboxEntry | null> {
    if (!/^[0-9a-z-]+$/.test(id)) return null;
    try {
      return JSON.parse(await fs.readFile(path.join(opts.outboxDir, `${id}.json`), 'utf8')) as OutboxEntry;
    } catch {
      return null;
    }
  }

  return {
    smtpConfigured: smtp !== null,
    async send(message) {
      const mail = { from: opts.from, to: message.to, subject: message.subject, text: message.text };
      if (smtp) {
        try {
          await smtp.sendMail(mail);
        } catch (cause) {
          // Refused recipient, unreachable or failing server: the caller's transaction rolls back,
          // and the user is told to retry (502) rather than shown an unexpected error.
          throw Object.assign(new AppError(502, 'mail_failed'), { cause });
        }
        return;
      }
      local ??= nodemailer().createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
      const info = await local.sendMail(mail);
      const date = new Date();
      const id = newEntryId(date);
      await fs.mkdir(opts.outboxDir, { recursive: true });
      await fs.writeFile(path.join(opts.outboxDir, `${id}.eml`), info.message as Buffer);
      const entry: OutboxEntry = { id, to: message.to, from: opts.from, subject: message.subject, date: date.toISOString(), text: message.text, links: message.text.match(LINK) ?? [] };
      await fs.writeFile(path.join(opts.outboxDir, `${id}.json`), JSON.stringify(entry));
    },
    fromAddress,
    async deliver(message) {
      const mail = {
        from: message.from,
        replyTo: message.replyTo ?? undefined,
        to: message.to,
        cc: message.cc,
        bcc: message.bcc,
        subject: message.subject,
        text: message.text,
        messageId: message.messageId,
        attachments: message.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
      };
      if (delivering) {
        const info = (await delivering.sendMail(mail)) as { messageId: string; response: string; rejected?: (string | { address: string })[] };
        return { messageId: info.messageId, response: info.response, rejected: (info.rejected ?? []).map((r) => (typeof r === 'string' ? r : r.address)) };
      }
      local ??= nodemailer().createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
      const info = (await local.sendMail(mail)) as { messageId: string; message: Buffer };
      const date = new Date();
      const id = newEntryId(date);
      await fs.mkdir(opts.outboxDir, { recursive: true });
      await fs.writeFile(path.join(opts.outboxDir, `${id}.eml`), info.message);
      await Promise.all(message.attachments.map((a, i) => fs.writeFile(path.join(opts.outboxDir, `${id}.${i}.attachment`), a.content)));
      const entry: OutboxEntry = {
        id,
        to: message.to.join(', '),
        cc: message.cc.length ? message.cc.join(', ') : undefined,
        replyTo: message.replyTo ?? undefined,
        from: `${message.from.name} <${message.from.address}>`,
        subject: message.subject,
        date: date.toISOString(),
        text: message.text,
        links: message.text.match(LINK) ?? [],
        attachments: message.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, size: a.content.length })),
      };
      await fs.writeFile(path.join(opts.outboxDir, `${id}.json`), JSON.stringify(entry));
      return { messageId: info.messageId, response: `250 Kept in the local outbox (${id})`, rejected: [] };
    },
    async readOutboxAttachment(id, index) {
      if (smtp) return null;
      const entry = await readEntry(id);
      const attachment = entry?.attachments?.[index];
      if (!attachment) return null;
      try {
        return { filename: attachment.filename, contentType: attachment.contentType, content: await fs.readFile(path.join(opts.outboxDir, `${id}.${index}.attachment`)) };
      } catch {
        return null;
      }
    },
    async listOutbox() {
      if (smtp) return [];
      let names: string[];
      try {
        names = await fs.readdir(opts.outboxDir);
      } catch {
        return [];
      }
      const ids = names.filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -5)).sort().reverse();
      const entries = await Promise.all(ids.map(readEntry));
      return entries.filter((e): e is OutboxEntry => e !== null);
    },
    readOutbox: (id) => (smtp ? Promise.resolve(null) : readEntry(id)),
    close: () => delivering?.close(),
  };
}
