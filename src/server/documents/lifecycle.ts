import { sql } from 'kysely';
import pg from 'pg';
import { formatDateFr, parisDate } from '../../core/dates';
import { formatDecimal, mulDivRound, parseDecimal } from '../../core/decimal';
import type { LineInput } from '../../core/document-schema';
import { agreeFr, DOCUMENT_TITLES, isLegalInvoice, numberedStatus, SERIES_OF, type DocumentType, type DocumentLineView } from '../../core/documents';
import { depositLines, type DepositShare } from '../../core/deposits';
import { checkMandatoryMentions } from '../../core/mentions';
import { formatEuros } from '../../core/money';
import { numberingPeriod, numberTemplate } from '../../core/numbering';
import { computeTotals, type DepositDeduction, type Discount, type Totals } from '../../core/totals';
import { requirePermission, type DossierContext } from '../platform/auth';
import { AppError, invalid, isUniqueViolation } from '../platform/errors';
import { customerSnapshot, sellerSnapshot } from './snapshots';
import { documentContentHash } from './fingerprint';
import { draftDefaults, insertDraft, staleVersion, validateDraft, type DraftFields } from './drafts';
import { deductionsOf, loadDocument, loadForIssue, loadLines, totalsLines, type DocumentRow, type LinkedDocument } from './store';
import { executeAndCommit } from '../db/tx';

const transition = () => new AppError(409, 'invalid_transition');

function label(row: DocumentRow): string {
  return row.number ?? `${DOCUMENT_TITLES[row.type].fr} (brouillon)`;
}

/**
 * Issues an invoice or credit note (finalises a quote or pro forma): checks the mandatory
 * mentions, freezes the seller's and customer's details and the totals, and takes the next number
 * of the series — all in the caller's transaction, so a failure consumes no number. Issuing is
 * the transaction's last step: its final statement commits (`executeAndCommit`), and what the
 * answer needs is read before (`linked`).
 */
