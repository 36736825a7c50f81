import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { sql } from 'kysely';
import { fieldLabel } from '../../core/audit-labels';
import { changedFieldNames, draftChanges, type DraftView } from '../../core/draft-changes';
import { addDays, dueDate as computeDueDate, parisDate, type PaymentTerms } from '../../core/dates';
import type { LineInput, UpdateDraftInput } from '../../core/document-schema';
import { DOCUMENT_TITLES, isLegalInvoice, SERIES_OF, type DocumentType, type VatTreatment } from '../../core/documents';
import { formatEuros } from '../../core/money';
import { computeTotals, rateKey, TotalsError, type DepositDeduction, type Discount, type Totals } from '../../core/totals';
import type { CustomersTable, DossiersTable } from '../db/schema';
import type { Db } from '../db/pool';
import type { DossierContext } from '../platform/auth';
import { AppError, invalid } from '../platform/errors';
import { loadDocument, loadLines, saveLines, totalsLines, type DocumentRow } from './store';

export interface DraftFields {
  customerId: string | null;
  issueDate: string;
  serviceDate: string | null;
  validityDate: string | null;
  paymentTerms: PaymentTerms | null;
  vatTreatment: VatTreatment;
  discount: Discount | null;
  notes: string | null;
  lines: LineInput[];
  deductions: DepositDeduction[];
}

export async function loadDossier(t: Db, dossierId: string): Promise<Selectable<DossiersTable>> {
  return t.selectFrom('dossiers').selectAll().where('id', '=', dossierId).executeTakeFirstOrThrow();
}

async function loadCustomer(t: Db, dossierId: string, id: string | null): Promise<Selectable<CustomersTable> | null> {
  if (!id) return null;
  const customer = await t.selectFrom('customers').selectAll().where('dossier_id', '=', dossierId).where('id', '=', id).executeTakeFirst();
  if (!customer) throw invalid({ customerId: 'Client inconnu dans ce dossier.' });
  return customer;
}

/** Checks a draft against the dossier (VAT rates, regime, products, dates) and computes its totals. */
export async function validateDraft(
  t: Db,
  dossierId: string,
  type: DocumentType,
  f: DraftFields,
  loaded?: Selectable<DossiersTable>,
): Promise<{ totals: Totals; dueDate: string | null }> {
  const dossier = loaded ?? (await loadDossier(t, dossierId));
  const fields: Record<string, string> = {};
  const allowed = new Set(dossier.vat_rates.map(rateKey));
  const zeroOnly = dossier.vat_regime === 'franchise' || f.vatTreatment !== 'normal';
  const productIds = new Set<string>();
  f.lines.forEach((line, i) => {
    if (line.kind !== 'item') return;
    if (line.productId) productIds.add(line.productId);
    const rate = rateKey(line.vatRate);
    if (zeroOnly && rate !== '0') {
      fields[`lines.${i}.vatRate`] =
        dossier.vat_regime === 'franchise' ? 'En franchise en base de TVA, les lignes sont à 0 %.' : 'Autoliquidation ou export : les lignes sont à 0 %.';
    } else if (!allowed.has(rate)) {
      fields[`lines.${i}.vatRate`] = `Taux de TVA ${rate} % absent de la liste du dossier (${[...allowed].join(' ; ')} %).`;
    }
  });
  if (productIds.size > 0) {
    const found = await t.selectFrom('products').select('id').where('dossier_id', '=', dossierId).where('id', 'in', [...productIds]).execute();
    const known = new Set(found.map((p) => p.id));
    f.lines.forEach((line, i) => {
      if (line.kind === 'item' && line.productId && !known.has(line.productId)) fields[`lines.${i}.productId`] = 'Article inconnu dans ce dossier.';
    });
  }
  if (f.validityDate && f.validityDate < f.issueDate) fields.validityDate = "La date de validité précède la date d'émission.";
  if (Object.keys(fields).length > 0) throw invalid(fields);
  let totals: Totals;
  try {
    totals = computeTotals({ lines: totalsLines(f.lines), discount: f.discount, deposits: f.deductions });
  } catch (error) {
    if (error instanceof TotalsError) throw invalid({ [error.field]: error.message });
    if (error instanceof RangeError) throw invalid({ lines: 'Montant total trop élevé.' });
    throw error;
  }
  const terms = f.paymentTerms ?? { days: dossier.default_payment_days, endOfMonth: false };
  return { totals, dueDate: isLegalInvoice(type) && type !== 'credit_note' ? computeDueDate(f.issueDate, terms) : null };
}

