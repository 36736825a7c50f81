import type { Db } from '../db/pool';
import type { Tx } from '../db/tx';
import type { PdfRenderer } from '../pdf/renderer';
import type { FileStore, StoredFile } from '../platform/storage';
import type { AuditAnchors } from '../platform/audit-anchors';
import { documentView, storeFrozenPdf, viewNeedsNoReads } from './pdf';
import type { LineInput } from '../../core/document-schema';
import type { DocumentView } from '../../core/documents';
import { loadDocument, type DocumentRow } from './store';

/**
 * Makes the frozen PDFs of numbered documents in the background, right after the commit that
 * numbers them, so that issuing answers without waiting for a rendering. The PDF is a function of
 * the document as frozen at issue (its snapshots, lines and issue time), so making it now or a
 * moment later gives the same document; it is stored once, with its SHA-256, and served
 * byte-identical ever after (documents/pdf.ts). After a restart, the ones left behind are queued
 * again (`catchUp`).
 *
 * A download that finds the PDF not made yet waits for this queue (`frozen`): the document's job
 * moves ahead of those nobody waits for (behind earlier downloads), or is queued there, and the
 * download gets what the job stored. Each PDF is
 * thus rendered once, by this queue, whether its download comes before or after the rendering.
 * No connection is held while rendering: what the view needs is read first (nothing, for a
 * document just issued without logo, deposits or corrected invoice), the result stored after.
 */
export interface PdfFreezer {
  /** `frozen`: the document as its issuing transaction wrote it, which spares reading it again. */
  freeze(dossierId: string, documentId: string, frozen?: FrozenDocument): void;
  /**
   * The stored frozen PDF of a numbered document, made by the queue if it is not yet (its job taken
   * before those nobody waits for); null for a document without a number. The caller must hold no connection while
   * it waits (the job needs one to store the PDF).
   */
  frozen(dossierId: string, documentId: string): Promise<StoredFile | null>;
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

interface Pending {
  job: Job;
  done: Promise<StoredFile | null>;
  settle(result: { file: StoredFile | null } | { error: unknown }): void;
  /** Someone waits for it: its failure is theirs to report. */
  awaited: boolean;
}

/** Jobs in progress at once (each holds a connection only while it reads or stores). */
const LANES = 3;

export function createPdfFreezer(deps: { tx: Tx; files: FileStore; renderer: PdfRenderer; anchors: Pick<AuditAnchors, 'recordPdf'>; onError(error: unknown, job: Job): void }): PdfFreezer {
  /** Jobs waiting, in order; `pending` holds them and those in progress, by document. */
  const queue: Pending[] = [];
  const pending = new Map<string, Pending>();
  let closed = false;
  let waiters: (() => void)[] = [];

  const freezeOne = async (job: Job): Promise<StoredFile | null> => {
    const { dossierId, documentId } = job;
    let row = job.frozen?.row;
    const lines = job.frozen?.lines as DocumentView['lines'] | undefined;
    let view: DocumentView;
    if (row && !row.pdf_file_id && viewNeedsNoReads(row, lines)) view = await documentView(null, deps.files, row, lines);
    else {
      const read = await deps.tx({ dossierId }, async (t) => {
        // The row as stored: the PDF may have been made since (a download on another node).
        const stored = await loadDocument(t, dossierId, documentId);
        if (stored.number === null) return { row: stored, file: null, view: null };
        if (stored.pdf_file_id) return { row: stored, file: await deps.files.get(t, dossierId, stored.pdf_file_id), view: null };
        return { row: stored, file: null, view: await documentView(t, deps.files, stored, lines) };
      });
      if (!read.view) return read.file;
      row = read.row;
      view = read.view;
    }
    const frozenRow = row;
    const content = await deps.renderer.render(view, frozenRow.issued_at ?? new Date());
    return deps.tx({ dossierId }, (t) => storeFrozenPdf(t, deps.files, deps.anchors, frozenRow, content));
  };

  const lane = async () => {
    while (!closed && queue.length > 0) {
      const next = queue.shift()!;
      try {
        next.settle({ file: await freezeOne(next.job) });
      } catch (error) {
        // Not lost: a download asks for it again, and a restart queues it again.
        if (!next.awaited) deps.onError(error, next.job);
        next.settle({ error });
      } finally {
        pending.delete(next.job.documentId);
      }
    }
  };
  // A few jobs at a time: the renderer works on one PDF while the ones before it are being stored.
  const lanes = new Set<Promise<void>>();
  const startLanes = () => {
    while (!closed && lanes.size < LANES && queue.length > 0) {
      const running = lane().finally(() => {
        lanes.delete(running);
        if (lanes.size === 0) {
          for (const wake of waiters) wake();
          waiters = [];
        }
      });
      lanes.add(running);
    }
  };

  const enqueue = (job: Job, at: number): Pending => {
    let settle!: Pending['settle'];
    const done = new Promise<StoredFile | null>((resolve, reject) => {
      settle = (result) => ('error' in result ? reject(result.error) : resolve(result.file));
    });
    // Nobody may wait for it: a failure is reported through onError, not as an unhandled rejection.
    done.catch(() => undefined);
    const entry: Pending = { job, done, settle, awaited: false };
    pending.set(job.documentId, entry);
    queue.splice(at, 0, entry);
    startLanes();
    return entry;
  };

  const freeze = (dossierId: string, documentId: string, frozen?: FrozenDocument) => {
    if (closed || pending.has(documentId)) return;
    enqueue({ dossierId, documentId, frozen }, queue.length);
  };

  return {
    freeze,
    async frozen(dossierId, documentId) {
      // Stopping: made here, as the queue would have.
      if (closed) return freezeOne({ dossierId, documentId });
      // Downloads are served in the order they came, before the jobs nobody waits for.
      const place = queue.findIndex((e) => !e.awaited);
      let entry = pending.get(documentId);
      if (!entry) entry = enqueue({ dossierId, documentId }, place < 0 ? queue.length : place);
      else if (!entry.awaited) {
        const at = queue.indexOf(entry);
        if (at > place && place >= 0) queue.splice(place, 0, ...queue.splice(at, 1));
      }
      entry.awaited = true;
      return entry.done;
    },
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
      return lanes.size > 0 ? new Promise<void>((resolve) => waiters.push(resolve)) : Promise.resolve();
    },
    async close() {
      closed = true;
      // Whoever waits for a job not started is answered by making it now.
      for (const entry of queue.splice(0)) {
        pending.delete(entry.job.documentId);
        if (entry.awaited) freezeOne(entry.job).then((file) => entry.settle({ file }), (error: unknown) => entry.settle({ error }));
        else entry.settle({ file: null });
      }
      await Promise.all(lanes);
    },
  };
}