export async function issueDocument(
  d: DossierContext,
  id: string,
  types: readonly DocumentType[],
  version: number,
): Promise<{ number: string; warnings: string[]; row: DocumentRow; lines: LineInput[]; linked: LinkedDocument[] }> {
  const { row, linked, dossier, settings, customer, lines } = await loadForIssue(d.t, d.id, id, types);
  if (row.status !== 'draft') throw new AppError(409, 'not_a_draft');
  if (row.version !== version) throw await staleVersion(d.t, row);
  const seller = sellerSnapshot(dossier);
  const buyer = customer ? customerSnapshot(customer) : null;
  const today = parisDate();
  if (row.issue_date > today) throw invalid({ issueDate: "La date d'émission ne peut pas être dans le futur." });
  const check = checkMandatoryMentions({ type: row.type, seller, customer: buyer, vatTreatment: row.vat_treatment, lines: lines as DocumentLineView[], dueDate: row.due_date });
  if (check.missing.length > 0) throw new AppError(422, 'mentions_missing', { missing: check.missing, warnings: check.warnings });
  // Totals are recomputed by the server at issue: the stored draft totals are never trusted.
  const { totals } = await validateDraft(d.t, d.id, row.type, {
    customerId: row.customer_id,
    issueDate: row.issue_date,
    serviceDate: row.service_date,
    validityDate: row.validity_date,
    paymentTerms: row.payment_terms as DraftFields['paymentTerms'],
    vatTreatment: row.vat_treatment,
    discount: row.discount as DraftFields['discount'],
    notes: row.notes,
    lines,
    deductions: deductionsOf(row),
  }, dossier);
  if (row.type === 'credit_note') await applyCredit(d, row, totals);
  // Everything is ready: one statement takes the dossier's write lock, gives the number, chains
  // the event (ardoise_take_number, migrations 006 and 007) and writes the document. Concurrent issuers
  // queue from there to the commit, never across a round trip to the application.
  // What the document will say once numbered, fingerprinted in its issue event (documents/fingerprint.ts).
  const contentSha256 = documentContentHash(
    { ...row, seller_snapshot: seller, customer_snapshot: buyer, seller_logo_file_id: dossier.logo_file_id, totals, net_cents: totals.netCents, vat_cents: totals.vatCents, gross_cents: totals.grossCents },
    lines,
  );
  const series = SERIES_OF[row.type];
  const format = numberTemplate(settings.format, { year: Number(row.issue_date.slice(0, 4)), month: Number(row.issue_date.slice(5, 7)) });
  const event = d.eventTemplate((number) => ({
    action: isLegalInvoice(row.type) ? 'document.issued' : 'document.finalised',
    entityType: 'document',
    entityId: id,
    entityLabel: number,
    summary: `${DOCUMENT_TITLES[row.type].fr} n° ${number} ${isLegalInvoice(row.type) ? agreeFr(row.type, 'émis', 'émise') : agreeFr(row.type, 'finalisé', 'finalisée')} — ${formatEuros(totals.grossCents)} TTC`,
    changes: { number: { before: null, after: number }, status: { before: 'draft', after: numberedStatus(row.type) }, contentSha256: { before: null, after: contentSha256 } },
  }));
  const taken = sql<{ number: string }>`ardoise_take_number(${d.id}::uuid, ${series}, ${numberingPeriod(row.issue_date, settings.yearlyReset)}::int,
    ${settings.firstNumber}::int, ${row.issue_date}::date, ${format.prefix}, ${format.width}::int, ${format.suffix},
    ${JSON.stringify(event.row)}::jsonb, ${event.canonical}, ${event.marks}::text[])`;
  let issued: DocumentRow | undefined;
  try {
    const numbered = d.t
      .with((cte) => cte('taken').materialized(), (db) => db.selectFrom(taken.as('n')).select('n.number'))
      .updateTable('documents')
      .from('taken')
      .set({
        status: numberedStatus(row.type),
        number: sql<string>`taken.number`,
        seller_snapshot: JSON.stringify(seller),
        seller_logo_file_id: dossier.logo_file_id,
        customer_snapshot: buyer ? JSON.stringify(buyer) : null,
        totals: JSON.stringify(totals),
        net_cents: totals.netCents,
        vat_cents: totals.vatCents,
        gross_cents: totals.grossCents,
        version: row.version + 1,
        issued_at: sql<Date>`now()`,
        issued_by: d.user.id,
        updated_by: d.user.id,
        updated_at: sql<Date>`now()`,
      })
      .where('documents.dossier_id', '=', d.id)
      .where('documents.id', '=', id)
      .returningAll('documents');
    // The dossier's write lock is taken by this statement and released by the commit that travels with it.
    issued = (await executeAndCommit(d.t, numbered)).rows[0];
  } catch (error) {
    if (error instanceof pg.DatabaseError && error.code === 'AR001') {
      throw new AppError(409, 'not_chronological', { issueDate: formatDateFr(row.issue_date), lastDate: formatDateFr(error.detail ?? '') });
    }
    // The unique index's last line of defence: a format that gives a number twice (one stored before formats were checked).
    if (isUniqueViolation(error) && (error as pg.DatabaseError).constraint === 'documents_number') throw new AppError(409, 'number_taken', { format: settings.format });
    throw error;
  }
  if (!issued?.number) throw new Error(`Document ${id} of dossier ${d.id} was not numbered`);
  const number = issued.number;
  return { number, warnings: check.warnings.map((w) => w.message), row: issued, lines, linked };
}

/** A credit note reduces its invoice's balance; together they never exceed the invoice. */
async function applyCredit(d: DossierContext, note: DocumentRow, totals: Totals): Promise<void> {
  if (!note.corrects_id) throw transition();
  const invoice = await loadDocument(d.t, d.id, note.corrects_id, { forUpdate: true });
  const credited = Number(invoice.credited_cents) + totals.grossCents;
  if (credited > Number(invoice.gross_cents)) {
    throw invalid({ lines: `Les avoirs dépasseraient le montant de la facture ${invoice.number} (${formatEuros(Number(invoice.gross_cents))}).` });
  }
  await d.t.updateTable('documents').set({ credited_cents: credited, updated_at: sql<Date>`now()` }).where('dossier_id', '=', d.id).where('id', '=', invoice.id).execute();
  await d.audit({
    action: 'document.credited',
    entityType: 'document',
    entityId: invoice.id,
    entityLabel: invoice.number,
    summary: `Avoir de ${formatEuros(totals.grossCents)} sur la facture ${invoice.number}`,
    changes: { creditedCents: { before: Number(invoice.credited_cents), after: credited } },
  });
}

export async function answerQuote(d: DossierContext, id: string, answer: 'accepted' | 'refused'): Promise<void> {
  const row = await loadDocument(d.t, d.id, id, { forUpdate: true, types: ['quote'] });
  if (row.status !== 'finalised') throw transition();
  await d.t.updateTable('documents').set({ status: answer, version: row.version + 1, updated_by: d.user.id, updated_at: sql<Date>`now()` }).where('dossier_id', '=', d.id).where('id', '=', id).execute();
  await d.audit({
    action: answer === 'accepted' ? 'quote.accepted' : 'quote.refused',
    entityType: 'document',
    entityId: id,
    entityLabel: row.number,
    summary: `Devis ${row.number} ${answer === 'accepted' ? 'accepté' : 'refusé'}`,
    changes: { status: { before: 'finalised', after: answer } },
  });
}

