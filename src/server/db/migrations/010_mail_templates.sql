-- The e-mail templates a dossier edited (mail/templates.ts): one row per kind of message (a
-- document type or a reminder level). A kind without a row uses the French default of
-- core/outgoing-mail.ts, so that the defaults can improve for every dossier that kept them.
CREATE TABLE mail_templates (
  dossier_id uuid NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('quote', 'invoice', 'deposit_invoice', 'credit_note', 'pro_forma', 'reminder_1', 'reminder_2', 'reminder_3')),
  subject text NOT NULL,
  body text NOT NULL,
  updated_by uuid NOT NULL REFERENCES users (id),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (dossier_id, kind)
);

ALTER TABLE mail_templates ENABLE ROW LEVEL SECURITY;
CREATE POLICY mail_templates_tenant ON mail_templates USING (dossier_id = ardoise_current_dossier()) WITH CHECK (dossier_id = ardoise_current_dossier());
GRANT SELECT, INSERT, UPDATE, DELETE ON mail_templates TO {{app_role}};
