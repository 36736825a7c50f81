import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/server';
import { signUp } from '../../../test/helpers/client';
import { createCustomer, createDraft, issue, LINE, setUpSeller } from '../../../test/helpers/invoicing';
import { sampleView } from '../pdf/fixtures';
import { renderDocumentPdf } from '../pdf/render';
import { createPdfFreezer } from './pdf-freezer';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

async function issuedInvoice() {
  const owner = await signUp(server.app);
  await setUpSeller(owner.client, owner.dossierId);
  const customerId = await createCustomer(owner.client, owner.dossierId);
  const draft = await createDraft(owner.client, owner.dossierId, { type: 'invoice', customerId, lines: [LINE] });
  const res = await issue(owner.client, owner.dossierId, draft);
  expect(res.status).toBe(200);
  return { ...owner, id: draft.id as string };
}

const stored = (id: string) =>
  server.ctx.db
    .selectFrom('documents as d')
    .leftJoin('files as f', (j) => j.onRef('f.dossier_id', '=', 'd.dossier_id').onRef('f.id', '=', 'd.pdf_file_id'))
    .select(['d.pdf_file_id', 'f.sha256', 'f.content'])
    .where('d.id', '=', id)
    .executeTakeFirstOrThrow();

describe('frozen PDFs made in the background', () => {
  it('renders in the worker exactly what the renderer makes in the main thread', async () => {
    const view = sampleView();
    const producedAt = new Date('2026-05-04T10:00:00Z');
    const inWorker = await server.ctx.pdfRenderer.render(view, producedAt);
    const inThread = await renderDocumentPdf(view, { producedAt });
    expect(inWorker.subarray(0, 5).toString()).toBe('%PDF-');
    expect(inWorker.equals(inThread)).toBe(true);
  });

  it('stores the PDF of an issued invoice with its SHA-256 without anyone downloading it, and serves those bytes', async () => {
    const { client, dossierId, id } = await issuedInvoice();
    await server.ctx.pdfs.idle();
    const row = await stored(id);
    expect(row.pdf_file_id).not.toBeNull();
    const sha256 = createHash('sha256').update(row.content!).digest('hex');
    expect(Buffer.from(row.sha256!).toString('hex')).toBe(sha256);
    const served = await client.get(`/api/d/${dossierId}/invoices/${id}/pdf`);
    expect(served.headers['x-content-sha256']).toBe(sha256);
    expect(served.raw.rawPayload.equals(row.content!)).toBe(true);
  });

  it('renders each PDF once when downloads come before the background rendering, and serves the stored bytes', async () => {
    const owner = await signUp(server.app);
    await setUpSeller(owner.client, owner.dossierId);
    const customerId = await createCustomer(owner.client, owner.dossierId);
    const drafts = [];
    for (let i = 0; i < 4; i++) drafts.push(await createDraft(owner.client, owner.dossierId, { type: 'invoice', customerId, lines: [LINE, { ...LINE, quantity: String(i + 1) }] }));
    const renderer = server.ctx.pdfRenderer;
    const render = renderer.render;
    let renders = 0;
    renderer.render = (view, producedAt) => {
      renders++;
      return render.call(renderer, view, producedAt);
    };
    try {
      // Each download right after its issue, all at once: none of the PDFs is made yet.
      const downloads = await Promise.all(
        drafts.map(async (draft) => {
          expect((await issue(owner.client, owner.dossierId, draft)).status).toBe(200);
          return owner.client.get(`/api/d/${owner.dossierId}/invoices/${draft.id}/pdf`);
        }),
      );
      await server.ctx.pdfs.idle();
      expect(renders).toBe(drafts.length);
      for (const [i, res] of downloads.entries()) {
        expect(res.status).toBe(200);
        const row = await stored(drafts[i].id);
        expect(res.headers['x-content-sha256']).toBe(Buffer.from(row.sha256!).toString('hex'));
        expect(res.raw.rawPayload.equals(row.content!)).toBe(true);
      }
    } finally {
      renderer.render = render;
    }
  });

  it('serves downloads waiting for their PDFs when they outnumber the pool’s connections', async () => {
    const small = await startTestServer({}, { poolSize: 2 });
    try {
      const owner = await signUp(small.app);
      await setUpSeller(owner.client, owner.dossierId);
      const customerId = await createCustomer(owner.client, owner.dossierId);
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) {
        const draft = await createDraft(owner.client, owner.dossierId, { type: 'invoice', customerId, lines: [LINE] });
        expect((await issue(owner.client, owner.dossierId, draft)).status).toBe(200);
        ids.push(draft.id);
      }
      const downloads = await Promise.all(ids.map((id) => owner.client.get(`/api/d/${owner.dossierId}/invoices/${id}/pdf`)));
      expect(downloads.map((r) => r.status)).toEqual(ids.map(() => 200));
      expect(new Set(downloads.map((r) => r.headers['x-content-sha256'])).size).toBe(ids.length);
    } finally {
      await small.close();
    }
  });

  it('makes, after a restart, the PDFs that a stop left unmade', async () => {
    // A stopped freezer: the invoice is issued, its PDF is not made.
    const stopped = createPdfFreezer({ tx: server.ctx.tx, files: server.ctx.files, renderer: server.ctx.pdfRenderer, anchors: server.ctx.anchors, onError: () => undefined });
    await stopped.close();
    const running = server.ctx.pdfs;
    server.ctx.pdfs = stopped;
    let invoice: Awaited<ReturnType<typeof issuedInvoice>>;
    try {
      invoice = await issuedInvoice();
    } finally {
      server.ctx.pdfs = running;
    }
    expect((await stored(invoice.id)).pdf_file_id).toBeNull();

    const errors: unknown[] = [];
    const restarted = createPdfFreezer({ tx: server.ctx.tx, files: server.ctx.files, renderer: server.ctx.pdfRenderer, anchors: server.ctx.anchors, onError: (error) => errors.push(error) });
    expect(await restarted.catchUp(server.ctx.db)).toBeGreaterThanOrEqual(1);
    await restarted.idle();
    await restarted.close();
    expect(errors).toEqual([]);
    expect((await stored(invoice.id)).pdf_file_id).not.toBeNull();
  });
});
