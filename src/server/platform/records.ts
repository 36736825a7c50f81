/**
 * What the dossier's reference records (customers, catalogue products) have in common: they are
 * listed with search and pages, changed under optimistic concurrency, archived rather than deleted
 * once documents use them, and audited with their full content on creation and deletion.
 */
import { sql, type RawBuilder } from 'kysely';
import { diff, type Changes } from './audit';
import { AppError } from './errors';

/** A LIKE pattern matching `text` anywhere, LIKE's own wildcards taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Text ordered as a French reader expects (accents beside their letter, case ignored first). */
export function frenchOrder(column: string): RawBuilder<string> {
  return sql<string>`${sql.ref(column)} COLLATE "fr-x-icu"`;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

/** 409 stale_version: the record changed since the client read it; the details say what it is now. */
export function staleVersion(row: { version: number; updated_at: Date }): AppError {
  return new AppError(409, 'stale_version', { version: row.version, updatedAt: row.updated_at.toISOString() });
}

/** The fields a change sets: absent ones (undefined) keep their value. */
export function definedOnly<T extends Record<string, unknown>>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Every field set on creation, as before (null) → after. */
export function createdChanges(view: Record<string, unknown>): Changes {
  return diff({}, view);
}

/** Every field a deleted record had, as before → after (null): the trail keeps what was removed. */
export function deletedChanges(view: Record<string, unknown>): Changes {
  return diff(view, Object.fromEntries(Object.keys(view).map((k) => [k, null])));
}

export const archivedChange = (archived: boolean): Changes => ({ archived: { before: !archived, after: archived } });
