-- The document lists (documents/list.ts) show a page sorted by issue date, newest first, and
-- total the whole filtered set. documents_list cannot give that order: its second column is the
-- type (the invoices list asks for four types) and `issue_date DESC` puts NULLs first where the
-- query says NULLS LAST. This index gives the page in order (the scan stops after the page), and
-- it carries every column the status filters, the customer join and the totals read, so that the
-- count and totals come from an index-only scan instead of one heap page per document of the
-- dossier (a dossier's documents are spread over the whole table, among other dossiers').
CREATE INDEX documents_list_by_date ON documents (dossier_id, issue_date DESC NULLS LAST, id)
  INCLUDE (type, status, due_date, validity_date, customer_id, net_cents, vat_cents, gross_cents, paid_cents, credited_cents);
