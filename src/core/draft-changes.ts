/**
 * What a draft's save changed, field by field and line by line, for the journal: only what
 * differs, lines compared by their position (« ligne 2 : quantité 3 → 5 »), a line added or
 * removed as a whole. Values are kept as entered (decimal strings, dates, ids): the reader
 * formats them (core/audit-labels.ts).
 */
import type { LineInput } from './document-schema';

export type Change = { before: unknown; after: unknown };
export type Changes = Record<string, Change>;

/** The fields of a draft a person edits, as the journal names them. */
export interface DraftView {
  customerId: string | null;
  issueDate: string;
  serviceDate: string | null;
  validityDate: string | null;
  paymentTerms: unknown;
  vatTreatment: string;
  discount: unknown;
  notes: string | null;
  lines: readonly LineInput[];
}

const HEADER_FIELDS = ['customerId', 'issueDate', 'serviceDate', 'validityDate', 'paymentTerms', 'vatTreatment', 'discount', 'notes'] as const;

/** A JSON text that does not depend on key order, so that `{a, b}` and `{b, a}` compare equal. */
function stable(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (typeof value === 'object') {
    return `{${Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined && (value as Record<string, unknown>)[k] !== null)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

function same(a: unknown, b: unknown): boolean {
  return stable(a) === stable(b);
}

/** A line's fields as the journal shows a whole line: what it says, not its empty options. */
function lineValue(line: LineInput): Record<string, unknown> {
  return Object.fromEntries(Object.entries(line).filter(([, v]) => v !== undefined && v !== null && v !== ''));
}

export function draftChanges(before: DraftView, after: DraftView): Changes {
  const changes: Changes = {};
  for (const field of HEADER_FIELDS) {
    if (!same(before[field], after[field])) changes[field] = { before: before[field] ?? null, after: after[field] ?? null };
  }
  const count = Math.max(before.lines.length, after.lines.length);
  for (let i = 0; i < count; i++) {
    const was = before.lines[i];
    const is = after.lines[i];
    if (!was || !is || was.kind !== is.kind) {
      if (!same(was, is)) changes[`lines[${i}]`] = { before: was ? lineValue(was) : null, after: is ? lineValue(is) : null };
      continue;
    }
    const fields = new Set([...Object.keys(was), ...Object.keys(is)]);
    for (const field of fields) {
      if (field === 'kind') continue;
      const a = (was as Record<string, unknown>)[field];
      const b = (is as Record<string, unknown>)[field];
      if (!same(a, b)) changes[`lines[${i}].${field}`] = { before: a ?? null, after: b ?? null };
    }
  }
  return changes;
}

/** The fields named in a summary: « client, ligne 2 » — each line once, whatever changed in it. */
export function changedFieldNames(changes: Changes): string[] {
  const names = new Set<string>();
  for (const key of Object.keys(changes)) {
    const line = /^lines\[(\d+)\]/.exec(key);
    names.add(line ? `lines[${line[1]}]` : key);
  }
  return [...names];
}
