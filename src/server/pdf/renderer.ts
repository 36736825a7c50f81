import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DocumentView } from '../../core/documents';
import type { RenderAnswer, RenderJob } from './worker';

/**
 * PDF rendering off the event loop: a worker thread, at a lower priority, lays out and compresses
 * the pages while the main thread goes on answering requests (a 30-line invoice keeps a thread
 * busy for milliseconds; an event loop blocked that long stalls every request behind it, including
 * those holding a dossier's write lock). Jobs queue in the worker, one at a time.
 */
export interface PdfRenderer {
  render(view: DocumentView, producedAt: Date): Promise<Buffer>;
  close(): Promise<void>;
}

/**
 * The worker: the bundled `pdf-worker.js` beside the compiled server, or, running from the
 * TypeScript sources, worker.ts loaded through tsx (registered in the worker itself: loader
 * flags given to a worker are not honoured everywhere, e.g. under the test runner).
 */
function startWorker(): Worker {
  const bundled = new URL('./pdf-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(bundled))) return new Worker(bundled);
  const source = new URL('./worker.ts', import.meta.url).href;
  return new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(source)}); });`, { eval: true });
}

export function createPdfRenderer(): PdfRenderer {
  let worker: Worker | null = null;
  let nextId = 1;
  const pending = new Map<number, { resolve(pdf: Buffer): void; reject(error: Error): void }>();

  const failAll = (error: Error) => {
    for (const job of pending.values()) job.reject(error);
    pending.clear();
  };

  const start = (): Worker => {
    const w = startWorker();
    w.on('message', (answer: RenderAnswer) => {
      const job = pending.get(answer.id);
      if (!job) return;
      pending.delete(answer.id);
      if ('error' in answer) job.reject(new Error(`PDF rendering failed: ${answer.error}`));
      else job.resolve(Buffer.from(answer.pdf.buffer, answer.pdf.byteOffset, answer.pdf.byteLength));
    });
    w.on('error', (error) => failAll(error));
    w.on('exit', (code) => {
      if (worker === w) worker = null; // the next job starts a new one
      if (pending.size > 0) failAll(new Error(`The PDF worker stopped (exit code ${code})`));
    });
    // An idle worker does not keep the process alive (see render: referenced while it has work).
    w.unref();
    return w;
  };

  return {
    render(view, producedAt) {
      worker ??= start();
      const id = nextId++;
      const job: RenderJob = { id, view, producedAt: producedAt.getTime() };
      const w = worker;
      if (pending.size === 0) w.ref();
      return new Promise<Buffer>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        w.postMessage(job);
      }).finally(() => {
        if (pending.size === 0) w.unref();
      });
    },
    async close() {
      const w = worker;
      worker = null;
      if (w) await w.terminate();
      failAll(new Error('The PDF renderer is closed'));
    },
  };
}