function columns(f: DraftFields, totals: Totals, dueDate: string | null) {
  return {
    customer_id: f.customerId,
    issue_date: f.issueDate,
    service_date: f.serviceDate,
    validity_date: f.validityDate,
    due_date: dueDate,
    payment_terms: f.paymentTerms ? JSON.stringify(f.paymentTerms) : null,
    vat_treatment: f.vatTreatment,
    discount: f.discount ? JSON.stringify(f.discount) : null,
    deductions: JSON.stringify(f.deductions),
    notes: f.notes,
    totals: JSON.stringify(totals),
    net_cents: totals.netCents,
    vat_cents: totals.vatCents,
    gross_cents: totals.grossCents,
  };
}

/** Defaults for a new draft: today's date (Paris), the customer's VAT treatment and payment terms. */
export async function draftDefaults(t: Db, dossierId: string, type: DocumentType, input: Partial<DraftFields>): Promise<DraftFields> {
  return (await draftDefaultsWithCustomer(t, dossierId, type, input)).fields;
}

/** `draftDefaults`, and the customer's name (what the draft's page shows). */
export async function draftDefaultsWithCustomer(t: Db, dossierId: string, type: DocumentType, input: Partial<DraftFields>): Promise<{ fields: DraftFields; customerName: string | null }> {
  const customer = await loadCustomer(t, dossierId, input.customerId ?? null);
  return { fields: defaultsFor(type, input, customer), customerName: customer?.name ?? null };
}

function defaultsFor(type: DocumentType, input: Partial<DraftFields>, customer: Selectable<CustomersTable> | null): DraftFields {
  const issueDate = input.issueDate ?? parisDate();
  return {
    customerId: customer?.id ?? null,
    issueDate,
    serviceDate: input.serviceDate ?? null,
    validityDate: input.validityDate ?? (type === 'quote' ? addDays(issueDate, 30) : null),
    paymentTerms: input.paymentTerms ?? (customer?.payment_days != null ? { days: customer.payment_days, endOfMonth: customer.payment_end_of_month } : null),
    vatTreatment: input.vatTreatment ?? customer?.vat_treatment ?? 'normal',
    discount: input.discount ?? null,
    notes: input.notes ?? null,
    lines: input.lines ?? [],
    deductions: input.deductions ?? [],
  };
}

/** Creates a draft (no number) and records it. `origin` names where it comes from, for the history. */
export async function insertDraft(d: DossierContext, type: DocumentType, f: DraftFields, links: { sourceId?: string | null; correctsId?: string | null } = {}, origin?: string): Promise<string> {
  return (await writeDraft(d, type, f, links, origin, { commit: false })).row.id;
}

/**
 * Creates a draft as the request's last change: its audit event commits the transaction (the
 * dossier's lock is held for one round trip), and the draft comes back as stored, lines
 * included, so that the answer needs no reading after the commit.
 */
export async function insertDraftAndCommit(d: DossierContext, type: DocumentType, f: DraftFields, dossier?: Selectable<DossiersTable>): Promise<{ row: DocumentRow; lines: LineInput[] }> {
  return writeDraft(d, type, f, {}, undefined, { commit: true, dossier });
}

