import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { customerConsistencyErrors, type CustomerCreate, type CustomerListQuery, type CustomerUpdate } from '../../core/customers';
import { diff } from '../platform/audit';
import type { DossierContext } from '../platform/auth';
import { conflict, invalid, notFound } from '../platform/errors';
import { customerColumns, customerFields, presentCustomer, type CustomerJson, type CustomerRow, type CustomerView } from './presenter';
import { archivedChange, containsPattern, createdChanges, definedOnly, deletedChanges, frenchOrder, staleVersion, type Page } from '../platform/records';

function checkConsistency(c: CustomerView): void {
  const errors = customerConsistencyErrors(c);
  if (Object.keys(errors).length > 0) throw invalid(errors);
}

async function findCustomer(d: DossierContext, id: string, lock: boolean): Promise<CustomerRow> {
  const query = d.t.selectFrom('customers').selectAll().where('dossier_id', '=', d.id).where('id', '=', id);
  const row = await (lock ? query.forUpdate() : query).executeTakeFirst();
  if (!row) throw notFound();
  return row;
}

export async function getCustomer(d: DossierContext, id: string): Promise<CustomerJson> {
  return presentCustomer(await findCustomer(d, id, false));
}

/** Search on the name, the SIREN (spaces and dots ignored) and the e-mail addresses, case-insensitive. */
export async function listCustomers(d: DossierContext, q: CustomerListQuery): Promise<Page<CustomerJson>> {
  let query = d.t
    .selectFrom('customers')
    .where('dossier_id', '=', d.id)
    .where('archived_at', q.archived ? 'is not' : 'is', null);
  if (q.kind) query = query.where('kind', '=', q.kind);
  if (q.q) {
    const pattern = containsPattern(q.q);
    const sirenPattern = containsPattern(q.q.replace(/[\s.]/g, ''));
    query = query.where((eb) =>
      eb.or([
        eb('name', 'ilike', pattern),
        eb('siren', 'like', sirenPattern),
        sql<boolean>`exists (select 1 from unnest(${sql.ref('emails')}) as e(address) where e.address ilike ${pattern})`,
      ]),
    );
  }
  const sorted = q.sort === 'name' ? query.orderBy(frenchOrder('name'), q.order).orderBy('created_at', q.order) : query.orderBy('created_at', q.order);
  const [rows, total] = await Promise.all([
    sorted.selectAll().orderBy('id', q.order).limit(q.pageSize).offset((q.page - 1) * q.pageSize).execute(),
    query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(presentCustomer), total: Number(total.n), page: q.page, pageSize: q.pageSize };
}

export async function createCustomer(d: DossierContext, input: CustomerCreate): Promise<CustomerJson> {
  checkConsistency(input);
  const row = await d.t
    .insertInto('customers')
    .values({ dossier_id: d.id, id: randomUUID(), ...customerColumns(input) })
    .returningAll()
    .executeTakeFirstOrThrow();
  await d.audit({
    action: 'customer.created',
    entityType: 'customer',
    entityId: row.id,
    entityLabel: row.name,
    summary: `Création du client « ${row.name} »`,
    changes: createdChanges(customerFields(row)),
  });
  return presentCustomer(row);
}

/** Applies a change made on `version`: refused (409 stale_version) if someone changed the customer since. */
export async function updateCustomer(d: DossierContext, id: string, input: CustomerUpdate): Promise<CustomerJson> {
  const current = await findCustomer(d, id, true);
  const { version, ...patch } = input;
  if (current.version !== version) throw staleVersion(current);
  const before = customerFields(current);
  const set = definedOnly(patch);
  const next: CustomerView = { ...before, ...set };
  checkConsistency(next);
  const changes = diff(before, set);
  if (Object.keys(changes).length === 0) return presentCustomer(current);
  const row = await d.t
    .updateTable('customers')
    .set({ ...customerColumns(next), version: current.version + 1, updated_at: sql<Date>`now()` })
    .where('dossier_id', '=', d.id)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await d.audit({
    action: 'customer.updated',
    entityType: 'customer',
    entityId: id,
    entityLabel: row.name,
    summary: `Modification du client « ${row.name} » (${Object.keys(changes).join(', ')})`,
    changes,
  });
  return presentCustomer(row);
}

/** Archiving hides the customer from lists and pickers; documents keep pointing to it. Idempotent. */
export async function setCustomerArchived(d: DossierContext, id: string, archived: boolean): Promise<CustomerJson> {
  const current = await findCustomer(d, id, true);
  if ((current.archived_at !== null) === archived) return presentCustomer(current);
  const row = await d.t
    .updateTable('customers')
    .set({ archived_at: archived ? sql<Date>`now()` : null, version: current.version + 1, updated_at: sql<Date>`now()` })
    .where('dossier_id', '=', d.id)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await d.audit({
    action: archived ? 'customer.archived' : 'customer.unarchived',
    entityType: 'customer',
    entityId: id,
    entityLabel: row.name,
    summary: `${archived ? 'Archivage' : 'Désarchivage'} du client « ${row.name} »`,
    changes: archivedChange(archived),
  });
  return presentCustomer(row);
}

/**
 * Deletes a customer that no document names. The row lock makes a document created at the same
 * moment wait (its foreign key check needs the row), so the check cannot be overtaken.
 */
export async function deleteCustomer(d: DossierContext, id: string): Promise<void> {
  const current = await findCustomer(d, id, true);
  const used = await d.t.selectFrom('documents').select('id').where('dossier_id', '=', d.id).where('customer_id', '=', id).limit(1).executeTakeFirst();
  if (used) throw conflict('customer_in_use');
  await d.t.deleteFrom('customers').where('dossier_id', '=', d.id).where('id', '=', id).execute();
  await d.audit({
    action: 'customer.deleted',
    entityType: 'customer',
    entityId: id,
    entityLabel: current.name,
    summary: `Suppression du client « ${current.name} »`,
    changes: deletedChanges(customerFields(current)),
  });
}
