import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Nature } from '../../core/documents';
import { rateKey } from '../../core/totals';
import { diff } from '../platform/audit';
import type { DossierContext } from '../platform/auth';
import { AppError, conflict, invalid, notFound } from '../platform/errors';
import { archivedChange, containsPattern, createdChanges, definedOnly, deletedChanges, frenchOrder, staleVersion, type Page } from '../platform/records';
import { isUniqueViolation } from '../platform/errors';
import { presentProduct, productFields, type ProductJson, type ProductRow } from './presenter';
import { DEFAULT_REVENUE_ACCOUNTS, type ProductCreate, type ProductListQuery, type ProductUpdate } from '../../core/products';

const SORT_COLUMNS = { reference: frenchOrder('reference'), designation: frenchOrder('designation'), unitPrice: sql.ref('unit_price'), createdAt: sql.ref('created_at') };

const label = (p: { reference: string; designation: string }) => `${p.reference} — ${p.designation}`;

const referenceTaken = () => new AppError(409, 'conflict', { fields: { reference: 'Un article porte déjà cette référence dans ce dossier.' } });

/** Inserts or updates, turning the unique index on lower(reference) into a field message. */
async function uniqueReference<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (error) {
    throw isUniqueViolation(error) ? referenceTaken() : error;
  }
}

/** A product's VAT rate must be one the dossier offers (its settings), compared as canonical keys. */
async function checkVatRate(d: DossierContext, rate: string): Promise<void> {
  const dossier = await d.t.selectFrom('dossiers').select('vat_rates').where('id', '=', d.id).executeTakeFirstOrThrow();
  const allowed = dossier.vat_rates.map(rateKey);
  if (!allowed.includes(rate)) {
    const list = allowed.map((r) => `${r.replace('.', ',')} %`).join(', ');
    throw invalid({ vatRate: `Ce taux de TVA n’est pas proposé dans ce dossier. Taux possibles : ${list}.` });
  }
}

/** The stored revenue account: null when it is the default of the nature, so that it follows a change of nature. */
function storedRevenueAccount(account: string | null, nature: Nature): string | null {
  return account === DEFAULT_REVENUE_ACCOUNTS[nature] ? null : account;
}

async function findProduct(d: DossierContext, id: string, lock: boolean): Promise<ProductRow> {
  const query = d.t.selectFrom('products').selectAll().where('dossier_id', '=', d.id).where('id', '=', id);
  const row = await (lock ? query.forUpdate() : query).executeTakeFirst();
  if (!row) throw notFound();
  return row;
}

export async function getProduct(d: DossierContext, id: string): Promise<ProductJson> {
  return presentProduct(await findProduct(d, id, false));
}

/** Search on the reference and the designation, case-insensitive. */
export async function listProducts(d: DossierContext, q: ProductListQuery): Promise<Page<ProductJson>> {
  let query = d.t
    .selectFrom('products')
    .where('dossier_id', '=', d.id)
    .where('archived_at', q.archived ? 'is not' : 'is', null);
  if (q.nature) query = query.where('nature', '=', q.nature);
  if (q.q) {
    const pattern = containsPattern(q.q);
    query = query.where((eb) => eb.or([eb('reference', 'ilike', pattern), eb('designation', 'ilike', pattern)]));
  }
  const [rows, total] = await Promise.all([
    query
      .selectAll()
      .orderBy(SORT_COLUMNS[q.sort], q.order)
      .orderBy('created_at', q.order)
      .orderBy('id', q.order)
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize)
      .execute(),
    query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(presentProduct), total: Number(total.n), page: q.page, pageSize: q.pageSize };
}

export async function createProduct(d: DossierContext, input: ProductCreate): Promise<ProductJson> {
  await checkVatRate(d, input.vatRate);
  const row = await uniqueReference(
    d.t
      .insertInto('products')
      .values({
        dossier_id: d.id,
        id: randomUUID(),
        reference: input.reference,
        designation: input.designation,
        description: input.description,
        unit: input.unit,
        unit_price: input.unitPrice,
        vat_rate: input.vatRate,
        nature: input.nature,
        revenue_account: storedRevenueAccount(input.revenueAccount, input.nature),
      })
      .returningAll()
      .executeTakeFirstOrThrow(),
  );
  await d.audit({
    action: 'product.created',
    entityType: 'product',
    entityId: row.id,
    entityLabel: label(row),
    summary: `Création de l’article « ${label(row)} »`,
    changes: createdChanges(productFields(row)),
  });
  return presentProduct(row);
}

