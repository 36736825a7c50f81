-- The durable outbox (mail/outbox.ts): a document sent by e-mail is stored here, in the same
-- transaction as its audit event, and delivered by the job queue's worker (mail/worker.ts).
-- `state` moves pending → sending → sent | retry | failed; a message left in `sending` past its
-- lease (its worker died during the SMTP conversation) becomes `uncertain` and is never resent
-- without a person deciding to.
CREATE TABLE outgoing_messages (
  dossier_id uuid NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  document_id uuid NOT NULL,
  idempotency_key text NOT NULL,
  to_addresses text[] NOT NULL,
  cc_addresses text[] NOT NULL DEFAULT '{}',
  bcc_addresses text[] NOT NULL DEFAULT '{}',
  subject text NOT NULL,
  body text NOT NULL,
  reply_to text,
  sender_name text NOT NULL,
  attachment_name text NOT NULL,
  pdf_file_id uuid,
  pdf_sha256 text,
  created_by uuid NOT NULL REFERENCES users (id),
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'sent', 'retry', 'failed', 'uncertain')),
  attempts integer NOT NULL DEFAULT 0,
  attempt_id uuid,
  lease_until timestamptz,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error text,
  smtp_response text,
  message_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  PRIMARY KEY (dossier_id, id),
  FOREIGN KEY (dossier_id, document_id) REFERENCES documents (dossier_id, id),
  FOREIGN KEY (dossier_id, pdf_file_id) REFERENCES files (dossier_id, id),
  UNIQUE (dossier_id, idempotency_key)
);
CREATE INDEX outgoing_messages_document ON outgoing_messages (dossier_id, document_id, created_at);
-- What the sweep looks at (due messages, stale leases): small in the steady state.
CREATE INDEX outgoing_messages_open ON outgoing_messages (next_attempt_at) WHERE state IN ('pending', 'retry', 'sending');

ALTER TABLE outgoing_messages ENABLE ROW LEVEL SECURITY;
CREATE POLICY outgoing_messages_tenant ON outgoing_messages USING (dossier_id = ardoise_current_dossier()) WITH CHECK (dossier_id = ardoise_current_dossier());
GRANT SELECT, INSERT, UPDATE ON outgoing_messages TO {{app_role}};
