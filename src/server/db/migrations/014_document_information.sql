-- Who downloaded or printed the PDF of a numbered document, and when (documents/downloads.ts),
-- for the document's « Informations ». Append-only like the trail, but not chained into it:
-- a download changes nothing, and the audit chain's per-dossier lock has no place on this hot
-- path — a download costs one INSERT in its request's transaction. Drafts' previews are not
-- recorded. The member's name and profile are kept as they were, as the trail keeps its actors.
-- `download`: saved as a file (attachment) rather than opened in the browser to view or print.
CREATE TABLE document_downloads (
  dossier_id uuid NOT NULL REFERENCES dossiers (id),
  document_id uuid NOT NULL,
  id uuid NOT NULL,
  downloaded_at timestamptz NOT NULL DEFAULT now(),
  user_id uuid NOT NULL REFERENCES users (id),
  user_name text NOT NULL,
  user_profile text,
  download boolean NOT NULL,
  -- One index for both: the key, and a document's downloads in order.
  PRIMARY KEY (dossier_id, document_id, id),
  FOREIGN KEY (dossier_id, document_id) REFERENCES documents (dossier_id, id)
);
CREATE TRIGGER document_downloads_append_only BEFORE UPDATE OR DELETE ON document_downloads
  FOR EACH ROW EXECUTE FUNCTION ardoise_refuse_change();
CREATE TRIGGER document_downloads_no_truncate BEFORE TRUNCATE ON document_downloads
  FOR EACH STATEMENT EXECUTE FUNCTION ardoise_refuse_change();

ALTER TABLE document_downloads ENABLE ROW LEVEL SECURITY;
CREATE POLICY document_downloads_tenant ON document_downloads USING (dossier_id = ardoise_current_dossier()) WITH CHECK (dossier_id = ardoise_current_dossier());
GRANT SELECT, INSERT ON document_downloads TO {{app_role}};

-- The documents made from a document (duplicates, a quote's invoices) and the credit notes of an
-- invoice, as its « Informations » lists them. Partial: most documents have neither link, and
-- their inserts do not touch these indexes.
CREATE INDEX documents_source ON documents (dossier_id, source_id) WHERE source_id IS NOT NULL;
CREATE INDEX documents_corrects ON documents (dossier_id, corrects_id) WHERE corrects_id IS NOT NULL;
