-- Numbered documents whose frozen PDF is not made yet (documents/pdf-freezer.ts): found at start-up
-- without reading the whole table. The set is empty in the steady state, so the index stays tiny.
CREATE INDEX documents_pdf_backlog ON documents (issued_at) WHERE number IS NOT NULL AND pdf_file_id IS NULL;
