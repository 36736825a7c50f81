import type { Config } from '../config';
import type { Db } from '../db/pool';
import type { Tx } from '../db/tx';
import type { Mailer } from './mail';
import type { FileStore } from './storage';
import type { LiveHub } from './live';
import type { ReadCache } from './read-cache';
import type { CallerLookup } from './caller-lookup';
import type { PdfRenderer } from '../pdf/renderer';
import type { PdfFreezer } from '../documents/pdf-freezer';
import type { AuditAnchors } from './audit-anchors';
import type { BackgroundTasks } from './background';
import type { MailQueue } from '../mail/queue';

/** What every feature receives: configuration and the shared services. */
export interface AppContext {
  config: Config;
  /** Only for maintenance (migrations, operator commands): application queries go through `tx`. */
  db: Db;
  tx: Tx;
  /** Who is calling, for the requests that check it outside a transaction (concurrent lookups share a statement). */
  callers: CallerLookup;
  mailer: Mailer;
  files: FileStore;
  live: LiveHub;
  /** Answers of cacheable dossier reads, kept against the dossier's revision. */
  readCache: ReadCache;
  /** PDF rendering, in a worker thread. */
  pdfRenderer: PdfRenderer;
  /** The frozen PDFs of numbered documents, made in the background after their commit. */
  pdfs: PdfFreezer;
  /** Signed checkpoints of the audit chains, kept outside PostgreSQL. */
  anchors: AuditAnchors;
  /** Work started by a request and not awaited by it (account e-mails); awaited when the app closes. */
  tasks: BackgroundTasks;
  /** Delivery of the documents sent by e-mail (the outbox in PostgreSQL, a pg-boss queue). */
  mail: MailQueue;
}
