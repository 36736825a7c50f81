import type { Db } from '../db/pool';
import type { Tx } from '../db/tx';
import type { PdfRenderer } from '../pdf/renderer';
import type { FileStore } from '../platform/storage';
import type { AuditAnchors } from '../platform/audit-anchors';
import { documentPdf } from './pdf';
import type { LineInput } from '../../core/document-schema';
import { loadDocument, type DocumentRow } from './store';

/**
 * Makes the frozen PDFs of numbered documents in the background, right after the commit that
 * numbers them, so that issuing answers without waiting for a rendering. The PDF is a function of
 * the document as frozen at issue (its snapshots, lines and issue time), so making it now or a
 * moment later gives the same document; it is stored once, with its SHA-256, and served
 * byte-identical ever after (documents/pdf.ts). A document whose PDF is not made yet gets it on
 * its first download; after a restart, the ones left behind are queued again (`catchUp`).
 */
export interface PdfFreezer {
  /** `frozen`: the document as its issuing transaction wrote it, which spares reading it again. */
  freeze(dossierId: string, documentId: string, frozen?: FrozenDocument): void;
  /** Queues the numbered documents still without their PDF (after a crash or a restart). */
  catchUp(owner: Db): Promise<number>;
  /** Resolves once the queue is empty. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export interface FrozenDocument {
  row: DocumentRow;
  lines: LineInput[];
}

interface Job {
  dossierId: string;
  documentId: string;
  frozen?: FrozenDocument;
}

export function createPdfFreezer(deps: { tx: Tx; files: FileStore; renderer: PdfRenderer; anchors: Pick<AuditAnchors, 'recordPdf'>; onError(error: unknown, job: Job): void }): PdfFreezer {
  const queue: Job[] = [];
  const queued = new Set<string>();
  let running: Promise<void> | null = null;
  let closed = false;
  let waiters: (() => void)[] = [];

  const freezeOne = async (job: Job) => {
    // The row as issued already names its PDF: nothing to make, no transaction to open.
    if (job.frozen?.row.pdf_file_id) return;
    await deps.tx({ dossierId: job.dossierId }, async (t) => {
      const row = job.frozen?.row ?? (await loadDocument(t, job.dossierId, job.documentId));
      // Made already (a download came first, or another node): storing again is refused anyway.
      if (row.number !== null && !row.pdf_file_id) await documentPdf(t, deps.files, deps.renderer, deps.anchors, row, job.frozen?.lines);
    });
  };

  const drain = async () => {
    while (!closed && queue.length > 0) {
      const job = queue.shift()!;
      try {
        await freezeOne(job);
      } catch (error) {
        // Not lost: the PDF is made on the document's first download.
        deps.onError(error, job);
      } finally {
        queued.delete(job.documentId);
      }
    }
    running = null;
    for (const wake of waiters) wake();
    waiters = [];
  };

  const freeze = (dossierId: string, documentId: string, frozen?: FrozenDocument) => {
    if (closed || queued.has(documentId)) return;
    queued.add(documentId);
    queue.push({ dossierId, documentId, frozen });
    running ??= drain();
  };

  return {
    freeze,
    async catchUp(owner) {
      const rows = await owner
        .selectFrom('documents')
        .select(['dossier_id', 'id'])
        .where('number', 'is not', null)
        .where('pdf_file_id', 'is', null)
        .orderBy('issued_at')
        .execute();
      for (const row of rows) freeze(row.dossier_id, row.id);
      return rows.length;
    },
    idle() {
      return running ? new Promise<void>((resolve) => waiters.push(resolve)) : Promise.resolve();
    },
    async close() {
      closed = true;
      queue.length = 0;
      await running;
    },
  };
}
