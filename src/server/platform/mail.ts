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
}

export interface Mailer {
  readonly smtpConfigured: boolean;
  send(message: MailMessage): Promise<void>;
  /** Messages kept on disk when no SMTP server is configured (newest first); empty otherwise. */
  listOutbox(): Promise<OutboxEntry[]>;
  readOutbox(id: string): Promise<OutboxEntry | null>;
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
      // Sortable by name: the time first, then a random part.
      const id = `${date.toISOString().replace(/[-:.TZ]/g, '')}-${randomUUID().slice(0, 8)}`;
      await fs.mkdir(opts.outboxDir, { recursive: true });
      await fs.writeFile(path.join(opts.outboxDir, `${id}.eml`), info.message as Buffer);
      const entry: OutboxEntry = { id, to: message.to, from: opts.from, subject: message.subject, date: date.toISOString(), text: message.text, links: message.text.match(LINK) ?? [] };
      await fs.writeFile(path.join(opts.outboxDir, `${id}.json`), JSON.stringify(entry));
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
  };
}
