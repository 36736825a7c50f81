import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createDraftSchema, decimalString, paymentSchema, updateDraftSchema } from '../../core/document-schema';
import { DOCUMENT_TYPES, FAMILY_OF, type DocumentFamily, type DocumentType } from '../../core/documents';
import type { Permission } from '../../core/permissions';
import { AnsweredAfterTransaction, currentDossier } from '../platform/auth';
import type { AppContext } from '../platform/context';
import { AppError } from '../platform/errors';
import { deleteDraft, draftDefaultsWithCustomer, insertDraftAndCommit, loadDossier, updateDraft } from './drafts';
import { answerQuote, convertQuote, createCreditNote, duplicateDocument, issueDocument } from './lifecycle';
import { listDocuments, listQuery } from './list';
import { cancelPayment, recordPayment } from './payments';
import { recordDownload } from './downloads';
import { documentInformation } from './information';
import { documentPdf } from './pdf';
import { openDocumentStream, publishDocumentChange } from './presence';
import { presentDocument } from './presenter';
import type { LineInput } from '../../core/document-schema';
import { text } from '../../core/text';
import { loadDocument, loadDocumentWithPdf, loadLines, type DocumentRow, type LinkedDocument } from './store';

const FAMILIES: Record<DocumentFamily, { types: readonly DocumentType[]; read: Permission; write: Permission; issue: Permission }> = {
  quotes: { types: ['quote'], read: 'quotes.read', write: 'quotes.write', issue: 'quotes.write' },
  invoices: { types: ['invoice', 'deposit_invoice', 'credit_note', 'pro_forma'], read: 'invoices.read', write: 'invoices.write', issue: 'invoices.issue' },
};

const docParams = z.object({ dossierId: text(), documentId: z.uuid() });
const versionBody = z.object({ version: z.number().int().min(1) }).strict();

