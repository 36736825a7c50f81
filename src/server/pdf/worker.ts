import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import type { DocumentView } from '../../core/documents';
import { renderDocumentPdf } from './render';

/** A render request from the main thread (renderer.ts), and the answer sent back. */
export interface RenderJob {
  id: number;
  view: DocumentView;
  producedAt: number;
}
export type RenderAnswer = { id: number; pdf: Uint8Array } | { id: number; error: string };

// On Linux a nice value belongs to the thread: rendering yields the processor to the event loop
// that answers requests. Where that is not allowed, rendering simply runs at normal priority.
try {
  setPriority(10);
} catch {
  // not permitted here
}

parentPort!.on('message', (job: RenderJob) => {
  renderDocumentPdf(job.view, { producedAt: new Date(job.producedAt) }).then(
    (pdf) => {
      const bytes = new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength);
      parentPort!.postMessage({ id: job.id, pdf: bytes } satisfies RenderAnswer);
    },
    (error: unknown) => parentPort!.postMessage({ id: job.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies RenderAnswer),
  );
});
