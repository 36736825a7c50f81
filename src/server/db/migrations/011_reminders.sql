-- Payment reminders (mail/reminders.ts). A dossier's reminder plan: off, manual (the default:
-- nothing leaves by itself) or automatic, and the days after the due date of each level. No row
-- means the defaults (manual, 7 / 30 / 45 days).
CREATE TABLE reminder_plans (
  dossier_id uuid NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
  mode text NOT NULL DEFAULT 'manual' CHECK (mode IN ('off', 'manual', 'automatic')),
  level1_days integer NOT NULL DEFAULT 7,
  level2_days integer NOT NULL DEFAULT 30,
  level3_days integer NOT NULL DEFAULT 45,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (dossier_id),
  CHECK (level1_days BETWEEN 1 AND 365 AND level2_days BETWEEN 1 AND 365 AND level3_days BETWEEN 1 AND 365),
  CHECK (level1_days < level2_days AND level2_days < level3_days)
);
-- The scheduler's scan across dossiers.
CREATE INDEX reminder_plans_automatic ON reminder_plans (dossier_id) WHERE mode = 'automatic';

-- A reminder message is an outgoing message with its level; one sent by the scheduler has no author.
ALTER TABLE outgoing_messages ADD COLUMN reminder_level smallint CHECK (reminder_level BETWEEN 1 AND 3);
ALTER TABLE outgoing_messages ALTER COLUMN created_by DROP NOT NULL;
-- `cancelled`: a reminder whose invoice was settled before it could leave.
ALTER TABLE outgoing_messages DROP CONSTRAINT outgoing_messages_state_check;
ALTER TABLE outgoing_messages ADD CONSTRAINT outgoing_messages_state_check CHECK (state IN ('pending', 'sending', 'sent', 'retry', 'failed', 'uncertain', 'cancelled'));

-- At most one reminder per level per invoice, whoever asks (the scheduler, two app processes, a
-- double click): the primary key decides. A cancelled reminder (the invoice was settled before
-- delivery) keeps its row, marked, and may be replaced by a new one of the same level.
CREATE TABLE invoice_reminders (
  dossier_id uuid NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
  document_id uuid NOT NULL,
  level smallint NOT NULL CHECK (level BETWEEN 1 AND 3),
  message_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid REFERENCES users (id),
  cancelled_at timestamptz,
  PRIMARY KEY (dossier_id, document_id, level),
  FOREIGN KEY (dossier_id, document_id) REFERENCES documents (dossier_id, id),
  -- The level is claimed before its message is stored, in the same transaction.
  FOREIGN KEY (dossier_id, message_id) REFERENCES outgoing_messages (dossier_id, id) DEFERRABLE INITIALLY DEFERRED
);

ALTER TABLE reminder_plans ENABLE ROW LEVEL SECURITY;
CREATE POLICY reminder_plans_tenant ON reminder_plans USING (dossier_id = ardoise_current_dossier()) WITH CHECK (dossier_id = ardoise_current_dossier());
ALTER TABLE invoice_reminders ENABLE ROW LEVEL SECURITY;
CREATE POLICY invoice_reminders_tenant ON invoice_reminders USING (dossier_id = ardoise_current_dossier()) WITH CHECK (dossier_id = ardoise_current_dossier());
GRANT SELECT, INSERT, UPDATE ON reminder_plans, invoice_reminders TO {{app_role}};