async function writeDraft(
  d: DossierContext,
  type: DocumentType,
  f: DraftFields,
  links: { sourceId?: string | null; correctsId?: string | null },
  origin: string | undefined,
  opts: { commit: boolean; dossier?: Selectable<DossiersTable> },
): Promise<{ row: DocumentRow; lines: LineInput[] }> {
  const { totals, dueDate } = await validateDraft(d.t, d.id, type, f, opts.dossier);
  const id = randomUUID();
  const row = await d.t
    .insertInto('documents')
    .values({
      dossier_id: d.id,
      id,
      type,
      status: 'draft',
      series: SERIES_OF[type],
      ...columns(f, totals, dueDate),
      source_id: links.sourceId ?? null,
      corrects_id: links.correctsId ?? null,
      created_by: d.user.id,
      updated_by: d.user.id,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const lines = await saveLines(d.t, d.id, id, f.lines, { fresh: true });
  await d.audit(
    {
      action: 'document.created',
      entityType: 'document',
      entityId: id,
      entityLabel: null,
      summary: `Création d'un brouillon : ${DOCUMENT_TITLES[type].fr.toLowerCase()}${origin ? ` (${origin})` : ''}, ${f.lines.length} ligne(s), ${formatEuros(totals.grossCents)} TTC`,
      changes: { grossCents: { before: null, after: totals.grossCents } },
    },
    { commit: opts.commit },
  );
  return { row, lines };
}

/** 409 stale_version naming who saved the document last, and when. */
export async function staleVersion(t: Db, row: DocumentRow): Promise<AppError> {
  const who = row.updated_by ? await t.selectFrom('users').select('name').where('id', '=', row.updated_by).executeTakeFirst() : undefined;
  return new AppError(409, 'stale_version', { version: row.version, updatedAt: row.updated_at, updatedByName: who?.name ?? null });
}

/** Saves a draft if `version` is still the stored one; otherwise 409 naming who changed it and when. */
export async function updateDraft(d: DossierContext, id: string, types: readonly DocumentType[], input: UpdateDraftInput): Promise<void> {
  const row = await loadDocument(d.t, d.id, id, { forUpdate: true, types });
  if (row.status !== 'draft') throw new AppError(409, 'not_a_draft');
  if (row.version !== input.version) throw await staleVersion(d.t, row);
  const currentLines = await loadLines(d.t, d.id, id);
  if (row.type === 'credit_note' && input.customerId !== undefined && input.customerId !== row.customer_id) {
    throw invalid({ customerId: "Un avoir s'adresse au client de la facture qu'il corrige." });
  }
  await loadCustomer(d.t, d.id, input.customerId ?? null);
  const next: DraftFields = {
    customerId: input.customerId === undefined ? row.customer_id : input.customerId,
    issueDate: input.issueDate ?? row.issue_date,
    serviceDate: input.serviceDate === undefined ? row.service_date : input.serviceDate,
    validityDate: input.validityDate === undefined ? row.validity_date : input.validityDate,
    paymentTerms: input.paymentTerms === undefined ? (row.payment_terms as PaymentTerms | null) : input.paymentTerms,
    vatTreatment: input.vatTreatment ?? row.vat_treatment,
    discount: input.discount === undefined ? (row.discount as Discount | null) : input.discount,
    notes: input.notes === undefined ? row.notes : input.notes,
    lines: input.lines ?? currentLines,
    deductions: (row.deductions as DepositDeduction[]) ?? [],
  };
  const { totals, dueDate } = await validateDraft(d.t, d.id, row.type, next);
  await d.t
    .updateTable('documents')
    .set({ ...columns(next, totals, dueDate), version: row.version + 1, updated_by: d.user.id, updated_at: sql<Date>`now()` })
    .where('dossier_id', '=', d.id)
    .where('id', '=', id)
    .execute();
  if (input.lines) await saveLines(d.t, d.id, id, input.lines);
  // Only what differs, line by line; the total when it moved.
  const changes = draftChanges({ ...fieldsOf(row), lines: currentLines }, next);
  if (Number(row.gross_cents) !== totals.grossCents) changes.grossCents = { before: Number(row.gross_cents), after: totals.grossCents };
  const named = changedFieldNames(changes).filter((f) => f !== 'grossCents').map((f) => fieldLabel(f, 'fr'));
  await d.audit({
    action: 'document.updated',
    entityType: 'document',
    entityId: id,
    entityLabel: null,
    summary: named.length ? `Modification du brouillon : ${named.join(', ')}` : 'Brouillon enregistré sans modification',
    changes,
  });
}

/** A stored draft's fields as a person edits them. */
function fieldsOf(row: DocumentRow): Omit<DraftView, 'lines'> {
  return {
    customerId: row.customer_id,
    issueDate: row.issue_date,
    serviceDate: row.service_date,
    validityDate: row.validity_date,
    paymentTerms: row.payment_terms,
    vatTreatment: row.vat_treatment,
    discount: row.discount,
    notes: row.notes,
  };
}

export async function deleteDraft(d: DossierContext, id: string, types: readonly DocumentType[]): Promise<void> {
  const row = await loadDocument(d.t, d.id, id, { forUpdate: true, types });
  if (row.status !== 'draft') throw new AppError(409, 'not_a_draft');
  await d.t.deleteFrom('document_deposits').where('dossier_id', '=', d.id).where('document_id', '=', id).execute();
  await d.t.deleteFrom('documents').where('dossier_id', '=', d.id).where('id', '=', id).execute();
  await d.audit({ action: 'document.deleted', entityType: 'document', entityId: id, entityLabel: null, summary: `Suppression du brouillon : ${DOCUMENT_TITLES[row.type].fr.toLowerCase()}, ${formatEuros(Number(row.gross_cents))} TTC` });
}