async function recordLink(d: DossierContext, source: DocumentRow, action: string, summary: string, targetId: string): Promise<void> {
  await d.audit({ action, entityType: 'document', entityId: source.id, entityLabel: label(source), summary, changes: { createdDocumentId: { before: null, after: targetId } } });
}

/** Copies any quote, invoice or credit note into a new draft of the chosen type: same customer and lines, today's dates. */
export async function duplicateDocument(d: DossierContext, id: string, types: readonly DocumentType[], target: DocumentType): Promise<string> {
  const source = await loadDocument(d.t, d.id, id, { types });
  if (target === 'deposit_invoice' || (target === 'credit_note' && source.type !== 'credit_note')) throw transition();
  // The copy is of the target's family, and the answer shows it.
  requirePermission(d, target === 'quote' ? 'quotes.write' : 'invoices.write');
  requirePermission(d, target === 'quote' ? 'quotes.read' : 'invoices.read');
  const lines = await loadLines(d.t, d.id, id);
  const fields = await draftDefaults(d.t, d.id, target, {
    customerId: source.customer_id,
    vatTreatment: source.vat_treatment,
    paymentTerms: source.payment_terms as DraftFields['paymentTerms'],
    discount: source.discount as DraftFields['discount'],
    notes: source.notes,
    lines,
  });
  const newId = await insertDraft(d, target, fields, { sourceId: source.id, correctsId: target === 'credit_note' ? source.corrects_id : null }, `copie de ${label(source)}`);
  await recordLink(d, source, 'document.duplicated', `Dupliqué en ${DOCUMENT_TITLES[target].fr.toLowerCase()} (brouillon)`, newId);
  return newId;
}

export type ConversionTarget = { target: 'invoice' } | { target: 'deposit_invoice'; percent?: string; amountCents?: number };

/** What part of the quote a deposit is, checked: a percentage in (0, 100], or an amount up to the quote's total. */
function depositShare(quoteTotals: Totals, conversion: { percent?: string; amountCents?: number }): DepositShare {
  if (conversion.percent !== undefined) {
    const pct = parseDecimal(conversion.percent, 2);
    if (pct === null || pct <= 0n || pct > 10_000n) throw invalid({ percent: "Le pourcentage d'acompte doit être compris entre 0 et 100." });
    return { percentHundredths: pct };
  }
  if (conversion.amountCents !== undefined) {
    if (conversion.amountCents <= 0 || conversion.amountCents > quoteTotals.grossCents) throw invalid({ amountCents: `L'acompte doit être compris entre ${formatEuros(1)} et le total du devis (${formatEuros(quoteTotals.grossCents)}).` });
    return { amountCents: conversion.amountCents };
  }
  throw invalid({ percent: "Indiquez un pourcentage ou un montant d'acompte." });
}

/**
 * Converts an accepted quote: into a deposit invoice (a percentage or amount of it), or into the
 * final invoice, which deducts every deposit invoice already issued for the quote.
 */
