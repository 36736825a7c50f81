import { parisDate } from '../../src/core/dates';
import type { ApiClient } from './client';
import { LINE } from './invoicing';

/** A request the authorization matrix sends; `stream` marks a server-sent-events route (read over real HTTP). */
export interface SampleCall {
  url: string;
  body?: unknown;
  raw?: Buffer;
  contentType?: string;
  stream?: boolean;
}
export type SamplePrepare = (dossierId: string) => Promise<SampleCall>;

/**
 * Sample calls for the document routes: each prepares, as the administrator, a document in the
 * state the route needs (a draft, a finalised or accepted quote, an issued invoice, a payment).
 */
export function documentSamples(admin: () => ApiClient, customerId: () => string): Record<string, SamplePrepare> {
  async function draft(id: string, type: 'quote' | 'invoice'): Promise<{ id: string; version: number }> {
    const res = await admin().post(`/api/d/${id}/${type === 'quote' ? 'quotes' : 'invoices'}`, { type, customerId: customerId(), lines: [LINE] });
    if (res.status !== 201) throw new Error(`draft ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.document;
  }
  async function issued(id: string, type: 'quote' | 'invoice'): Promise<string> {
    const doc = await draft(id, type);
    const res = await admin().post(`/api/d/${id}/${type === 'quote' ? 'quotes' : 'invoices'}/${doc.id}/issue`, { version: doc.version });
    if (res.status !== 200) throw new Error(`issue ${res.status} ${JSON.stringify(res.body)}`);
    return doc.id;
  }
  async function accepted(id: string): Promise<string> {
    const quoteId = await issued(id, 'quote');
    await admin().post(`/api/d/${id}/quotes/${quoteId}/accept`);
    return quoteId;
  }

  const samples: Record<string, SamplePrepare> = {};
  for (const [family, type] of [
    ['quotes', 'quote'],
    ['invoices', 'invoice'],
  ] as const) {
    const base = (id: string) => `/api/d/${id}/${family}`;
    Object.assign(samples, {
      [`GET /api/d/:dossierId/${family}`]: async (id: string) => ({ url: `${base(id)}?sort=grossCents&order=asc` }),
      [`POST /api/d/:dossierId/${family}`]: async (id: string) => ({ url: base(id), body: { type, customerId: customerId(), lines: [LINE] } }),
      [`GET /api/d/:dossierId/${family}/:documentId`]: async (id: string) => ({ url: `${base(id)}/${(await draft(id, type)).id}` }),
      [`PATCH /api/d/:dossierId/${family}/:documentId`]: async (id: string) => {
        const doc = await draft(id, type);
        return { url: `${base(id)}/${doc.id}`, body: { version: doc.version, notes: 'Livraison vendredi' } };
      },
      [`DELETE /api/d/:dossierId/${family}/:documentId`]: async (id: string) => ({ url: `${base(id)}/${(await draft(id, type)).id}` }),
      [`POST /api/d/:dossierId/${family}/:documentId/issue`]: async (id: string) => {
        const doc = await draft(id, type);
        return { url: `${base(id)}/${doc.id}/issue`, body: { version: doc.version } };
      },
      [`POST /api/d/:dossierId/${family}/:documentId/duplicate`]: async (id: string) => ({ url: `${base(id)}/${(await draft(id, type)).id}/duplicate`, body: { type } }),
      [`GET /api/d/:dossierId/${family}/:documentId/pdf`]: async (id: string) => ({ url: `${base(id)}/${(await draft(id, type)).id}/pdf` }),
      [`GET /api/d/:dossierId/${family}/:documentId/history`]: async (id: string) => ({ url: `${base(id)}/${(await draft(id, type)).id}/history` }),
      [`GET /api/d/:dossierId/${family}/:documentId/events`]: async (id: string) => ({ url: `${base(id)}/${(await draft(id, type)).id}/events`, stream: true }),
    });
  }
  Object.assign(samples, {
    'POST /api/d/:dossierId/quotes/:documentId/accept': async (id: string) => ({ url: `/api/d/${id}/quotes/${await issued(id, 'quote')}/accept` }),
    'POST /api/d/:dossierId/quotes/:documentId/refuse': async (id: string) => ({ url: `/api/d/${id}/quotes/${await issued(id, 'quote')}/refuse` }),
    'POST /api/d/:dossierId/quotes/:documentId/convert': async (id: string) => ({ url: `/api/d/${id}/quotes/${await accepted(id)}/convert`, body: { target: 'deposit_invoice', percent: '30' } }),
    'POST /api/d/:dossierId/invoices/:documentId/credit-note': async (id: string) => ({ url: `/api/d/${id}/invoices/${await issued(id, 'invoice')}/credit-note`, body: {} }),
    'GET /api/d/:dossierId/invoices/:documentId/payments': async (id: string) => ({ url: `/api/d/${id}/invoices/${await issued(id, 'invoice')}/payments` }),
    'POST /api/d/:dossierId/invoices/:documentId/payments': async (id: string) => ({
      url: `/api/d/${id}/invoices/${await issued(id, 'invoice')}/payments`,
      body: { paidOn: parisDate(), amountCents: 1000, method: 'virement' },
    }),
    'POST /api/d/:dossierId/invoices/:documentId/payments/:paymentId/cancel': async (id: string) => {
      const invoiceId = await issued(id, 'invoice');
      const paid = await admin().post(`/api/d/${id}/invoices/${invoiceId}/payments`, { paidOn: parisDate(), amountCents: 1000, method: 'cheque' });
      return { url: `/api/d/${id}/invoices/${invoiceId}/payments/${paid.body.paymentId}/cancel`, body: { reason: 'Chèque refusé' } };
    },
    'GET /api/d/:dossierId/numbering': async (id: string) => ({ url: `/api/d/${id}/numbering` }),
    'PUT /api/d/:dossierId/numbering/:series': async (id: string) => ({ url: `/api/d/${id}/numbering/pro_forma`, body: { format: `PF${Math.floor(Math.random() * 90 + 10)}-{AA}-{NNNN}`, yearlyReset: true, firstNumber: 1 } }),
  });
  return samples;
}