/** Applies a change made on `version`: refused (409 stale_version) if someone changed the product since. */
export async function updateProduct(d: DossierContext, id: string, input: ProductUpdate): Promise<ProductJson> {
  const current = await findProduct(d, id, true);
  const { version, ...patch } = input;
  if (current.version !== version) throw staleVersion(current);
  const set = definedOnly(patch);
  // A rate the dossier no longer offers may stay on a product until someone changes it.
  if (set.vatRate !== undefined && set.vatRate !== rateKey(current.vat_rate)) await checkVatRate(d, set.vatRate);
  const nature = set.nature ?? current.nature;
  const next: ProductRow = {
    ...current,
    reference: set.reference ?? current.reference,
    designation: set.designation ?? current.designation,
    description: set.description !== undefined ? set.description : current.description,
    unit: set.unit ?? current.unit,
    unit_price: set.unitPrice ?? current.unit_price,
    vat_rate: set.vatRate ?? current.vat_rate,
    nature,
    revenue_account: storedRevenueAccount(set.revenueAccount !== undefined ? set.revenueAccount : current.revenue_account, nature),
  };
  const changes = diff(productFields(current), productFields(next));
  if (Object.keys(changes).length === 0) return presentProduct(current);
  const row = await uniqueReference(
    d.t
      .updateTable('products')
      .set({
        reference: next.reference,
        designation: next.designation,
        description: next.description,
        unit: next.unit,
        unit_price: next.unit_price,
        vat_rate: next.vat_rate,
        nature: next.nature,
        revenue_account: next.revenue_account,
        version: current.version + 1,
        updated_at: sql<Date>`now()`,
      })
      .where('dossier_id', '=', d.id)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow(),
  );
  await d.audit({
    action: 'product.updated',
    entityType: 'product',
    entityId: id,
    entityLabel: label(row),
    summary: `Modification de l’article « ${label(row)} » (${Object.keys(changes).join(', ')})`,
    changes,
  });
  return presentProduct(row);
}

/** Archiving hides the product from lists and pickers; document lines keep their copy. Idempotent. */
export async function setProductArchived(d: DossierContext, id: string, archived: boolean): Promise<ProductJson> {
  const current = await findProduct(d, id, true);
  if ((current.archived_at !== null) === archived) return presentProduct(current);
  const row = await d.t
    .updateTable('products')
    .set({ archived_at: archived ? sql<Date>`now()` : null, version: current.version + 1, updated_at: sql<Date>`now()` })
    .where('dossier_id', '=', d.id)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await d.audit({
    action: archived ? 'product.archived' : 'product.unarchived',
    entityType: 'product',
    entityId: id,
    entityLabel: label(row),
    summary: `${archived ? 'Archivage' : 'Désarchivage'} de l’article « ${label(row)} »`,
    changes: archivedChange(archived),
  });
  return presentProduct(row);
}

/** Deletes a product that no document line names (the row lock makes a line added meanwhile wait). */
export async function deleteProduct(d: DossierContext, id: string): Promise<void> {
  const current = await findProduct(d, id, true);
  const used = await d.t.selectFrom('document_lines').select('document_id').where('dossier_id', '=', d.id).where('product_id', '=', id).limit(1).executeTakeFirst();
  if (used) throw conflict('product_in_use');
  await d.t.deleteFrom('products').where('dossier_id', '=', d.id).where('id', '=', id).execute();
  await d.audit({
    action: 'product.deleted',
    entityType: 'product',
    entityId: id,
    entityLabel: label(current),
    summary: `Suppression de l’article « ${label(current)} »`,
    changes: deletedChanges(productFields(current)),
  });
}