export async function convertQuote(d: DossierContext, id: string, conversion: ConversionTarget): Promise<string> {
  const quote = await loadDocument(d.t, d.id, id, { forUpdate: true, types: ['quote'] });
  if (quote.status !== 'accepted') throw transition();
  const lines = await loadLines(d.t, d.id, id);
  // The date of the sale or service (a mandatory mention when it differs from the issue date) follows the quote.
  const base = { customerId: quote.customer_id, serviceDate: quote.service_date, vatTreatment: quote.vat_treatment, paymentTerms: quote.payment_terms as DraftFields['paymentTerms'], notes: quote.notes };
  let newId: string;
  if (conversion.target === 'deposit_invoice') {
    const quoteTotals = quote.totals as Totals;
    const { lines: deposit } = depositLines({ number: quote.number!, issueDate: quote.issue_date, totals: quoteTotals, lines }, depositShare(quoteTotals, conversion));
    const fields = await draftDefaults(d.t, d.id, 'deposit_invoice', { ...base, lines: deposit });
    newId = await insertDraft(d, 'deposit_invoice', fields, { sourceId: quote.id }, `acompte sur le devis ${quote.number}`);
  } else {
    const invoiced = await d.t
      .selectFrom('documents')
      .select(['number'])
      .where('dossier_id', '=', d.id)
      .where('source_id', '=', quote.id)
      .where('type', '=', 'invoice')
      .executeTakeFirst();
    if (invoiced) throw new AppError(409, 'already_invoiced', { number: invoiced.number ?? 'brouillon' });
    const deposits = await d.t
      .selectFrom('documents as dep')
      .leftJoin('document_deposits as dd', (j) => j.onRef('dd.dossier_id', '=', 'dep.dossier_id').onRef('dd.deposit_id', '=', 'dep.id'))
      .select(['dep.id', 'dep.number', 'dep.totals'])
      .where('dep.dossier_id', '=', d.id)
      .where('dep.source_id', '=', quote.id)
      .where('dep.type', '=', 'deposit_invoice')
      .where('dep.status', '=', 'issued')
      .where('dd.deposit_id', 'is', null)
      .execute();
    const deductions: DepositDeduction[] = deposits.map((dep) => ({
      depositId: dep.id,
      number: dep.number,
      vat: (dep.totals as Totals).vat.map((v) => ({ rate: v.rate, baseCents: v.baseCents, vatCents: v.vatCents })),
    }));
    const fields = await draftDefaults(d.t, d.id, 'invoice', { ...base, discount: quote.discount as DraftFields['discount'], lines, deductions });
    newId = await insertDraft(d, 'invoice', fields, { sourceId: quote.id }, `facture du devis ${quote.number}`);
    if (deposits.length > 0) {
      await d.t.insertInto('document_deposits').values(deposits.map((dep) => ({ dossier_id: d.id, document_id: newId, deposit_id: dep.id }))).execute();
    }
  }
  await recordLink(d, quote, 'quote.converted', `Devis converti en ${DOCUMENT_TITLES[conversion.target].fr.toLowerCase()} (brouillon)`, newId);
  return newId;
}

/**
 * The invoice's document discount on chosen lines: a percentage as it is; an amount in proportion
 * to the lines' share of the invoice's line nets, so that the lines are credited at the price invoiced.
 */
function partialDiscount(invoice: DocumentRow, chosen: LineInput[]): Discount | null {
  const discount = invoice.discount as Discount | null;
  if (!discount || discount.type === 'percent') return discount;
  const invoiceNet = BigInt((invoice.totals as Totals).linesNetCents);
  if (invoiceNet === 0n) return null;
  const chosenNet = BigInt(computeTotals({ lines: totalsLines(chosen) }).linesNetCents);
  return { type: 'amount', value: formatDecimal(mulDivRound(parseDecimal(discount.value, 2)!, chosenNet, invoiceNet), 2) };
}

/** A credit note for an issued invoice: all of it (lines, discount and deductions) or chosen lines and quantities. */
export async function createCreditNote(d: DossierContext, invoiceId: string, selection: { position: number; quantity: string }[] | null): Promise<string> {
  const invoice = await loadDocument(d.t, d.id, invoiceId, { types: ['invoice', 'deposit_invoice'] });
  if (invoice.status !== 'issued') throw transition();
  const lines = await loadLines(d.t, d.id, invoiceId);
  let chosen: LineInput[];
  if (selection === null) chosen = lines;
  else {
    const fields: Record<string, string> = {};
    chosen = selection.map((s, i) => {
      const line = lines[s.position];
      if (!line || line.kind !== 'item') {
        fields[`lines.${i}.position`] = 'Ligne inconnue sur la facture.';
        return line!;
      }
      const q = parseDecimal(s.quantity, 3);
      if (q === null || q <= 0n || q > parseDecimal(line.quantity, 3)!) fields[`lines.${i}.quantity`] = `La quantité doit être comprise entre 0 et ${line.quantity}.`;
      // An amount discount follows the quantity credited (a percentage applies as it is).
      const discount: Discount | null | undefined =
        line.discount?.type === 'amount' && q !== null && q > 0n
          ? { type: 'amount', value: formatDecimal(mulDivRound(parseDecimal(line.discount.value, 2)!, q, parseDecimal(line.quantity, 3)!), 2) }
          : line.discount;
      return { ...line, quantity: s.quantity, discount };
    });
    if (Object.keys(fields).length > 0) throw invalid(fields);
  }
  const fields = await draftDefaults(d.t, d.id, 'credit_note', {
    customerId: invoice.customer_id,
    vatTreatment: invoice.vat_treatment,
    discount: selection === null ? (invoice.discount as DraftFields['discount']) : partialDiscount(invoice, chosen),
    lines: chosen,
    deductions: selection === null ? deductionsOf(invoice) : [],
  });
  const newId = await insertDraft(d, 'credit_note', fields, { correctsId: invoice.id }, `avoir sur la facture ${invoice.number}`);
  await recordLink(d, invoice, 'document.credit_note_created', `Avoir (brouillon) créé sur la facture ${invoice.number}`, newId);
  return newId;
}