/** Quotes and invoices (with deposit invoices, credit notes and pro forma): one set of routes per family. */
export const documentRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (app, { ctx }) => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  /**
   * A document as its page shows it; `known` spares reading what the caller has (issuing and
   * creating have committed: they must not read).
   */
  async function answer(d: ReturnType<typeof currentDossier>, id: string, known?: { row: DocumentRow; lines: LineInput[]; linked?: LinkedDocument[]; customerName?: string | null }) {
    const row = known?.row ?? (await loadDocument(d.t, d.id, id));
    const lines = known?.lines ?? (await loadLines(d.t, d.id, id));
    const customer =
      known?.customerName !== undefined
        ? { name: known.customerName }
        : row.customer_id && !row.customer_snapshot
          ? await d.t.selectFrom('customers').select('name').where('dossier_id', '=', d.id).where('id', '=', row.customer_id).executeTakeFirst()
          : undefined;
    const by = row.updated_by === d.user.id ? { name: d.user.name } : row.updated_by ? await d.t.selectFrom('users').select('name').where('id', '=', row.updated_by).executeTakeFirst() : undefined;
    // Linked documents with their type, so that the page can link to the right family.
    const linkedIds = [row.source_id, row.corrects_id].filter((x): x is string => x !== null);
    const linked = known?.linked ?? (linkedIds.length ? await d.t.selectFrom('documents').select(['id', 'type', 'number']).where('dossier_id', '=', d.id).where('id', 'in', linkedIds).execute() : []);
    // A linked document of a family the caller may not read is not shown, not even its number.
    const link = (linkedId: string | null) => linked.find((l) => l.id === linkedId && d.permissions.includes(FAMILIES[FAMILY_OF[l.type]].read)) ?? null;
    const source = link(row.source_id);
    const corrects = link(row.corrects_id);
    return {
      document: {
        ...presentDocument(row, { lines, customerName: customer?.name ?? null, updatedByName: by?.name ?? null }),
        sourceId: source?.id ?? null,
        correctsId: corrects?.id ?? null,
        source,
        corrects,
      },
    };
  }

  for (const [family, spec] of Object.entries(FAMILIES) as [DocumentFamily, (typeof FAMILIES)[DocumentFamily]][]) {
    const base = `/d/:dossierId/${family}`;
    const read = { auth: { permission: spec.read } };
    // Routes that answer with the document need the right to read it, too.
    const write = { auth: { permission: spec.write } };
    const writeAndRead = { auth: { permission: spec.write, reads: [spec.read] } };

    r.get(base, { config: read, schema: { querystring: listQuery } }, async (request) => {
      const d = currentDossier(request);
      return listDocuments(d.t, d.id, spec.types, request.query);
    });

    r.post(base, { config: writeAndRead, schema: { body: createDraftSchema } }, async (request, reply) => {
      const d = currentDossier(request);
      const { type, ...input } = request.body;
      if (FAMILY_OF[type] !== family) throw new AppError(400, 'validation_failed', { fields: { type: `Type de pièce inattendu ici : ${type}.` } });
      // The customer and the dossier are read together (one connection, pipelined).
      const [{ fields, customerName }, dossier] = await Promise.all([draftDefaultsWithCustomer(d.t, d.id, type, input), loadDossier(d.t, d.id)]);
      // Committed with its audit event; the answer is built from what was written.
      const created = await insertDraftAndCommit(d, type, fields, dossier);
      reply.status(201);
      return answer(d, created.row.id, { ...created, linked: [], customerName });
    });

    r.get(`${base}/:documentId`, { config: read, schema: { params: docParams } }, async (request) => {
      const d = currentDossier(request);
      await loadDocument(d.t, d.id, request.params.documentId, { types: spec.types });
      return answer(d, request.params.documentId);
    });

    r.patch(`${base}/:documentId`, { config: writeAndRead, schema: { params: docParams, body: updateDraftSchema } }, async (request) => {
      const d = currentDossier(request);
      await updateDraft(d, request.params.documentId, spec.types, request.body);
      const result = await answer(d, request.params.documentId);
      await publishDocumentChange(ctx, d, request.params.documentId, result.document.version, 'updated');
      return result;
    });

    r.delete(`${base}/:documentId`, { config: write, schema: { params: docParams } }, async (request, reply) => {
      const d = currentDossier(request);
      await deleteDraft(d, request.params.documentId, spec.types);
      await publishDocumentChange(ctx, d, request.params.documentId, null, 'deleted');
      reply.status(204);
      return null;
    });

    r.post(`${base}/:documentId/issue`, { config: { auth: { permission: spec.issue, reads: [spec.read] } }, schema: { params: docParams, body: versionBody } }, async (request) => {
      const d = currentDossier(request);
      const id = request.params.documentId;
      // Queued now, delivered at the commit (and dropped if issuing fails): nothing is left to do
      // once issuing holds the dossier's write lock but the write and the commit.
      await publishDocumentChange(ctx, d, id, request.body.version + 1, 'issued');
      const issued = await issueDocument(d, id, spec.types, request.body.version);
      // Built from what issuing returned, without reading again.
      const result = await answer(d, id, issued);
      // The frozen PDF is made in the background once this commits (or at its first download).
      d.afterCommit(async () => ctx.pdfs.freeze(d.id, id, { row: issued.row, lines: issued.lines }));
      return { ...result, warnings: issued.warnings };
    });

    r.post(
      `${base}/:documentId/duplicate`,
      { config: writeAndRead, schema: { params: docParams, body: z.object({ type: z.enum(DOCUMENT_TYPES) }).strict() } },
      async (request, reply) => {
        const d = currentDossier(request);
        const id = await duplicateDocument(d, request.params.documentId, spec.types, request.body.type);
        reply.status(201);
        return answer(d, id);
      },
    );

    r.get(`${base}/:documentId/pdf`, { config: read, schema: { params: docParams, querystring: z.object({ download: z.enum(['1']).optional() }).strict() } }, async (request, reply) => {
      const d = currentDossier(request);
      // A numbered document's download is recorded in this transaction, before the read that commits it.
      await recordDownload(d, request.params.documentId, spec.types, request.query.download === '1');
      // The transaction ends with this read (its COMMIT travels with it): what follows needs no connection, or opens its own.
      const { row, pdf: stored } = await loadDocumentWithPdf(d.t, d.id, request.params.documentId, spec.types, { commit: true });
      const send = (pdf: { content: Buffer; sha256: string | null }) => {
        const name = `${row.number ?? `brouillon-${row.id.slice(0, 8)}`}.pdf`;
        reply.type('application/pdf').header('content-disposition', `${request.query.download ? 'attachment' : 'inline'}; filename="${name}"`);
        if (pdf.sha256) reply.header('x-content-sha256', pdf.sha256).header('cache-control', 'private, max-age=31536000, immutable');
        return pdf.content;
      };
      if (stored) return send(stored);
      if (row.number !== null && !row.pdf_file_id) {
        // Numbered, its PDF not stored yet: the background freezer makes it (now, if it has not
        // started on it), once; the download waits for it without holding a connection.
        return new AnsweredAfterTransaction(async () => {
          const frozen = await ctx.pdfs.frozen(d.id, row.id);
          if (!frozen) throw new Error(`Document ${row.id} has no frozen PDF`);
          return send(frozen);
        });
      }
      // A draft, rendered on each request from the dossier's current details: in a transaction of its own.
      return new AnsweredAfterTransaction(async () => send(await ctx.tx({ dossierId: d.id }, (t) => documentPdf(t, ctx.files, ctx.pdfRenderer, ctx.anchors, row))));
    });

    r.get(`${base}/:documentId/history`, { config: read, schema: { params: docParams } }, async (request) => {
      const d = currentDossier(request);
      await loadDocument(d.t, d.id, request.params.documentId, { types: spec.types });
      const events = await d.t
        .selectFrom('audit_events')
        .select(['seq', 'occurred_at', 'actor_name', 'actor_profile', 'action', 'summary', 'changes'])
        .where('dossier_id', '=', d.id)
        .where('entity_type', '=', 'document')
        .where('entity_id', '=', request.params.documentId)
        .orderBy('seq')
        .execute();
      return {
        events: events.map((e) => ({ seq: Number(e.seq), occurredAt: e.occurred_at, actorName: e.actor_name, actorProfile: e.actor_profile, action: e.action, summary: e.summary, changes: e.changes })),
      };
    });

    r.get(`${base}/:documentId/information`, { config: read, schema: { params: docParams } }, async (request) => {
      const d = currentDossier(request);
      const row = await loadDocument(d.t, d.id, request.params.documentId, { types: spec.types });
      return documentInformation(d.t, d.id, row, (type) => d.permissions.includes(FAMILIES[FAMILY_OF[type]].read));
    });

    r.get(`${base}/:documentId/events`, { config: read, schema: { params: docParams } }, async (request, reply) => {
      const d = currentDossier(request);
      await loadDocument(d.t, d.id, request.params.documentId, { types: spec.types });
      reply.header('content-type', 'text/event-stream; charset=utf-8').header('cache-control', 'no-store').header('x-accel-buffering', 'no');
      return openDocumentStream(ctx, d, request.params.documentId, request);
    });
  }

  const quote = { auth: { permission: 'quotes.write' as const, reads: ['quotes.read' as const] } };
  for (const answerKind of ['accept', 'refuse'] as const) {
    r.post(`/d/:dossierId/quotes/:documentId/${answerKind}`, { config: quote, schema: { params: docParams } }, async (request) => {
      const d = currentDossier(request);
      await answerQuote(d, request.params.documentId, answerKind === 'accept' ? 'accepted' : 'refused');
      const result = await answer(d, request.params.documentId);
      await publishDocumentChange(ctx, d, request.params.documentId, result.document.version, answerKind);
      return result;
    });
  }

  r.post(
    '/d/:dossierId/quotes/:documentId/convert',
    {
      // Converting creates an invoice (the right to prepare invoices) from the quote, and answers the invoice.
      config: { auth: { permission: 'invoices.write', reads: ['quotes.read', 'invoices.read'] } },
      schema: {
        params: docParams,
        body: z.discriminatedUnion('target', [
          z.object({ target: z.literal('invoice') }).strict(),
          z.object({ target: z.literal('deposit_invoice'), percent: decimalString(2, 100, 'Acompte (%)').optional(), amountCents: z.number().int().min(1).optional() }).strict(),
        ]),
      },
    },
    async (request, reply) => {
      const d = currentDossier(request);
      const id = await convertQuote(d, request.params.documentId, request.body);
      reply.status(201);
      return answer(d, id);
    },
  );

  const invoices = { auth: { permission: 'invoices.write' as const, reads: ['invoices.read' as const] } };
  r.post(
    '/d/:dossierId/invoices/:documentId/credit-note',
    {
      config: invoices,
      schema: {
        params: docParams,
        body: z
          .object({ lines: z.array(z.object({ position: z.number().int().min(0), quantity: decimalString(3, 1_000_000, 'Quantité') }).strict()).min(1).max(2000).nullable().default(null) })
          .strict(),
      },
    },
    async (request, reply) => {
      const d = currentDossier(request);
      const id = await createCreditNote(d, request.params.documentId, request.body.lines);
      reply.status(201);
      return answer(d, id);
    },
  );

  // A payment's answer is its invoice.
  const payments = { auth: { permission: 'payments.write' as const, reads: ['invoices.read' as const] } };
  r.get('/d/:dossierId/invoices/:documentId/payments', { config: { auth: { permission: 'invoices.read' } }, schema: { params: docParams } }, async (request) => {
    const d = currentDossier(request);
    await loadDocument(d.t, d.id, request.params.documentId, { types: ['invoice', 'deposit_invoice'] });
    const rows = await d.t
      .selectFrom('payments as p')
      .innerJoin('users as u', 'u.id', 'p.created_by')
      .select(['p.id', 'p.paid_on', 'p.amount_cents', 'p.method', 'p.reference', 'p.created_at', 'p.cancelled_at', 'p.cancel_reason', 'u.name as created_by_name'])
      .where('p.dossier_id', '=', d.id)
      .where('p.document_id', '=', request.params.documentId)
      .orderBy('p.paid_on')
      .orderBy('p.created_at')
      .execute();
    return {
      payments: rows.map((p) => ({
        id: p.id,
        paidOn: p.paid_on,
        amountCents: Number(p.amount_cents),
        method: p.method,
        reference: p.reference,
        createdAt: p.created_at,
        createdByName: p.created_by_name,
        cancelledAt: p.cancelled_at,
        cancelReason: p.cancel_reason,
      })),
    };
  });

  r.post('/d/:dossierId/invoices/:documentId/payments', { config: payments, schema: { params: docParams, body: paymentSchema } }, async (request, reply) => {
    const d = currentDossier(request);
    const paymentId = await recordPayment(d, request.params.documentId, request.body);
    const result = await answer(d, request.params.documentId);
    await publishDocumentChange(ctx, d, request.params.documentId, result.document.version, 'payment');
    reply.status(201);
    return { ...result, paymentId };
  });

  r.post(
    '/d/:dossierId/invoices/:documentId/payments/:paymentId/cancel',
    {
      config: payments,
      schema: { params: docParams.extend({ paymentId: z.uuid() }), body: z.object({ reason: text().min(1, 'Indiquez le motif.').max(500) }).strict() },
    },
    async (request) => {
      const d = currentDossier(request);
      await cancelPayment(d, request.params.documentId, request.params.paymentId, request.body.reason);
      const result = await answer(d, request.params.documentId);
      await publishDocumentChange(ctx, d, request.params.documentId, result.document.version, 'payment');
      return result;
    },
  );
};
